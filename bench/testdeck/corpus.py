"""An independent clean corpus: real Iraqi names and companies paying real regional suppliers.

Nothing here comes from the synthetic generator's pools (generator/directory.py):
- persons: Iraqi first and last names by frequency in Iraq, from the names-dataset package
  (bench/data/iraqi_names.csv, extracted once; see bench/data/README.md), composed the way Iraqi
  payments write them (given name, father's name, family name), in Latin and Arabic script;
- companies: companies listed on the Iraq Stock Exchange (bench/data/isx_companies.csv) and
  private-company names composed from Iraqi family names and town names with common activity
  clauses ("... Company for General Trading", "شركة ... للتجارة العامة");
- counterparties: listed regional suppliers (UAE, Turkey, China, Jordan) and legitimate banks
  (bench/data/regional_counterparties.csv); `unlisted` drops any bank or supplier the loaded
  lists know, so that the corpus is clean by construction and by check.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from schwifty import IBAN

from bench.testdeck.deck import CREATED_AT, VALUE_DATE
from schemas.payment import Payment

DATA = Path(__file__).resolve().parents[1] / "data"
TOWNS = (
    "Kirkuk", "Samawah", "Kut", "Amarah", "Nasiriyah", "Ramadi", "Fallujah", "Hillah",
    "Diwaniyah", "Baqubah", "Tikrit", "Zakho", "Halabja", "Ranya", "Koya", "Sinjar", "Tuz",
    "Hit", "Haditha", "Qurna", "Zubair", "Shatra", "Suq Al-Shuyukh", "Kufa", "Samarra",
)  # fmt: skip
ACTIVITIES = (
    "General Trading", "General Contracting", "Import and Export", "Construction Materials",
    "Medical Supplies", "Foodstuff Trading", "Auto Spare Parts", "Agricultural Supplies",
    "Electrical Appliances", "Oilfield Services", "Pharmaceutical Trading", "Textiles",
    "Mobile Phones Trading", "Furniture Trading", "Poultry Feed", "Cement Trading",
    "Tyres Trading", "Cosmetics Trading", "Printing and Packaging", "Water Pumps",
)  # fmt: skip
FORMS = ("Ltd", "LLC", "Co.", "Company", "Private Company", "")
ARABIC_ACTIVITIES = (
    "للتجارة العامة", "للمقاولات العامة", "للاستيراد والتصدير", "لتجارة المواد الانشائية",
    "للتجهيزات الطبية", "لتجارة المواد الغذائية", "لتجارة الادوات الاحتياطية", "للصناعات الغذائية",
)  # fmt: skip
REMITTANCE = (
    "INV {n} SPARE PARTS", "PROFORMA {n} GOODS", "CONTRACT {n} EQUIPMENT", "INVOICE NO {n}",
    "PO {n} FOODSTUFF", "LC {n} BUILDING MATERIALS", "ORDER {n} MEDICAL SUPPLIES",
)  # fmt: skip
IRAQI_CITIES = ("Baghdad", "Basrah", "Erbil", "Mosul", "Najaf", "Kirkuk", "Sulaymaniyah", "Hillah")


@dataclass(frozen=True)
class Name:
    text: str
    kind: str
    """person or company"""
    origin: str
    """names-dataset, isx or composed"""


@dataclass(frozen=True)
class Counterparty:
    role: str
    country: str
    name: str
    bic: str
    city: str


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def counterparties() -> list[Counterparty]:
    return [
        Counterparty(r["role"], r["country"], r["name"], r["bic"], r["city"])
        for r in _rows("regional_counterparties.csv")
    ]


def corpus_names(count: int, seed: int) -> list[Name]:
    """At least `count` distinct names: ~58% Latin persons, ~19% Arabic-script persons, the rest
    companies (every ISX company, then composed ones). Deterministic for a seed."""
    rng = random.Random(seed)
    names = _rows("iraqi_names.csv")

    def pick(part: str, script: str, male: bool = False) -> list[str]:
        return [
            r["name"]
            for r in names
            if r["part"] == part and r["script"] == script and (not male or r["gender"] == "M")
        ]

    first_l, father_l, last_l = (
        pick("first", "latin"),
        pick("first", "latin", True),
        pick("last", "latin"),
    )
    first_a, father_a, last_a = (
        pick("first", "arabic"),
        pick("first", "arabic", True),
        pick("last", "arabic"),
    )

    # Frequent names are drawn more often, as in real traffic (rank-weighted).
    def draw(pool: Sequence[str]) -> str:
        return (
            pool[min(int(rng.paretovariate(0.6)) - 1, len(pool) - 1)]
            if rng.random() < 0.5
            else rng.choice(pool)
        )

    out: dict[str, Name] = {}
    for row in _rows("isx_companies.csv"):
        out.setdefault(row["name"], Name(row["name"], "company", "isx"))

    def add(make: Callable[[], str], kind: str, origin: str, target: int) -> None:
        tries = 0
        start = len(out)
        while len(out) - start < target and tries < target * 50:
            tries += 1
            words = make().split()
            if any(a == b for a, b in pairwise(words)):
                continue  # "Ali Ali ...": a given name is not its own father's name
            text = " ".join(words)
            out.setdefault(text, Name(text, kind, origin))

    add(
        lambda: f"{draw(first_l)} {draw(father_l)} {draw(last_l)}",
        "person",
        "names-dataset",
        round(count * 0.58),
    )
    add(
        lambda: f"{draw(first_a)} {draw(father_a)} {draw(last_a)}",
        "person",
        "names-dataset",
        round(count * 0.19),
    )

    def company() -> str:
        stem = rng.choice((draw(last_l), rng.choice(TOWNS)))
        if rng.random() < 0.5:
            return f"{stem} Company for {rng.choice(ACTIVITIES)} {rng.choice(('Ltd', 'LLC', ''))}"
        return f"{stem} for {rng.choice(ACTIVITIES)} {rng.choice(FORMS)}"

    add(company, "company", "composed", round(count * 0.15))
    add(
        lambda: f"شركة {draw(last_a)} {rng.choice(ARABIC_ACTIVITIES)}",
        "company",
        "composed",
        round(count * 0.06),
    )
    add(
        lambda: f"{draw(first_l)} {draw(last_l)}",
        "person",
        "names-dataset",
        max(0, count - len(out)),
    )
    return list(out.values())


def _iban(rng: random.Random, country: str, bic: str) -> str | None:
    if country == "IQ":
        return str(
            IBAN.generate(
                "IQ",
                bank_code=bic[:4],
                branch_code=f"{rng.randrange(1000):03d}",
                account_code=f"{rng.randrange(10**12):012d}",
            )
        )
    if country == "AE":
        return str(
            IBAN.generate("AE", bank_code="033", account_code=f"{rng.randrange(10**16):016d}")
        )
    if country == "TR":
        return str(
            IBAN.generate("TR", bank_code="00062", account_code=f"{rng.randrange(10**16):016d}")
        )
    if country == "JO":
        return str(
            IBAN.generate(
                "JO",
                bank_code=bic[:4],
                branch_code="0010",
                account_code=f"{rng.randrange(10**18):018d}",
            )
        )
    return None


def corpus_payments(
    names: Sequence[Name], parties: Sequence[Counterparty], seed: int
) -> Iterator[tuple[Payment, Name]]:
    """One USD payment per corpus name: the name pays a regional supplier through its bank."""
    rng = random.Random(seed)
    iraqi_banks = [p for p in parties if p.role == "bank" and p.country == "IQ"]
    suppliers = [p for p in parties if p.role == "supplier"]
    correspondents = [p for p in parties if p.role == "correspondent"]
    banks_by_country: dict[str, list[Counterparty]] = {}
    for p in parties:
        if p.role == "bank" and p.country != "IQ":
            banks_by_country.setdefault(p.country, []).append(p)
    for i, name in enumerate(names):
        debtor_bank = rng.choice(iraqi_banks)
        supplier = rng.choice(suppliers)
        creditor_bank = rng.choice(banks_by_country[supplier.country])
        doc: dict[str, Any] = {
            "payment_id": f"CLEAN-{seed}-{i:06d}",
            "created_at": CREATED_AT,
            "value_date": VALUE_DATE,
            "amount": Decimal(rng.randrange(1_000_00, 400_000_00)) / 100,
            "currency": "USD",
            "debtor": {
                "name": name.text,
                "account": _iban(rng, "IQ", debtor_bank.bic),
                "country": "IQ",
                "address": [f"District {rng.randrange(100, 999)}", rng.choice(IRAQI_CITIES)],
            },
            "debtor_agent": {"bic": debtor_bank.bic, "name": debtor_bank.name, "country": "IQ"},
            "creditor": {
                "name": supplier.name,
                "account": _iban(rng, supplier.country, creditor_bank.bic),
                "country": supplier.country,
                "address": [supplier.city],
            },
            "creditor_agent": {
                "bic": creditor_bank.bic,
                "name": creditor_bank.name,
                "country": creditor_bank.country,
            },
            "intermediary_agents": [{"bic": rng.choice(correspondents).bic}],
            "purpose_code": rng.choice(("GDDS", "SUPP", "TRAD")),
            "remittance_info": rng.choice(REMITTANCE).format(n=rng.randrange(1000, 99999)),
            "source": "clean-corpus",
        }
        yield Payment.model_validate(doc), name


def unlisted(
    parties: Sequence[Counterparty], listed: Callable[[Payment, str], bool]
) -> tuple[list[Counterparty], list[Counterparty]]:
    """(kept, dropped): every counterparty screened alone; any finding on it drops it."""
    kept: list[Counterparty] = []
    dropped: list[Counterparty] = []
    for p in parties:
        if p.role == "supplier":
            doc = {"creditor": {"name": p.name, "country": p.country}}
            field = "creditor"
        else:
            doc = {"creditor_agent": {"bic": p.bic, "name": p.name, "country": p.country}}
            field = "creditor_agent"
        payment = Payment.model_validate(
            {
                "payment_id": f"CHECK-{p.name}",
                "created_at": CREATED_AT,
                "value_date": VALUE_DATE,
                "amount": "1000.00",
                "currency": "USD",
                "debtor": {"name": "CHECK"},
                "debtor_agent": {"bic": "TRIQIQBA"},
                "creditor": {"name": "CHECK"},
                "creditor_agent": {"bic": "EBILAEAD"},
                **doc,
            }
        )
        (dropped if listed(payment, field) else kept).append(p)
    return kept, dropped
