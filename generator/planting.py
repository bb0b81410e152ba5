"""Planted violations: one planter per rule and way of showing up, each with its exact label.

A planter takes a clean payment and puts a listed subject into it (a barred bank in a chosen
position of the chain, an SDN or UN entry as the creditor, an Iranian bank by BIC, IBAN or name,
an Iranian address, an energy payment to an Iranian supplier before or after the waiver lapse, a
militia front, a sanctioned vessel in the remittance information) and says which rules a correct
system raises for it, with their actions.

Which rules: the rule of the list the subject was taken from, plus the rule of every other
loaded list that holds the same subject by the identifier or the name actually planted (the same
BIC8, or the same name word for word: Bank Melli's BIC is on the iran-banks list and in OFAC's
SDN remarks, so planting it expects IRAN-NEXUS and OFAC-SDN). That linkage is worked out here
from the lists' own data, not by calling the matcher, so the labels are an independent reading
that a screening run can disagree with (bench/bench_labels.py counts and lists disagreements).
Entries are in force on the payment's value date and in the list's currency scope, or not
expected.

Actions: an identifier or a full entity name blocks; a person's name alone is a review: a name
cannot tell a namesake from the listed person.

Planters that need OFAC or UN entries are available only when those lists are loaded; the
built-in lists (CBI bans, FinCEN 311, Iranian banks, militias) always are.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from generator import directory as d
from generator import names
from generator.evasion import TEXT_CLASSES
from generator.iban import make_iban
from generator.world import agent, make_customer
from rules.lists.base import ListSet
from rules.matching.lexicon import prior_weight
from rules.matching.normalize import name_tokens
from schemas.listentry import ListEntry

RULE_OF_LIST: dict[str, str] = {
    "cbi-usd-ban": "CBI-USD-BAN",
    "fincen-311": "FINCEN-311",
    "iran-banks": "IRAN-NEXUS",
    "militia-fronts": "MILITIA-FRONT",
    "ofac-sdn": "OFAC-SDN",
    "un-consolidated": "UN-SANCTIONS",
}
"""The rule each designation list feeds (the default iraq pack)."""
VESSEL_RULE = "OIL-VESSEL"
SDN_LIST, UN_LIST = "ofac-sdn", "un-consolidated"
WAIVER_LAPSE = date(2025, 3, 8)
"""Iraq's electricity waiver lapsed on this day (exclusive: earlier value dates were covered)."""
IRAN_PLACES = ("Tehran", "Isfahan", "Mashhad", "Tabriz", "Shiraz", "Ahvaz", "Bandar Abbas")
PRIORITY_PROGRAMS = re.compile(r"^(IRAN.*|IRGC|IFSR|NPWMD|IRAQ.*|SDGT|FTO|HIZBALLAH)$")
SANCTIONED_COUNTRIES = frozenset({"IR", "SY", "KP", "CU", "RU", "BY", "VE"})
EVASION_CLASSES = tuple(c for c in TEXT_CLASSES if c != "exact")

BLOCK, REVIEW = "block", "review"


def name_key(name: str) -> str:
    """A name's words after the project's normalisation, sorted: 'BANK MELLAT' and 'Mellat
    Bank', 'JÉRÔME KAKWAVU BUKANDE' and 'KAKWAVU BUKANDE, Jerome', and an Arabic-script name and
    its transliteration are one name. (Normalisation only: no matching, no scores.)"""
    return " ".join(sorted(name_tokens(name)))


def payment_name(entry: ListEntry) -> str:
    """The primary name in the order payments write it: SDN persons are listed 'LAST, First'."""
    name = entry.names[0]
    if entry.kind == "individual" and name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return f"{first} {last}"
    return name


def _plain(name: str) -> bool:
    """A name a payment would carry as it is: two words or more, no list notes in it, not two
    names joined ("BANK SEPAH AND BANK SEPAH INTERNATIONAL")."""
    words = name.upper().split()
    return (
        len(words) >= 2
        and len(set(words)) == len(words)
        and len(name) >= 8
        and not any(c in name for c in ';()[]/"')
        and len(name) <= 70
    )


@dataclass
class ListFacts:
    """The loaded lists, indexed the way planters need them."""

    lists: ListSet
    by_bic8: dict[str, list[ListEntry]] = field(default_factory=dict)
    by_name: dict[str, list[ListEntry]] = field(default_factory=dict)
    by_loose: dict[str, list[ListEntry]] = field(default_factory=dict)
    pools: dict[str, list[ListEntry]] = field(default_factory=dict)

    @classmethod
    def build(cls, lists: ListSet) -> ListFacts:
        facts = cls(lists)
        for list_name in RULE_OF_LIST:
            reference = lists.get(list_name)
            if reference is None:
                continue
            for entry in sorted(reference.entries, key=lambda e: e.entry_id):
                for bic in entry.bics:
                    facts.by_bic8.setdefault(bic[:8].upper(), []).append(entry)
                for alias in entry.names:
                    key = name_key(alias)
                    if len(key.replace(" ", "")) >= 4:
                        facts.by_name.setdefault(key, []).append(entry)
                    loose = loose_key(alias)
                    if loose:
                        facts.by_loose.setdefault(loose, []).append(entry)
        facts.pools = facts._pools()
        return facts

    def entries(self, list_name: str) -> list[ListEntry]:
        reference = self.lists.get(list_name)
        return sorted(reference.entries, key=lambda e: e.entry_id) if reference else []

    def _pools(self) -> dict[str, list[ListEntry]]:
        fincen_bics = {b[:8] for e in self.entries("fincen-311") for b in e.bics}
        cbi = [e for e in self.entries("cbi-usd-ban") if e.kind == "bank"]
        sdn = self.entries(SDN_LIST)
        un = self.entries(UN_LIST)
        militia = self.entries("militia-fronts")
        return {
            # Al-Huda is also under a FinCEN 311 special measure: FINCEN-311 plants it.
            "cbi": [e for e in cbi if not {b[:8] for b in e.bics} & fincen_bics],
            "cbi-all": cbi,
            "fincen": self.entries("fincen-311"),
            "iran-bic": [e for e in self.entries("iran-banks") if e.bics],
            "iran-code": [e for e in self.entries("iran-banks") if _ir_codes(e)],
            "iran-name": [e for e in self.entries("iran-banks") if _distinctive_names(e)],
            "militia-party": [
                e for e in militia if e.kind not in ("individual", "bank") and _strong_names(e)
            ],
            "militia-bank": [e for e in militia if e.kind == "bank" and e.bics],
            "sdn-entity": _sanctions_pool(sdn, "entity"),
            "sdn-person": _sanctions_pool(sdn, "individual"),
            "sdn-vessel": [e for e in sdn if e.kind == "vessel" and e.imo_numbers],
            "sdn-vessel-named": [e for e in sdn if e.kind == "vessel"],
            "un-entity": _sanctions_pool(un, "entity"),
            "un-person": _sanctions_pool(un, "individual"),
        }

    # --- what a planted identifier or name is expected to raise ---------------------------

    def linked(self, *, bic: str | None = None, name: str | None = None) -> list[ListEntry]:
        """Every entry of a designation list holding this BIC8 or this exact name."""
        found: list[ListEntry] = []
        if bic:
            found += self.by_bic8.get(bic[:8].upper(), [])
        if name:
            found += self.by_name.get(name_key(name), [])
        return found

    def listed_name(self, name: str) -> bool:
        """Whether some designation list holds this very name (a clean party must not be a
        namesake: screening it is rightly a review or a block)."""
        return name_key(name) in self.by_name

    def vessels_named_in(self, text: str) -> list[ListEntry]:
        """SDN vessels whose name of two words or more is a phrase of `text` (OIL-VESSEL reads
        party names too: a company called after its tanker names the tanker)."""
        tokens = name_tokens(text)
        found = []
        for vessel in self.pools.get("sdn-vessel-named", []):
            for alias in vessel.names:
                phrase = name_tokens(alias)
                n = len(phrase)
                if n >= 2 and any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1)):
                    found.append(vessel)
                    break
        return found

    def near(self, entry: ListEntry, name: str) -> list[ListEntry]:
        """Entries of other lists that hold the same subject under a spelling close to `name`
        (KOREAN/KOREA TANGUN TRADING CORPORATION, JOZA INDUSTRIAL CO./COMPANY), or, for a name
        in Arabic script, under any of the entry's Latin names (the matcher transliterates)."""
        names = [n for n in entry.names if not _non_latin(n)] if _non_latin(name) else [name]
        found: list[ListEntry] = []
        for alias in names:
            found += self.by_name.get(name_key(alias), [])
            loose = loose_key(alias) if entry.kind != "individual" else ""
            if loose:
                found += [
                    e
                    for e in self.by_loose.get(loose, [])
                    if e.kind != "individual" and _is_bank(e) == _is_bank(entry)
                ]
        return [e for e in found if e.list_name != entry.list_name]


DISTINCTIVE_WEIGHT = 0.5
"""A word weighing more than this in the matcher's lexicon identifies (names.WEAK_ALIAS_WEIGHT)."""


def distinctive(name: str) -> bool:
    """Whether a name has a word that identifies, beyond generic ones ("National Bank of Iran"
    is all generic words: matched word for word it is still only a review)."""
    return any(prior_weight(token) > DISTINCTIVE_WEIGHT for token in name_tokens(name))


def _kept(name: str) -> list[str]:
    return [t for t in name_tokens(name) if len(t) > 2 and prior_weight(t) > DISTINCTIVE_WEIGHT]


LEGAL_FORM_WEIGHT = 0.1
"""Words the lexicon weighs this little are legal forms and institution words (Co., Ltd, Bank)."""


def loose_key(name: str) -> str:
    """A name's words without legal forms, each less its last two letters (five at least),
    sorted: two spellings of one
    subject across lists share it (KOREAN/KOREA TANGUN TRADING CORPORATION, JOZA INDUSTRIAL
    CO./COMPANY). "" when fewer than two words remain: one word alone links too much."""
    words = {
        t[: max(5, len(t) - 2)]
        for t in name_tokens(name)
        if len(t) > 2 and prior_weight(t) > LEGAL_FORM_WEIGHT
    }
    return " ".join(sorted(words)) if len(words) >= 2 else ""


def identifying(name: str) -> bool:
    """Two identifying words, or one of five letters or more: not an acronym ("BAUM PVT LTD"
    and "KOTI CORP" are one short word and legal forms: a weak alias to the matcher)."""
    kept = _kept(name)
    return len(kept) >= 2 or (len(kept) == 1 and len(kept[0]) >= 5)


def _is_bank(entry: ListEntry) -> bool:
    """A bank's name is compared with banks (the matcher penalises a bank meeting a company)."""
    return entry.kind == "bank" or any("BANK" in n.upper() for n in entry.names)


def _ir_codes(entry: ListEntry) -> list[str]:
    return [c for c in entry.iban_bank_codes if len(c) == 3 and c.isdigit()]


def _strong_names(entry: ListEntry) -> list[str]:
    weak = set(entry.weak_names)
    return [
        n
        for n in entry.names
        if n not in weak
        and (" " in n.strip() or len(n) > 4)
        and n not in entry.names_original_script
    ]


def _distinctive_names(entry: ListEntry) -> list[str]:
    return [n for n in _strong_names(entry) if distinctive(n)]


def _sanctions_pool(entries: Sequence[ListEntry], kind: str) -> list[ListEntry]:
    """Entries of `kind` whose payment name is plain and distinctive, the Iran/Iraq/terrorism
    programs first."""
    pool = [
        e
        for e in entries
        if e.kind == kind and _plain(payment_name(e)) and identifying(payment_name(e))
    ]
    favoured = [e for e in pool if any(PRIORITY_PROGRAMS.match(p) for p in e.programs)]
    return favoured or pool


@dataclass(frozen=True)
class Planted:
    """What a planter did: the rules a correct system raises (rule -> action), and how."""

    rules: dict[str, str]
    how: str
    evasion: str | None = None
    structured: bool = False
    """The evidence needs a format that carries every field (JSON, pacs.008): MT103 drops
    ultimate parties, instructing agents given by name, and non-Latin script."""


@dataclass
class Planting:
    """A planter's shared inputs: the lists, the run's rng and its evasion rate."""

    rng: random.Random
    facts: ListFacts
    evasion_rate: float = 0.0

    def disguise(self, name: str) -> tuple[str, str | None]:
        """`name`, or at the evasion rate a manipulated form of it and the class used."""
        if self.evasion_rate <= 0 or self.rng.random() >= self.evasion_rate:
            return name, None
        cls = self.rng.choice(EVASION_CLASSES)
        changed = TEXT_CLASSES[cls](self.rng, name)
        if changed is None or changed == name:
            return name, None
        return changed, cls

    def draw(self, pool: str, on: date | None = None) -> ListEntry | None:
        """A random entry of `pool` (in force on `on` when given), or None when there is none:
        the planter then declines."""
        entries = self.facts.pools[pool]
        if on is not None:
            entries = in_force(entries, on)
        return self.rng.choice(entries) if entries else None


def in_force(entries: Iterable[ListEntry], on: date) -> list[ListEntry]:
    return [e for e in entries if e.in_force_on(on)]


def _value_date(payment: dict[str, Any]) -> date:
    return date.fromisoformat(payment["value_date"])


def expected(
    payment: dict[str, Any],
    linked: Iterable[ListEntry],
    *,
    by_identifier: bool,
    near: Iterable[ListEntry] = (),
) -> dict[str, str]:
    """The rules the linked entries raise on this payment, with their actions; entries `near`
    (the same subject under a close spelling) raise at least a review."""
    value_date = _value_date(payment)
    rules: dict[str, str] = {}
    for entry, close in [*((e, False) for e in linked), *((e, True) for e in near)]:
        rule = VESSEL_RULE if entry.kind == "vessel" else RULE_OF_LIST[entry.list_name]
        if not entry.in_force_on(value_date) or not entry.covers_currency(payment["currency"]):
            continue
        person = entry.kind == "individual"
        action = REVIEW if close or (person and not by_identifier) else BLOCK
        rules[rule] = _stronger(rules.get(rule), action)
    return rules


def _stronger(current: str | None, action: str) -> str:
    return BLOCK if BLOCK in (current, action) else action


def _merge(*parts: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        for rule, action in part.items():
            merged[rule] = _stronger(merged.get(rule), action)
    return merged


def _non_latin(text: str) -> bool:
    return any(ord(c) > 0x24F for c in text)


def _usd(rng: random.Random, payment: dict[str, Any]) -> None:
    if payment["currency"] != "USD":
        payment["currency"] = "USD"
        payment["amount"] = f"{Decimal(rng.randrange(2_000_00, 250_000_00)) / 100:.2f}"
    if not payment["intermediary_agents"] and payment["creditor"].get("country") != "US":
        payment["intermediary_agents"] = [agent(rng.choice(d.US_CORRESPONDENTS))]


def _foreign_creditor(rng: random.Random, payment: dict[str, Any], name: str, country: str) -> None:
    """`name` becomes the creditor, banking with a legitimate bank of `country` (else Dubai)."""
    bank_country = country if any(b.country == country for b in d.FOREIGN_BANKS) else "AE"
    customer = make_customer(rng, name, bank_country)
    payment["creditor"] = {**customer.party(), "country": country}
    if country != bank_country:
        payment["creditor"]["account"] = f"{rng.randrange(10**11, 10**12)}"
    payment["creditor_agent"] = customer.agent()


# --- planters ---------------------------------------------------------------------------------

Planter = Callable[[Planting, dict[str, Any]], Planted | None]
AGENT_POSITIONS = ("debtor_agent", "creditor_agent", "intermediary", "instructing_agent",
                   "instructed_agent")  # fmt: skip


def _ministry_of_electricity_pays(rng: random.Random, payment: dict[str, Any]) -> None:
    """The Ministry of Electricity, at the Trade Bank of Iraq, becomes the debtor: it buys
    Iraq's imported gas and power (Iranian or not)."""
    payer = make_customer(rng, names.ELECTRICITY_MINISTRY, "IQ", d.TRADE_BANK)
    payment["debtor"] = payer.party()
    payment["debtor_agent"] = payer.agent()


def _place_agent(payment: dict[str, Any], position: str, bank: dict[str, Any]) -> None:
    if position == "intermediary":
        payment["intermediary_agents"] = [*payment["intermediary_agents"], bank][-3:]
    else:
        payment[position] = bank


def _listed_bank_by_bic(
    p: Planting, payment: dict[str, Any], entry: ListEntry, bic: str
) -> tuple[str, dict[str, str]]:
    """A listed bank by its BIC as creditor agent or intermediary: the position, and the rules
    the entry and every entry holding the same BIC8 raise."""
    position = p.rng.choice(("creditor_agent", "intermediary"))
    _place_agent(payment, position, {"bic": bic, "country": bic[4:6]})
    return position, expected(payment, [entry, *p.facts.linked(bic=bic)], by_identifier=True)


def plant_cbi_usd_ban(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A USD payment through a bank barred on its value date, at any position of the chain."""
    entry = p.draw("cbi", _value_date(payment))
    if entry is None:
        return None
    rng = p.rng
    _usd(rng, payment)
    position = rng.choice(AGENT_POSITIONS)
    by_bic = bool(entry.bics) and (rng.random() < 0.6 or position.startswith("instruct"))
    evasion = None
    if by_bic:
        bank = {"bic": entry.bics[0], "name": entry.primary_name, "country": "IQ"}
        linked = p.facts.linked(bic=entry.bics[0], name=entry.primary_name)
    else:
        name = rng.choice(_strong_names(entry) or [entry.primary_name])
        shown, evasion = p.disguise(name)
        bank = {"name": shown, "country": "IQ"}
        linked = p.facts.linked(name=name)
    _place_agent(payment, position, bank)
    rules = expected(payment, [entry, *linked], by_identifier=by_bic)
    structured = position.startswith("instruct") or evasion is not None
    how = f"CBI-USD-BAN/{position}/{'bic' if by_bic else 'name'}"
    return Planted(rules, how, evasion, structured)


def plant_fincen_311(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A USD payment through a bank under a FinCEN 311 special measure (Al-Huda Bank)."""
    entry = p.draw("fincen")
    if entry is None:
        return None
    rng = p.rng
    _usd(rng, payment)
    position = rng.choice(("debtor_agent", "creditor_agent", "intermediary"))
    by_bic = bool(entry.bics) and rng.random() < 0.6
    if by_bic:
        bank = {"bic": entry.bics[0], "country": "IQ"}
        linked = p.facts.linked(bic=entry.bics[0])
        evasion = None
    else:
        # A name both lists write: the FinCEN-only long form ("Al-Huda Bank for Islamic Finance
        # and Investment") is not a name the CBI list knows, so its CBI finding is undefined.
        shared = [n for n in _strong_names(entry) if len(p.facts.linked(name=n)) > 1]
        name = rng.choice(shared or _strong_names(entry))
        shown, evasion = p.disguise(name)
        bank = {"name": shown, "country": "IQ"}
        linked = p.facts.linked(name=name)
    _place_agent(payment, position, bank)
    rules = expected(payment, [entry, *linked], by_identifier=by_bic)
    how = f"FINCEN-311/{position}/{'bic' if by_bic else 'name'}"
    return Planted(rules, how, evasion, evasion is not None)


def _plant_sanctioned_party(
    p: Planting, payment: dict[str, Any], list_name: str, label: str
) -> Planted | None:
    rng = p.rng
    person = rng.random() < 0.3
    entry = p.draw(f"{label}-{'person' if person else 'entity'}", _value_date(payment))
    if entry is None:
        return None
    name = payment_name(entry)
    shown, evasion = p.disguise(name)
    countries = [c for c in entry.countries if c not in SANCTIONED_COUNTRIES]
    country = countries[0] if countries else "AE"
    field_name = "creditor" if rng.random() < 0.85 else "ultimate_creditor"
    _usd(rng, payment)
    if field_name == "creditor":
        _foreign_creditor(rng, payment, shown, country)
    else:
        payment["ultimate_creditor"] = {"name": shown, "country": country}
    rules = expected(
        payment,
        [entry, *p.facts.linked(name=name), *p.facts.vessels_named_in(name)],
        by_identifier=False,
        near=p.facts.near(entry, name),
    )
    structured = field_name == "ultimate_creditor" or evasion is not None or _non_latin(shown)
    how = f"{RULE_OF_LIST[list_name]}/{field_name}/{'person' if person else 'entity'}"
    return Planted(rules, how, evasion, structured)


def plant_ofac_sdn(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """An SDN entity (block) or person (review: a name alone) as the creditor."""
    return _plant_sanctioned_party(p, payment, SDN_LIST, "sdn")


def plant_un_sanctions(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A UN Security Council listed entity or person as the creditor."""
    return _plant_sanctioned_party(p, payment, UN_LIST, "un")


def plant_iran_bic(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """An Iranian bank (or its branch abroad) by BIC as creditor agent or intermediary."""
    entry = p.draw("iran-bic")
    if entry is None:
        return None
    position, rules = _listed_bank_by_bic(p, payment, entry, p.rng.choice(entry.bics))
    return Planted(_merge({"IRAN-NEXUS": BLOCK}, rules), f"IRAN-NEXUS/{position}/bic")


def plant_iran_iban(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A creditor whose account is an Iranian IBAN at a listed Iranian bank."""
    entry = p.draw("iran-code")
    if entry is None:
        return None
    rng = p.rng
    code = rng.choice(_ir_codes(entry))
    bank = rng.choice([b for b in d.FOREIGN_BANKS if b.country == "AE"])
    payment["creditor"] = {
        "name": names.iranian_trader(rng),
        "account": make_iban(rng, "IR", code),
        "country": "IR",
        "address": [f"No. {rng.randint(1, 300)}, Block {rng.randint(1, 40)}"],
    }
    payment["creditor_agent"] = agent(bank)
    return Planted({"IRAN-NEXUS": BLOCK}, "IRAN-NEXUS/creditor/iban")


def plant_iran_address(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A creditor whose address puts it in Iran (no country field, no Iranian account)."""
    rng = p.rng
    bank = rng.choice([b for b in d.FOREIGN_BANKS if b.country in ("AE", "TR")])
    payment["creditor"] = {
        "name": names.iranian_trader(rng),
        "account": f"{rng.randrange(10**11, 10**12)}",
        "address": [
            f"Unit {rng.randint(1, 90)}, {rng.randint(1, 200)} Street",
            rng.choice(IRAN_PLACES),
        ],
    }
    payment["creditor_agent"] = agent(bank)
    return Planted({"IRAN-NEXUS": BLOCK}, "IRAN-NEXUS/creditor/address")


def plant_iran_name(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """An Iranian bank named (no BIC) as the creditor's agent."""
    entry = p.draw("iran-name")
    if entry is None:
        return None
    name = p.rng.choice(_distinctive_names(entry))
    shown, evasion = p.disguise(name)
    payment["creditor_agent"] = {"name": shown}
    rules = expected(payment, [entry, *p.facts.linked(name=name)], by_identifier=False)
    return Planted(rules, "IRAN-NEXUS/creditor_agent/name", evasion, evasion is not None)


def plant_iran_energy(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """The Ministry of Electricity pays an Iranian gas or power exporter into the restricted
    account at the Trade Bank of Iraq: a review under the waiver, a block from its lapse on."""
    rng = p.rng
    _ministry_of_electricity_pays(rng, payment)
    gas = rng.random() < 0.6
    payment["creditor"] = {
        "name": names.iranian_energy_company(rng),
        "account": make_iban(rng, "IQ", d.TRADE_BANK.bic[:4]),
        "country": "IR",
        "address": [f"{rng.randint(1, 300)} Street", rng.choice(IRAN_PLACES)],
    }
    payment["creditor_agent"] = agent(d.TRADE_BANK)
    payment["intermediary_agents"] = []
    payment["currency"] = rng.choice(("USD", "EUR"))
    payment["amount"] = f"{Decimal(rng.randrange(5_000_000_00, 250_000_000_00)) / 100:.2f}"
    payment["purpose_code"] = "GASB" if gas else "ELEC"
    payment["remittance_info"] = (
        f"{'Natural gas supply' if gas else 'Electricity import'} invoice "
        f"{rng.randrange(100, 999)}/{payment['value_date'][:4]}"
    )
    if _value_date(payment) < WAIVER_LAPSE:
        # Under the waiver: review, and IRAN-NEXUS yields to it (the pack's yields_to).
        return Planted({"IRAN-ENERGY": REVIEW}, "IRAN-ENERGY/before-lapse")
    return Planted({"IRAN-ENERGY": BLOCK, "IRAN-NEXUS": BLOCK}, "IRAN-ENERGY/after-lapse")


def plant_militia_front(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """A militia front company as creditor, or a militia-linked bank by BIC in the chain."""
    rng = p.rng
    value_date = _value_date(payment)
    banks = in_force(p.facts.pools["militia-bank"], value_date)
    parties = in_force(p.facts.pools["militia-party"], value_date)
    if banks and (not parties or rng.random() < 0.25):
        entry = rng.choice(banks)
        position, rules = _listed_bank_by_bic(p, payment, entry, entry.bics[0])
        return Planted(rules, f"MILITIA-FRONT/{position}/bic")
    if not parties:
        return None
    entry = rng.choice(parties)
    script = entry.names_original_script if rng.random() < 0.15 else []
    name = rng.choice(script or _strong_names(entry))
    shown, evasion = p.disguise(name)
    field_name = "creditor" if rng.random() < 0.8 else "ultimate_creditor"
    if field_name == "creditor":
        customer = make_customer(rng, shown, "IQ")
        payment["creditor"] = customer.party()
        payment["creditor_agent"] = customer.agent()
    else:
        payment["ultimate_creditor"] = {"name": shown, "country": "IQ"}
    rules = expected(
        payment,
        [entry, *p.facts.linked(name=name)],
        by_identifier=False,
        near=p.facts.near(entry, name),
    )
    structured = field_name == "ultimate_creditor" or evasion is not None or _non_latin(shown)
    return Planted(rules, f"MILITIA-FRONT/{field_name}/name", evasion, structured)


def plant_oil_vessel(p: Planting, payment: dict[str, Any]) -> Planted | None:
    """Freight or demurrage for a sanctioned tanker, named by IMO number or by name."""
    entry = p.draw("sdn-vessel", _value_date(payment))
    if entry is None:
        return None
    rng = p.rng
    what = rng.choice(("Freight", "Demurrage", "Charter hire"))
    if rng.random() < 0.6:
        reference = f"IMO {entry.imo_numbers[0]}"
        how = "imo"
    else:
        reference = f"{rng.choice(('M/T', 'MT', 'tanker', 'vessel'))} {entry.primary_name}"
        how = "name"
    _usd(rng, payment)
    _foreign_creditor(rng, payment, names.foreign_company(rng, "AE"), "AE")
    payment["remittance_info"] = f"{what} {reference} B/L {rng.randrange(1000, 9999)}"
    payment["purpose_code"] = "TRAD"
    return Planted({"OIL-VESSEL": BLOCK}, f"OIL-VESSEL/remittance/{how}")


PLANTERS: dict[str, Planter] = {
    "CBI-USD-BAN": plant_cbi_usd_ban,
    "FINCEN-311": plant_fincen_311,
    "OFAC-SDN": plant_ofac_sdn,
    "UN-SANCTIONS": plant_un_sanctions,
    "IRAN-NEXUS/bic": plant_iran_bic,
    "IRAN-NEXUS/iban": plant_iran_iban,
    "IRAN-NEXUS/address": plant_iran_address,
    "IRAN-NEXUS/name": plant_iran_name,
    "IRAN-ENERGY": plant_iran_energy,
    "MILITIA-FRONT": plant_militia_front,
    "OIL-VESSEL": plant_oil_vessel,
}
"""Stateless planters by name; each may decline (None) when its list is not loaded."""


def available(facts: ListFacts) -> list[str]:
    """The planters the loaded lists support, in a stable order."""
    needs = {
        "CBI-USD-BAN": "cbi",
        "FINCEN-311": "fincen",
        "OFAC-SDN": "sdn-entity",
        "UN-SANCTIONS": "un-entity",
        "IRAN-NEXUS/bic": "iran-bic",
        "IRAN-NEXUS/iban": "iran-code",
        "IRAN-NEXUS/name": "iran-name",
        "MILITIA-FRONT": "militia-party",
        "OIL-VESSEL": "sdn-vessel",
    }
    return [name for name in PLANTERS if name not in needs or facts.pools.get(needs[name])]


# --- decoys: legal business that looks close to a violation ---------------------------------


def decoy_cbi_other_currency(p: Planting, payment: dict[str, Any]) -> str:
    """A barred bank's dinar business: legal, and must pass (the ban is USD-only)."""
    pool = [e for e in p.facts.pools["cbi-all"] if not _linked_elsewhere(p.facts, e)]
    if not pool:
        return "none"
    rng = p.rng
    entry = rng.choice(pool)
    payment["currency"] = "IQD"
    payment["amount"] = f"{Decimal(rng.randrange(100_000, 500_000_000)):.2f}"
    payment["intermediary_agents"] = []
    if entry.bics and rng.random() < 0.6:
        payment["debtor_agent"] = {
            "bic": entry.bics[0],
            "name": entry.primary_name,
            "country": "IQ",
        }
    else:
        payment["debtor_agent"] = {"name": entry.primary_name, "country": "IQ"}
    return "decoy/CBI-USD-BAN/IQD"


def decoy_energy_not_iranian(p: Planting, payment: dict[str, Any]) -> str:
    """Electricity bought from a Turkish power ship operator: energy, but not Iranian."""
    rng = p.rng
    _ministry_of_electricity_pays(rng, payment)
    bank = rng.choice([b for b in d.FOREIGN_BANKS if b.country == "TR"])
    supplier = make_customer(rng, rng.choice(names.TR_ENERGY), "TR", bank)
    payment["creditor"] = supplier.party()
    payment["creditor_agent"] = supplier.agent()
    payment["currency"] = "USD"
    payment["amount"] = f"{Decimal(rng.randrange(1_000_000_00, 60_000_000_00)) / 100:.2f}"
    payment["purpose_code"] = "ELEC"
    payment["remittance_info"] = f"Electricity supply powership invoice {rng.randrange(100, 999)}"
    return "decoy/IRAN-ENERGY/not-iranian"


def _linked_elsewhere(facts: ListFacts, entry: ListEntry) -> bool:
    """Whether another list than the entry's own holds it (then its IQD business is not clean)."""
    others = [
        e
        for e in facts.linked(bic=entry.bics[0] if entry.bics else None, name=entry.primary_name)
        if e.list_name != entry.list_name and not e.currency_scope
    ]
    return bool(others)


DECOYS: tuple[Callable[[Planting, dict[str, Any]], str], ...] = (
    decoy_cbi_other_currency,
    decoy_energy_not_iranian,
)
