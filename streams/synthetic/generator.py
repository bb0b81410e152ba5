"""Deterministic synthetic traffic: realistic clean payments, planted violations, bad records.

Everything derives from one random.Random(seed), so the same seed and arguments give the same
records and labels byte for byte. Labels (ground truth) are kept apart from the payments.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from schemas.listentry import ListEntry
from streams.list_files import load_cbi_usd_ban
from streams.synthetic import directory as d
from streams.synthetic.iban import make_iban
from streams.synthetic.malformed import MALFORMED_KINDS, make_malformed

JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class GeneratedRecord:
    """One record for payments.raw plus its ground-truth label."""

    key: bytes
    value: bytes
    content_type: str
    label: dict[str, Any]


@dataclass(frozen=True)
class TrafficSpec:
    """What to generate. Rates are shares of `count` (0..1)."""

    count: int
    seed: int = 7
    start: datetime | None = None
    spacing: timedelta = timedelta(milliseconds=500)
    violation_rate: float = 0.05
    malformed_rate: float = 0.0
    usd_share: float = 0.6
    formats: tuple[str, ...] = ("json",)
    max_bytes: int = 1_048_576
    id_prefix: str = "SYN"
    renderers: dict[str, Callable[[dict[str, Any]], tuple[bytes, str]]] = field(
        default_factory=dict
    )


Planter = Callable[[random.Random, dict[str, Any], list[ListEntry]], list[str]]


def _party(rng: random.Random, country: str, bank: d.Bank, company: bool) -> dict[str, Any]:
    if country == "IQ":
        name = (
            f"{rng.choice(d.COMPANY_STEMS)} {rng.choice(d.COMPANY_TRADES)}"
            if company
            else f"{rng.choice(d.IRAQI_FIRST)} {rng.choice(d.IRAQI_LAST)}"
        )
    else:
        name = rng.choice(d.FOREIGN_COMPANIES[country])
    account = make_iban(rng, country, bank.bic[:4]) or f"{rng.randrange(10**11, 10**12)}"
    city = rng.choice(d.CITIES[country])
    return {
        "name": name,
        "account": account,
        "country": country,
        "address": [f"{rng.randint(1, 400)} Street", city],
    }


def _agent(bank: d.Bank) -> dict[str, Any]:
    return {"bic": bank.bic, "name": bank.name, "country": bank.country}


def _amount(rng: random.Random, currency: str) -> str:
    if currency == "IQD":
        return f"{Decimal(rng.randrange(100_000, 500_000_000)):.2f}"
    cents = int(rng.lognormvariate(9.2, 1.1) * 100)
    return f"{Decimal(max(cents, 10_000)) / 100:.2f}"


def clean_payment(
    rng: random.Random, payment_id: str, created_at: datetime, usd_share: float
) -> dict[str, Any]:
    """A legitimate payment: an Iraqi customer pays a domestic or foreign counterparty."""
    usd = rng.random() < usd_share
    debtor_bank = rng.choice(d.IRAQI_BANKS)
    if usd:
        creditor_bank = rng.choice(d.FOREIGN_BANKS)
        creditor_country = creditor_bank.country
    else:
        creditor_bank = rng.choice(d.IRAQI_BANKS)
        creditor_country = "IQ"
    currency = "USD" if usd else "IQD"
    payment: dict[str, Any] = {
        "payment_id": payment_id,
        "uetr": _uetr(rng),
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "value_date": created_at.date().isoformat(),
        "amount": _amount(rng, currency),
        "currency": currency,
        "debtor": _party(rng, "IQ", debtor_bank, company=rng.random() < 0.7),
        "debtor_agent": _agent(debtor_bank),
        "creditor": _party(rng, creditor_country, creditor_bank, company=True),
        "creditor_agent": _agent(creditor_bank),
        "intermediary_agents": [_agent(rng.choice(d.US_CORRESPONDENTS))] if usd else [],
        "purpose_code": rng.choice(["GDDS", "SUPP", "SCVE", "TRAD"]),
        "remittance_info": f"INV {rng.randrange(10000, 99999)}",
        "source": "synthetic",
    }
    return payment


def _uetr(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randrange(4)]}{h[17:20]}-{h[20:32]}"


def _as_agent(rng: random.Random, entry: ListEntry) -> dict[str, Any]:
    """A barred bank as it appears in traffic: by BIC when it has one, else by a name variant."""
    if entry.bics and rng.random() < 0.6:
        return {"bic": entry.bics[0], "name": entry.primary_name, "country": "IQ"}
    name = rng.choice(entry.names)
    # A short acronym (KIIB) is a weak alias: alone it is a review, never a block, so a bank
    # planted to be blocked by name goes by its full name instead.
    if len(name) <= 4 and " " not in name:
        name = entry.primary_name
    return {"name": name, "country": "IQ"}


def plant_cbi_usd_ban(
    rng: random.Random, payment: dict[str, Any], banned: list[ListEntry]
) -> list[str]:
    """Route a USD payment through a bank barred on its value date, at a random chain position."""
    value_date = datetime.fromisoformat(payment["value_date"]).date()
    # Al-Huda is also under a FinCEN 311 special measure: it is planted by its own planter, so
    # that each planter's expected rules are exact.
    in_force = [
        e
        for e in banned
        if e.in_force_on(value_date) and e.kind == "bank" and "FinCEN" not in (e.remarks or "")
    ]
    entry = rng.choice(in_force)
    payment["currency"] = "USD"
    payment["amount"] = _amount(rng, "USD")
    position = rng.choice(["debtor_agent", "creditor_agent", "intermediary"])
    agent = _as_agent(rng, entry)
    if position == "intermediary":
        payment["intermediary_agents"] = [*payment["intermediary_agents"], agent]
    else:
        payment[position] = agent
    return ["CBI-USD-BAN"]


def decoy_cbi_other_currency(
    rng: random.Random, payment: dict[str, Any], banned: list[ListEntry]
) -> list[str]:
    """A barred bank's dinar business: legal, and must pass (the ban is USD-only)."""
    entry = rng.choice([e for e in banned if e.kind == "bank"])
    payment["currency"] = "IQD"
    payment["amount"] = _amount(rng, "IQD")
    payment["intermediary_agents"] = []
    payment["debtor_agent"] = _as_agent(rng, entry)
    return []


PLANTERS: dict[str, Planter] = {"CBI-USD-BAN": plant_cbi_usd_ban}
DECOYS: tuple[Planter, ...] = (decoy_cbi_other_currency,)


REVIEW_RULES = frozenset({"USD-STRUCTURING", "USD-FANOUT"})
"""Rules whose default action is review; every other planted rule blocks."""


def plant_structuring(rng: random.Random, payments: list[dict[str, Any]]) -> list[list[str]]:
    """One debtor, three USD payments just under the 10,000 reporting threshold within hours."""
    for payment in payments:
        payment["currency"] = "USD"
        payment["amount"] = f"{Decimal(rng.randrange(900_000, 999_900)) / 100:.2f}"
    return [[], [], ["USD-STRUCTURING"]]


def plant_fanout(rng: random.Random, payments: list[dict[str, Any]]) -> list[list[str]]:
    """One debtor pays five distinct beneficiaries in transit jurisdictions within hours."""
    countries = ["AE", "TR", "JO", "AE", "TR"]
    for payment, country in zip(payments, countries, strict=True):
        bank = rng.choice([b for b in d.FOREIGN_BANKS if b.country == country])
        payment["currency"] = "USD"
        payment["amount"] = f"{Decimal(rng.randrange(150_000, 850_000)) / 100:.2f}"
        payment["creditor"] = _party(rng, country, bank, company=True)
        payment["creditor_agent"] = _agent(bank)
    return [[], [], [], [], ["USD-FANOUT"]]


PatternPlanter = Callable[[random.Random, list[dict[str, Any]]], list[list[str]]]
PATTERNS: dict[str, tuple[int, PatternPlanter]] = {
    "USD-STRUCTURING": (3, plant_structuring),
    "USD-FANOUT": (5, plant_fanout),
}


def generate(spec: TrafficSpec) -> Iterator[GeneratedRecord]:
    """Yield `spec.count` records: clean, planted violations, decoys, windowed patterns (several
    payments of one debtor) and malformed records. Records are keyed by debtor account, as a
    gateway that preserves per-account order would key them."""
    if spec.start is None:
        raise ValueError("TrafficSpec.start is required")
    rng = random.Random(spec.seed)
    banned = list(load_cbi_usd_ban().entries)
    planters = sorted(PLANTERS.items())
    patterns = sorted(PATTERNS.items())
    i = 0
    while i < spec.count:
        roll = rng.random()
        if roll < spec.malformed_rate:
            yield _malformed(rng, spec, i)
            i += 1
            continue
        payment = clean_payment(
            rng, _payment_id(spec, i), spec.start + spec.spacing * i, spec.usd_share
        )
        if roll < spec.malformed_rate + spec.violation_rate:
            choice = rng.randrange(len(planters) + len(patterns))
            if choice >= len(planters):
                _, (size, planter) = patterns[choice - len(planters)]
                if i + size <= spec.count:
                    yield from _pattern(rng, spec, i, payment, size, planter)
                    i += size
                    continue
            else:
                expected = planters[choice][1](rng, payment, banned)
                yield _record(rng, spec, payment, expected)
                i += 1
                continue
        elif roll < spec.malformed_rate + spec.violation_rate * 1.5:
            rng.choice(DECOYS)(rng, payment, banned)
        yield _record(rng, spec, payment, [])
        i += 1


def _payment_id(spec: TrafficSpec, i: int) -> str:
    return f"{spec.id_prefix}-{spec.seed}-{i:08d}"


def _pattern(
    rng: random.Random,
    spec: TrafficSpec,
    i: int,
    first: dict[str, Any],
    size: int,
    planter: PatternPlanter,
) -> Iterator[GeneratedRecord]:
    """`size` payments of the debtor of `first`, minutes apart in event time, the last at the
    pattern's place in the feed: a live feed (created_at = now) never carries future times."""
    assert spec.start is not None
    base = spec.start + spec.spacing * i
    payments = [first]
    for k in range(1, size):
        payment = clean_payment(rng, _payment_id(spec, i + k), base, 1.0)
        payment["debtor"] = first["debtor"]
        payment["debtor_agent"] = first["debtor_agent"]
        payments.append(payment)
    gaps = [timedelta(minutes=rng.randrange(2, 40)) for _ in payments[1:]]
    at = base - sum(gaps, timedelta())
    for payment, gap in zip(payments, [*gaps, timedelta()], strict=True):
        payment["created_at"] = at.isoformat().replace("+00:00", "Z")
        payment["value_date"] = at.date().isoformat()
        at += gap
    for payment, expected in zip(payments, planter(rng, payments), strict=True):
        yield _record(rng, spec, payment, expected)


def _record(
    rng: random.Random, spec: TrafficSpec, payment: dict[str, Any], expected: list[str]
) -> GeneratedRecord:
    fmt = rng.choice(spec.formats)
    value, content_type = _render(spec, fmt, payment)
    rules = sorted(set(expected))
    decision = "pass" if not rules else ("review" if set(rules) <= REVIEW_RULES else "block")
    label = {
        "payment_id": payment["payment_id"],
        "expected_rules": rules,
        "expected_decision": decision,
        "format": fmt,
    }
    return GeneratedRecord(payment["debtor"]["account"].encode(), value, content_type, label)


def _malformed(rng: random.Random, spec: TrafficSpec, i: int) -> GeneratedRecord:
    assert spec.start is not None
    payment_id = _payment_id(spec, i)
    payment = clean_payment(rng, payment_id, spec.start + spec.spacing * i, 1.0)
    fmt = "json" if spec.formats == ("json",) else rng.choice(spec.formats)
    if fmt == "json":
        kind = rng.choice(MALFORMED_KINDS)
        raw, content_type = make_malformed(rng, kind, payment, spec.max_bytes), JSON_CONTENT_TYPE
    else:
        # A bank message cut off in transit: never well-formed XML, never a closed MT block 4.
        kind = f"truncated-{fmt}"
        message, content_type = _render(spec, fmt, payment)
        raw = message[: rng.randrange(10, max(11, len(message) * 6 // 10))]
    label: dict[str, Any] = {
        "payment_id": payment_id,
        "malformed": kind,
        "expected_rules": [],
        "expected_decision": None,
    }
    return GeneratedRecord(payment_id.encode(), raw, content_type, label)


def _render(spec: TrafficSpec, fmt: str, payment: dict[str, Any]) -> tuple[bytes, str]:
    if fmt == "json":
        return orjson.dumps(payment), JSON_CONTENT_TYPE
    renderer = spec.renderers.get(fmt)
    if renderer is None:
        raise ValueError(f"no renderer for format {fmt!r}")
    return renderer(payment)
