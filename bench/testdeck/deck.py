"""The deck: every manipulation class applied to every target, each case a canonical Payment.

A case carries the rules entitled to catch it (`expected_rules`: the target list's own rule plus
the rules of other loaded lists holding the same party) and the list's own rule (`primary_rule`).
The rest of each payment is clean background (an Iraqi importer paying a regional supplier
through legitimate banks); the bench screens the bare background first and warns if it is not
clean, so that any finding of an expected rule is the planted name's.

Placement (where the listed party shows up) depends on the entry: a bank sits in the creditor's
agent (name only, no BIC and no country, so that only the name can give it away); a company,
group or person sits in the creditor party. Every case is value-dated 2026-03-02, when every
built-in entry is in force.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from schwifty import IBAN

from bench.testdeck import manipulations as m
from bench.testdeck.sources import (
    LIST_RULES,
    BranchBic,
    Linkage,
    Target,
    branch_bics,
    directory,
)
from schemas.payment import Payment

VALUE_DATE = date(2026, 3, 2)
CREATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PLACEMENT_CLASSES = (
    "remittance-on-behalf",
    "address-care-of",
    "unknown-field",
    "swift-cut",
)
IDENTIFIER_CLASSES = (
    "bic-exact",
    "iban-bank-code",
    "clearing-id",
    "bank-as-party",
    "bank-name-unlisted-bic",
    "branch-bic-abroad",
    "branch-bic-home",
)
ALL_CLASSES = (*m.DECK_TEXT_CLASSES, *PLACEMENT_CLASSES, *IDENTIFIER_CLASSES)
FAMILY = {
    **{c: "text" for c in m.DECK_TEXT_CLASSES},
    **{c: "placement" for c in PLACEMENT_CLASSES},
    **{c: "identifier" for c in IDENTIFIER_CLASSES},
}

# Background: legitimate parties and banks (BIC8s from public directories, none on any list).
DEBTORS = (
    ("Kadhim Jawad Hamoudi", "IQ", "TRIQ", ("Al-Karrada St 52", "Baghdad")),
    ("Nahrain Veterinary Supplies Co", "IQ", "NBIQ", ("Hay Al-Jamia", "Baghdad")),
    ("Shatt Cold Storage Co", "IQ", "BABI", ("Al-Ashar", "Basrah")),
)
DEBTOR_AGENTS = {
    "TRIQ": {"bic": "TRIQIQBA", "name": "Trade Bank of Iraq"},
    "NBIQ": {"bic": "NBIQIQBA", "name": "National Bank of Iraq"},
    "BABI": {"bic": "BABIIQBA", "name": "Bank of Baghdad"},
}
CREDITORS = (
    ("Al Ghurair Foods LLC", "AE", {"bic": "EBILAEAD", "name": "Emirates NBD Bank"}, "Dubai"),
    ("Arcelik A.S.", "TR", {"bic": "TGBATRIS", "name": "Turkiye Garanti Bankasi"}, "Istanbul"),
    ("Hikma Pharmaceuticals", "JO", {"bic": "ARABJOAX", "name": "Arab Bank PLC"}, "Amman"),
)
INTERMEDIARY = {"bic": "CHASUS33", "name": "JPMorgan Chase Bank"}
UNLISTED_BIC_PREFIXES = ("QZXA", "QZXB", "QZXC", "QZXD")
"""Bank codes no real bank uses (QZX...): the 'unlisted BIC' of a renamed agent."""
UNKNOWN_FIELDS = ("related_party", "narrative", "trading_name")


@dataclass(frozen=True)
class DeckCase:
    """One manipulated payment and what it must trigger."""

    case_id: str
    list_name: str
    entry_id: str
    entry_name: str
    kind: str
    manipulation: str
    family: str
    shown: str
    """The listed party as the payment shows it (name text, or the identifier)."""
    expected_rules: frozenset[str]
    primary_rule: str
    payment: Payment


def _iban(country: str, rng: random.Random, bank_code: str = "") -> str | None:
    if country == "IQ":
        code = bank_code or "NBIQ"
        account = f"{rng.randrange(10**11, 10**12):012d}"
        return str(
            IBAN.generate(
                "IQ", bank_code=code, branch_code=f"{rng.randrange(1000):03d}", account_code=account
            )
        )
    if country == "AE":
        return str(
            IBAN.generate("AE", bank_code="026", account_code=f"{rng.randrange(10**15, 10**16)}")
        )
    if country == "TR":
        return str(
            IBAN.generate("TR", bank_code="00062", account_code=f"{rng.randrange(10**15, 10**16)}")
        )
    if country == "JO":
        return str(
            IBAN.generate(
                "JO",
                bank_code="ARAB",
                branch_code="1180",
                account_code=f"{rng.randrange(10**17, 10**18)}",
            )
        )
    return None


def background(rng: random.Random, case_id: str) -> dict[str, Any]:
    """A clean USD payment: an Iraqi importer pays a regional supplier via a US correspondent."""
    debtor, d_country, d_bank, d_address = rng.choice(DEBTORS)
    creditor, c_country, c_agent, c_city = rng.choice(CREDITORS)
    return {
        "payment_id": case_id,
        "created_at": CREATED_AT,
        "value_date": VALUE_DATE,
        "amount": Decimal(rng.randrange(5_000_00, 250_000_00)) / 100,
        "currency": "USD",
        "debtor": {
            "name": debtor,
            "account": _iban(d_country, rng, d_bank),
            "country": d_country,
            "address": list(d_address),
        },
        "debtor_agent": {**DEBTOR_AGENTS[d_bank], "country": "IQ"},
        "creditor": {
            "name": creditor,
            "account": _iban(c_country, rng),
            "country": c_country,
            "address": [f"PO Box {rng.randrange(1000, 99999)}", c_city],
        },
        "creditor_agent": {**c_agent, "country": c_country},
        "intermediary_agents": [dict(INTERMEDIARY)],
        "purpose_code": "GDDS",
        "remittance_info": f"INV {rng.randrange(10000, 99999)} GOODS",
        "source": "testdeck",
    }


def _place_name(doc: dict[str, Any], target: Target, name: str) -> None:
    """Put a (manipulated) name where this kind of entry normally appears."""
    if target.is_bank:
        doc["creditor_agent"] = {"name": name}
    else:
        doc["creditor"] = {**doc["creditor"], "name": name, "country": None, "account": None}


def _text_case(rng: random.Random, doc: dict[str, Any], target: Target, cls: str) -> str | None:
    shown = m.DECK_TEXT_CLASSES[cls](rng, target.name)
    if shown is None or not shown.strip():
        return None
    _place_name(doc, target, shown)
    return shown


def _placement_case(
    rng: random.Random, doc: dict[str, Any], target: Target, cls: str
) -> str | None:
    name = target.name
    if cls == "remittance-on-behalf":
        doc["remittance_info"] = f"PAYMENT ON BEHALF OF {name} INV {rng.randrange(1000, 9999)}"
    elif cls == "address-care-of":
        doc["creditor"] = {
            **doc["creditor"],
            "address": [f"c/o {name}", *doc["creditor"]["address"]],
        }
    elif cls == "unknown-field":
        key = rng.choice(UNKNOWN_FIELDS)
        if key == "trading_name":
            doc["creditor"] = {**doc["creditor"], key: name}
        else:
            doc[key] = name
    elif cls == "swift-cut":
        cut = m.swift_cut(name)
        if cut is None:
            return None
        first, rest = cut
        # A bank cut at 35 characters appears as the beneficiary institution (MT202 field 58D
        # is a party block with address lines); anything else as the creditor (field 59).
        base: dict[str, Any] = doc["creditor"] if not target.is_bank else {"address": []}
        doc["creditor"] = {
            **base,
            "name": first,
            "country": None,
            "address": [rest, *base["address"]],
        }
        return f"{first} / {rest}"
    return name


def _identifier_case(
    rng: random.Random,
    doc: dict[str, Any],
    target: Target,
    cls: str,
    branches: Mapping[str, list[str]],
) -> str | None:
    bic8s = target.bic8s
    iq_codes = sorted(
        {b[:4] for b in bic8s if b[4:6] == "IQ"}
        | {b[:4] for b in branches.get("abroad", ()) if b[4:6] == "IQ"}
    )
    if cls == "bic-exact":
        if not bic8s:
            return None
        doc["creditor_agent"] = {"bic": bic8s[0]}
        return bic8s[0]
    if cls == "iban-bank-code":
        if not iq_codes:
            return None
        code = rng.choice(iq_codes)
        iban = _iban("IQ", rng, code)
        doc["creditor"] = {**doc["creditor"], "account": iban, "country": "IQ"}
        return str(iban)
    if cls == "clearing-id":
        if not bic8s:
            return None
        doc["creditor_agent"] = {"name": "NOTPROVIDED", "clearing_id": bic8s[0]}
        return bic8s[0]
    if cls == "bank-as-party":
        if not target.is_bank:
            return None
        doc["creditor"] = {"name": target.name, "address": [f"PO Box {rng.randrange(100, 9999)}"]}
        return target.name
    if cls == "bank-name-unlisted-bic":
        if not target.is_bank:
            return None
        bic = f"{rng.choice(UNLISTED_BIC_PREFIXES)}AEAD"
        doc["creditor_agent"] = {"bic": bic, "name": target.name}
        return f"{bic} {target.name}"
    if cls in ("branch-bic-abroad", "branch-bic-home"):
        found = branches.get("abroad" if cls == "branch-bic-abroad" else "home", [])
        if not found:
            return None
        bic = rng.choice(found)
        doc["creditor_agent"] = {"bic": bic}
        return bic
    raise ValueError(f"unknown identifier class {cls!r}")


def build_case(
    target: Target,
    cls: str,
    seed: int,
    expected: frozenset[str],
    branches: Mapping[str, list[str]],
) -> DeckCase | None:
    """One case, or None when the class does not apply to this target."""
    case_id = f"DECK-{target.entry.entry_id}-{cls}"
    rng = random.Random(f"{seed}:{case_id}")
    doc = background(rng, case_id)
    family = FAMILY[cls]
    if cls == "legal-form" and target.entry.kind == "individual":
        # A person has no legal form: "Ali HASSAN LLC" is a company, and telling the two apart
        # is entity-type compatibility, which the product is right to apply.
        return None
    if family == "text":
        shown = _text_case(rng, doc, target, cls)
    elif family == "placement":
        shown = _placement_case(rng, doc, target, cls)
    else:
        shown = _identifier_case(rng, doc, target, cls, branches)
    if shown is None:
        return None
    return DeckCase(
        case_id=case_id,
        list_name=target.list_name,
        entry_id=target.entry.entry_id,
        entry_name=target.name,
        kind=target.entry.kind,
        manipulation=cls,
        family=family,
        shown=shown,
        expected_rules=expected,
        primary_rule=_primary(target),
        payment=Payment.model_validate(doc),
    )


def _primary(target: Target) -> str:
    return LIST_RULES[target.list_name]


def build_deck(
    targets: Sequence[Target],
    linkage: Linkage,
    seed: int,
    classes: Iterable[str] = ALL_CLASSES,
    iq_directory: Sequence[BranchBic] | None = None,
    ir_directory: Sequence[BranchBic] | None = None,
) -> Iterator[DeckCase]:
    """Every class for every target, deterministic for a seed (inapplicable pairs skipped)."""
    iq = directory("IQ") if iq_directory is None else iq_directory
    ir = directory("IR") if ir_directory is None else ir_directory
    wanted = tuple(classes)
    for target in targets:
        expected = linkage.rules_for(target)
        branches = branch_bics(target, iq, ir) if target.bic8s else {}
        for cls in wanted:
            case = build_case(target, cls, seed, expected, branches)
            if case is not None:
                yield case


def background_payment(seed: int) -> Payment:
    """The bare background of a deck payment (must screen clean)."""
    return Payment.model_validate(background(random.Random(seed), "DECK-BACKGROUND"))
