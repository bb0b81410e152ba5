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

from rules.lists.cbi import load_cbi_usd_ban
from schemas.listentry import ListEntry
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
    return {"name": rng.choice(entry.names), "country": "IQ"}


def plant_cbi_usd_ban(
    rng: random.Random, payment: dict[str, Any], banned: list[ListEntry]
) -> list[str]:
    """Route a USD payment through a bank barred on its value date, at a random chain position."""
    value_date = datetime.fromisoformat(payment["value_date"]).date()
    in_force = [e for e in banned if e.in_force_on(value_date) and e.kind == "bank"]
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


def generate(spec: TrafficSpec) -> Iterator[GeneratedRecord]:
    """Yield `spec.count` records: clean, planted violations, decoys and malformed ones."""
    rng = random.Random(spec.seed)
    start = spec.start
    if start is None:
        raise ValueError("TrafficSpec.start is required")
    banned = list(load_cbi_usd_ban().entries)
    planters = sorted(PLANTERS.items())
    for i in range(spec.count):
        payment_id = f"{spec.id_prefix}-{spec.seed}-{i:08d}"
        created_at = start + spec.spacing * i
        roll = rng.random()
        if roll < spec.malformed_rate:
            kind = rng.choice(MALFORMED_KINDS)
            raw = make_malformed(
                rng, kind, clean_payment(rng, payment_id, created_at, 1.0), spec.max_bytes
            )
            label = {
                "payment_id": payment_id,
                "malformed": kind,
                "expected_rules": [],
                "expected_decision": None,
            }
            yield GeneratedRecord(payment_id.encode(), raw, JSON_CONTENT_TYPE, label)
            continue
        payment = clean_payment(rng, payment_id, created_at, spec.usd_share)
        expected: list[str] = []
        if roll < spec.malformed_rate + spec.violation_rate:
            _, planter = rng.choice(planters)
            expected = planter(rng, payment, banned)
        elif roll < spec.malformed_rate + spec.violation_rate * 1.5:
            rng.choice(DECOYS)(rng, payment, banned)
        fmt = rng.choice(spec.formats)
        value, content_type = _render(spec, fmt, payment)
        label = {
            "payment_id": payment_id,
            "expected_rules": sorted(set(expected)),
            "expected_decision": "block" if expected else "pass",
            "format": fmt,
        }
        yield GeneratedRecord(payment_id.encode(), value, content_type, label)


def _render(spec: TrafficSpec, fmt: str, payment: dict[str, Any]) -> tuple[bytes, str]:
    if fmt == "json":
        return orjson.dumps(payment), JSON_CONTENT_TYPE
    renderer = spec.renderers.get(fmt)
    if renderer is None:
        raise ValueError(f"no renderer for format {fmt!r}")
    return renderer(payment)
