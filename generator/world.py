"""The customers behind synthetic traffic, and the clean payments they make.

A run draws one `World` from its seed: Iraqi importers with their regular suppliers abroad,
households sending and receiving remittances, ministries paying salaries and the pension
authority paying pensions, buyers of Iraqi crude. Customers are drawn with heavy-tailed weights
(a few large importers pay often, most customers rarely), each keeps its bank and account, and
an importer goes back to its regular suppliers, so counterparties repeat as they do in a real
bank's book.

Flows and their shares of clean traffic (`FLOWS`):
- import: an importer pays a supplier in the UAE, Turkey, China, Jordan (some Europe), USD,
  through a US correspondent; log-normal amount around 28,000 USD;
- remittance-out / remittance-in: a household sends to family in the region, or receives from
  the diaspora (Sweden, Germany, the UK, the US, Australia), USD, a few hundred dollars;
- payroll and pension: a ministry or the pension authority pays a person, in dinars (IQD);
- domestic: an Iraqi company pays another, in dinars;
- oil-receipt: a buyer of Iraqi crude pays the Development Fund for Iraq at the Federal Reserve
  Bank of New York, USD, tens of millions.
Amounts are Decimal, log-normal per flow. `usd_share` picks the currency class first, then a
flow within it, so `usd_share=1.0` gives only dollar flows.

`WindowGuard` keeps clean traffic clean of the windowed rules: a clean payment that would
complete a structuring or fan-out pattern for its debtor (USD-STRUCTURING, USD-FANOUT as the
default pack defines them) is given to a one-off customer instead, so that only planted patterns
raise them.
"""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from generator import directory as d
from generator import names
from generator.iban import make_iban

USD_FLOWS: dict[str, float] = {
    "import": 0.60,
    "remittance-out": 0.20,
    "remittance-in": 0.17,
    "oil-receipt": 0.03,
}
IQD_FLOWS: dict[str, float] = {"payroll": 0.50, "pension": 0.25, "domestic": 0.25}
FLOWS = (*USD_FLOWS, *IQD_FLOWS)

SUPPLIER_COUNTRIES: dict[str, float] = {"AE": 0.38, "TR": 0.25, "CN": 0.22, "JO": 0.09,
                                        "DE": 0.04, "IT": 0.02}  # fmt: skip
FAMILY_ABROAD: dict[str, float] = {"TR": 0.35, "JO": 0.25, "AE": 0.2, "LB": 0.1, "DE": 0.1}
DIASPORA: dict[str, float] = {"SE": 0.25, "DE": 0.25, "GB": 0.2, "US": 0.2, "AU": 0.1}


@dataclass(frozen=True)
class Amounts:
    """A log-normal amount: median, spread (sigma of the log), bounds, rounding step."""

    median: float
    sigma: float
    low: Decimal
    high: Decimal
    step: Decimal = Decimal("0.01")

    def draw(self, rng: random.Random) -> Decimal:
        value = Decimal(str(round(rng.lognormvariate(math.log(self.median), self.sigma), 2)))
        value = min(max(value, self.low), self.high)
        return (value / self.step).to_integral_value() * self.step


AMOUNTS: dict[str, Amounts] = {
    "import": Amounts(28_000, 1.1, Decimal(500), Decimal(5_000_000)),
    "remittance-out": Amounts(700, 0.8, Decimal(50), Decimal(20_000)),
    "remittance-in": Amounts(450, 0.7, Decimal(50), Decimal(10_000)),
    "oil-receipt": Amounts(45_000_000, 0.5, Decimal(5_000_000), Decimal(400_000_000)),
    "payroll": Amounts(950_000, 0.45, Decimal(250_000), Decimal(12_000_000), Decimal(1000)),
    "pension": Amounts(650_000, 0.4, Decimal(200_000), Decimal(6_000_000), Decimal(1000)),
    "domestic": Amounts(25_000_000, 1.3, Decimal(100_000), Decimal(5_000_000_000), Decimal(1000)),
}
PURPOSES: dict[str, tuple[str, ...]] = {
    "import": ("GDDS", "TRAD", "SUPP"),
    "remittance-out": ("FAMI", "EDUC", "MDCS"),
    "remittance-in": ("FAMI",),
    "oil-receipt": ("TRAD",),
    "payroll": ("SALA",),
    "pension": ("PENS",),
    "domestic": ("SUPP", "SCVE", "GDDS"),
}


@dataclass(frozen=True)
class Customer:
    """A party with its bank: who it is, where, and the account it pays from or into."""

    name: str
    country: str
    bank: d.Bank
    account: str
    city: str
    street: str

    def party(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "account": self.account,
            "country": self.country,
            "address": [self.street, self.city],
        }

    def agent(self) -> dict[str, Any]:
        return agent(self.bank)


def agent(bank: d.Bank) -> dict[str, Any]:
    return {"bic": bank.bic, "name": bank.name, "country": bank.country}


def _weighted(rng: random.Random, shares: dict[str, float]) -> str:
    keys = list(shares)
    return rng.choices(keys, weights=[shares[k] for k in keys])[0]


def _street(rng: random.Random) -> str:
    return f"{rng.randint(1, 120)} {rng.choice(names.STREETS)} {rng.randint(1, 90)}"


def _bank_for(rng: random.Random, country: str) -> d.Bank:
    if country == "IQ":
        bic = _weighted(rng, d.BANK_SHARES)
        return next(b for b in d.IRAQI_BANKS if b.bic == bic)
    pool = [b for b in (*d.FOREIGN_BANKS, *d.DIASPORA_BANKS) if b.country == country]
    if country == "LB":
        return d.Bank("BLOMLBBX", "BLOM Bank", "LB")
    return rng.choice(pool)


def make_customer(
    rng: random.Random, name: str, country: str, bank: d.Bank | None = None
) -> Customer:
    bank = bank or _bank_for(rng, country)
    code = bank.bic[:4] if country == bank.country else ""
    account = make_iban(rng, country, code) or f"{rng.randrange(10**11, 10**12)}"
    city = rng.choice(d.CITIES.get(country, ("Capital",)))
    return Customer(name, country, bank, account, city, _street(rng))


IMPORTER_SKEW = 0.7
"""Zipf exponent of importers: the biggest of 1,500 makes ~4% of the import payments (about a
dozen a banking day in a 50,000-payment file), most make a few."""
HOUSEHOLD_SKEW = 0.3
"""Households send and receive remittances about monthly: a flat draw (the most active of
3,000 has ~0.2% of the remittances), so no family pays every day."""


class Pool:
    """Customers drawn with Zipf-like weights: the first few are the bank's big clients."""

    def __init__(self, members: list[Customer], exponent: float) -> None:
        self.members = members
        weights = [1 / (i + 1) ** exponent for i in range(len(members))]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> int:
        return bisect(self.cumulative, rng.random() * self.cumulative[-1])


@dataclass
class World:
    """Every recurring customer of one run, drawn from its seed."""

    importers: Pool
    suppliers: dict[str, list[Customer]]
    regular_suppliers: list[list[tuple[str, int]]]
    households: Pool
    relatives: list[Customer]
    diaspora: list[Customer]
    payers: list[Customer]
    pensions: list[Customer]
    oil_buyers: list[Customer]
    avoid: Callable[[str], bool] = field(default=lambda name: False)
    """Names no clean party may carry: those a loaded list holds (a namesake is not clean)."""

    @classmethod
    def build(
        cls, seed: int | str, size: int = 1500, avoid: Callable[[str], bool] | None = None
    ) -> World:
        rng = random.Random(f"world-{seed}")
        avoid = avoid or (lambda name: False)

        def named(maker: Callable[[random.Random], str]) -> str:
            return unlisted(rng, maker, avoid)

        importers = [make_customer(rng, named(names.iraqi_company), "IQ") for _ in range(size)]
        suppliers = {
            country: [
                make_customer(rng, named(partial(names.foreign_company, country=country)), country)
                for _ in range(max(40, int(size * share)))
            ]
            for country, share in SUPPLIER_COUNTRIES.items()
        }
        regular = [
            [
                (country, rng.randrange(len(suppliers[country])))
                for country in (
                    _weighted(rng, SUPPLIER_COUNTRIES) for _ in range(rng.randint(1, 4))
                )
            ]
            for _ in importers
        ]
        households = [make_customer(rng, named(names.iraqi_person), "IQ") for _ in range(size * 2)]
        relatives = [
            make_customer(rng, named(names.iraqi_person), _weighted(rng, FAMILY_ABROAD))
            for _ in households
        ]
        diaspora = [
            make_customer(rng, named(names.iraqi_person), _weighted(rng, DIASPORA))
            for _ in households
        ]
        payers = [
            make_customer(rng, payer, "IQ", rng.choice(d.STATE_BANKS))
            for payer in names.GOVERNMENT_PAYERS
        ]
        pensions = [
            make_customer(rng, payer, "IQ", rng.choice(d.STATE_BANKS))
            for payer in names.PENSION_PAYERS
        ]
        oil_buyers = []
        for _ in range(12):
            bank = rng.choice(d.OIL_BUYER_BANKS)
            oil_buyers.append(make_customer(rng, named(names.oil_buyer), bank.country, bank))
        return cls(
            Pool(importers, IMPORTER_SKEW),
            suppliers,
            regular,
            Pool(households, HOUSEHOLD_SKEW),
            relatives,
            diaspora,
            payers,
            pensions,
            oil_buyers,
            avoid,
        )


def unlisted(
    rng: random.Random, maker: Callable[[random.Random], str], avoid: Callable[[str], bool]
) -> str:
    """A name from `maker` that `avoid` does not refuse (a few tries; composed names rarely are)."""
    name = maker(rng)
    for _ in range(20):
        if not avoid(name):
            break
        name = maker(rng)
    return name


_DEFAULT_WORLD: dict[int, World] = {}


def default_world() -> World:
    """The world callers get without one of their own (tests, benches): built once."""
    if 0 not in _DEFAULT_WORLD:
        _DEFAULT_WORLD[0] = World.build(0)
    return _DEFAULT_WORLD[0]


def choose_flow(rng: random.Random, usd_share: float) -> str:
    flows = USD_FLOWS if rng.random() < usd_share else IQD_FLOWS
    return _weighted(rng, flows)


def _uetr(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randrange(4)]}{h[17:20]}-{h[20:32]}"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def flow_payment(
    rng: random.Random, world: World, flow: str, payment_id: str, created_at: datetime
) -> dict[str, Any]:
    """One clean payment of `flow`: parties from the world, amount from the flow's law."""
    debtor, creditor, remittance = _parties(rng, world, flow, created_at)
    currency = "USD" if flow in USD_FLOWS else "IQD"
    usd_abroad = currency == "USD" and (debtor.country != "US" and creditor.country != "US")
    return {
        "payment_id": payment_id,
        "uetr": _uetr(rng),
        "created_at": iso(created_at),
        "value_date": created_at.date().isoformat(),
        "amount": f"{AMOUNTS[flow].draw(rng):.2f}",
        "currency": currency,
        "debtor": debtor.party(),
        "debtor_agent": debtor.agent(),
        "creditor": creditor.party(),
        "creditor_agent": creditor.agent(),
        "intermediary_agents": [agent(rng.choice(d.US_CORRESPONDENTS))] if usd_abroad else [],
        "purpose_code": rng.choice(PURPOSES[flow]),
        "remittance_info": remittance,
        "source": "synthetic",
    }


def _parties(
    rng: random.Random, world: World, flow: str, created_at: datetime
) -> tuple[Customer, Customer, str]:
    month = created_at.strftime("%Y-%m")
    if flow == "import":
        i = world.importers.draw(rng)
        regular = world.regular_suppliers[i]
        if rng.random() < 0.85:
            country, j = rng.choice(regular)
        else:
            country = _weighted(rng, SUPPLIER_COUNTRIES)
            j = rng.randrange(len(world.suppliers[country]))
        goods = rng.choice(names.GOODS[country])
        return (
            world.importers.members[i],
            world.suppliers[country][j],
            f"INV {rng.randrange(1000, 99999)} {goods}",
        )
    if flow == "remittance-out":
        i = world.households.draw(rng)
        reason = rng.choice(("family support", "university fees", "medical treatment", "rent"))
        return world.households.members[i], world.relatives[i], reason
    if flow == "remittance-in":
        i = world.households.draw(rng)
        return world.diaspora[i], world.households.members[i], "family support"
    if flow == "oil-receipt":
        buyer = rng.choice(world.oil_buyers)
        seller = Customer(
            names.OIL_SELLER, "US", d.DFI_AGENT, "021083", "New York", "33 Liberty St"
        )
        grade = rng.choice(("Basrah Medium", "Basrah Heavy", "Kirkuk"))
        return (
            buyer,
            seller,
            f"Crude oil {grade} cargo SOMO/{created_at.year}/{rng.randrange(100, 999)}",
        )
    if flow in ("payroll", "pension"):
        payer = rng.choice(world.payers if flow == "payroll" else world.pensions)
        person = make_customer(rng, unlisted(rng, names.iraqi_person, world.avoid), "IQ")
        what = "Salary" if flow == "payroll" else "Pension"
        return payer, person, f"{what} {month}"
    i = world.importers.draw(rng)
    j = world.importers.draw(rng)
    if i == j:
        j = (j + 1) % len(world.importers.members)
    return (
        world.importers.members[i],
        world.importers.members[j],
        f"Invoice {rng.randrange(100, 9999)}",
    )


# --- keeping clean traffic clean of the windowed rules ---------------------------------------

TRANSIT = frozenset({"AE", "TR", "LB", "SY", "OM", "JO"})
WINDOW = timedelta(hours=24)
MARGIN = timedelta(minutes=5)
"""Clean payments keep this far from a window's edge: MT103 carries created_at to the minute,
so a payment exactly 24 h after another could fall inside the window once parsed."""
THRESHOLD = Decimal(10_000)
BAND = (THRESHOLD * Decimal("0.9"), THRESHOLD)
FANOUT_BENEFICIARIES = 5
FANOUT_SUM = Decimal(250_000)


@dataclass(frozen=True)
class _Seen:
    at: datetime
    beneficiary: str
    country: str | None
    amount: Decimal


class WindowGuard:
    """Per debtor, the USD payments of the last 24 h, to tell whether one more would complete
    USD-STRUCTURING (3 in 9,000-10,000 USD) or USD-FANOUT (5 transit beneficiaries, or more than
    250,000 USD to 2+ of them): the default pack's definitions, restated here on purpose so that
    the rule and the generator are two independent readings of the same text."""

    def __init__(self) -> None:
        self.by_debtor: dict[str, deque[_Seen]] = {}

    @staticmethod
    def _seen(payment: dict[str, Any]) -> _Seen | None:
        if payment["currency"] != "USD":
            return None
        creditor = payment.get("ultimate_creditor") or payment["creditor"]
        key = (creditor.get("account") or creditor["name"]).casefold()
        at = datetime.fromisoformat(payment["created_at"].replace("Z", "+00:00"))
        return _Seen(at, key, creditor.get("country"), Decimal(payment["amount"]))

    @staticmethod
    def _debtor(payment: dict[str, Any]) -> str:
        debtor = payment["debtor"]
        return str(debtor.get("account") or f"name:{debtor['name'].casefold()}")

    def _recent(self, payment: dict[str, Any], seen: _Seen) -> list[_Seen]:
        history = self.by_debtor.get(self._debtor(payment), deque())
        return [s for s in history if seen.at - s.at < WINDOW + MARGIN]

    def would_fire(self, payment: dict[str, Any]) -> bool:
        """Whether adding `payment` completes a structuring or fan-out pattern for its debtor."""
        seen = self._seen(payment)
        if seen is None:
            return False
        window = [*self._recent(payment, seen), seen]
        in_band = [s for s in window if BAND[0] <= s.amount <= BAND[1]]
        if len(in_band) >= 3 and BAND[0] <= seen.amount <= BAND[1]:
            return True
        transit = [s for s in window if s.country in TRANSIT]
        if seen.country not in TRANSIT:
            return False
        beneficiaries = {s.beneficiary for s in transit}
        total = sum((s.amount for s in transit), Decimal(0))
        return len(beneficiaries) >= FANOUT_BENEFICIARIES or (
            total > FANOUT_SUM and len(beneficiaries) >= 2
        )

    def add(self, payment: dict[str, Any]) -> None:
        seen = self._seen(payment)
        if seen is None:
            return
        history = self.by_debtor.setdefault(self._debtor(payment), deque())
        history.append(seen)
        while history and seen.at - history[0].at >= WINDOW + MARGIN:
            history.popleft()
