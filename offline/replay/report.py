"""report.json: what a replay read, with which lists and pack, and what it found, in figures.

Everything here is a function of the input, the lists and the pack: no wall clock, no durations,
no host names, so two runs on the same input give byte-identical reports (timings go to the
console only). Amounts are sums of Decimals written as strings, never floats.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from offline.screen import Rejected
from rules.context import ScreeningContext
from rules.lists.base import ReferenceList
from schemas.alert import Alert
from schemas.common import Action
from schemas.payment import Payment
from screening.service import Screened

REPORT_FORMAT = 1
ZERO = Decimal("0")


@dataclass
class BankRow:
    """Per sending bank (debtor agent, by BIC8): traffic and what was flagged."""

    name: str
    payments: int = 0
    alerts: int = 0
    blocked: int = 0
    reviewed: int = 0
    names: set[str] = field(default_factory=set)
    without_bic: int = 0
    """Payments that named the bank without a BIC (merged in by name)."""

    def merge(self, other: BankRow) -> None:
        self.payments += other.payments
        self.alerts += other.alerts
        self.blocked += other.blocked
        self.reviewed += other.reviewed
        self.names |= other.names
        self.without_bic += other.payments


@dataclass
class CurrencyRow:
    payments: int = 0
    amount: Decimal = ZERO
    flagged_payments: int = 0
    flagged_amount: Decimal = ZERO


@dataclass
class ReplayStats:
    """Running counts over the screened payments and their alerts."""

    payments: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    alerts: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_action: Counter[str] = field(default_factory=Counter)
    retro_by_rule: Counter[str] = field(default_factory=Counter)
    by_entry: Counter[str] = field(default_factory=Counter)
    by_day: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_hour: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_minute: Counter[tuple[str, str]] = field(default_factory=Counter)
    banks: dict[str, BankRow] = field(default_factory=dict)
    currencies: dict[str, CurrencyRow] = field(default_factory=lambda: defaultdict(CurrencyRow))
    usd_by_decision: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    usd_by_rule: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    first_created: datetime | None = None
    last_created: datetime | None = None
    first_value: date | None = None
    last_value: date | None = None

    def add(self, result: Screened | Rejected) -> None:
        """Count one outcome of screen_records."""
        if isinstance(result, Rejected):
            self.rejected[result.rejection.reason] += 1
            return
        self._payment(result.payment, result.decision.decision)
        for alert in result.alerts:
            self._alert(alert, result.payment)

    def _payment(self, payment: Payment, decision: Action) -> None:
        self.payments += 1
        self.decisions[decision.value] += 1
        bank = self._bank(payment)
        bank.payments += 1
        bank.blocked += decision is Action.BLOCK
        bank.reviewed += decision is Action.REVIEW
        row = self.currencies[payment.currency]
        row.payments += 1
        row.amount += payment.amount
        if decision is not Action.PASS:
            row.flagged_payments += 1
            row.flagged_amount += payment.amount
        if payment.currency == "USD":
            self.usd_by_decision[decision.value] += payment.amount
        self._dates(payment)

    def _alert(self, alert: Alert, payment: Payment) -> None:
        self.alerts += 1
        self.by_rule[alert.rule] += 1
        self.by_severity[alert.severity.value] += 1
        self.by_action[alert.action.value] += 1
        self.by_day[(payment.value_date.isoformat(), alert.rule)] += 1
        self.by_hour[(payment.created_at.strftime("%Y-%m-%dT%H"), alert.rule)] += 1
        self.by_minute[(payment.created_at.strftime("%Y-%m-%dT%H:%M"), alert.rule)] += 1
        if any(f.retro for f in alert.findings):
            self.retro_by_rule[alert.rule] += 1
        listed = {f.entry_id for f in alert.findings if f.entry_id and f.match_method != "window"}
        for entry in sorted(listed):
            self.by_entry[entry] += 1
        self._bank(payment).alerts += 1
        if payment.currency == "USD":
            self.usd_by_rule[alert.rule] += payment.amount

    def _bank(self, payment: Payment) -> BankRow:
        agent = payment.debtor_agent
        key = (agent.bic or "")[:8].upper() or f"name:{agent.name or '?'}"
        if key not in self.banks:
            self.banks[key] = BankRow(agent.name or "")
        row = self.banks[key]
        if agent.name:
            row.names.add(agent.name)
        if not row.name and agent.name:
            row.name = agent.name  # MT messages often carry the BIC only; keep the first name
        return row

    def _dates(self, payment: Payment) -> None:
        created, value = payment.created_at, payment.value_date
        self.first_created = min(self.first_created or created, created)
        self.last_created = max(self.last_created or created, created)
        self.first_value = min(self.first_value or value, value)
        self.last_value = max(self.last_value or value, value)

    def counts(self) -> dict[str, Any]:
        """The figures of report.json's "counts" and "amounts" sections (sorted keys)."""
        return {
            "payments": self.payments,
            "rejected": self.rejected.total(),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "decisions": {a.value: self.decisions[a.value] for a in Action},
            "alerts": self.alerts,
            "alerts_by_rule": dict(sorted(self.by_rule.items())),
            "alerts_by_severity": dict(sorted(self.by_severity.items())),
            "alerts_by_action": dict(sorted(self.by_action.items())),
            "retro_alerts": self.retro_by_rule.total(),
            "retro_alerts_by_rule": dict(sorted(self.retro_by_rule.items())),
            "alerts_by_list_entry": dict(sorted(self.by_entry.items())),
            "alerts_by_value_date": _by_day(self.by_day),
            "alerts_by_created_hour": _by_day(self.by_hour),
            "alerts_by_created_time": created_buckets(self.by_minute),
            "by_bank": {k: _bank_json(k, v) for k, v in sorted(merge_banks(self.banks).items())},
            "by_currency": {k: _currency_json(v) for k, v in sorted(self.currencies.items())},
        }

    def amounts(self) -> dict[str, Any]:
        usd = self.currencies.get("USD", CurrencyRow())
        return {
            "usd_screened": str(usd.amount),
            "usd_by_decision": {
                a.value: str(self.usd_by_decision.get(a.value, ZERO)) for a in Action
            },
            "usd_alerted_by_rule": {k: str(v) for k, v in sorted(self.usd_by_rule.items())},
        }

    def period(self) -> dict[str, str | None]:
        return {
            "first_created_at": _iso(self.first_created),
            "last_created_at": _iso(self.last_created),
            "first_value_date": _iso(self.first_value),
            "last_value_date": _iso(self.last_value),
        }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _by_day(by_day: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    days: dict[str, dict[str, int]] = defaultdict(dict)
    for (day, rule), count in sorted(by_day.items()):
        days[day][rule] = count
    return dict(days)


def merge_banks(banks: dict[str, BankRow]) -> dict[str, BankRow]:
    """Banks named without a BIC folded into the BIC8 row that carried the same name.

    A message may name its sending bank with a BIC, a name, or both: "Bank of Baghdad" alone is
    the BABIIQBA of other payments when that BIC came with that name. A name seen with several
    BIC8s is ambiguous and stays its own row. Names compare without case and punctuation."""
    owners: dict[str, set[str]] = defaultdict(set)
    for key, row in banks.items():
        if not key.startswith("name:"):
            for name in row.names:
                owners[bank_identity(name)].add(key)
    merged = {
        k: replace(v, names=set(v.names)) for k, v in banks.items() if not k.startswith("name:")
    }
    for key, row in banks.items():
        if not key.startswith("name:"):
            continue
        found = owners.get(bank_identity(row.name), set())
        if len(found) == 1:
            merged[next(iter(found))].merge(row)
        else:
            merged[key] = row
    return merged


def bank_identity(name: str) -> str:
    """A bank name reduced to what identifies it: letters and digits, casefolded, one space."""
    return " ".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())


BUCKET_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MAX_BUCKETS = 96


def created_buckets(by_minute: Counter[tuple[str, str]]) -> dict[str, Any]:
    """Alerts per rule in created_at buckets (UTC) of the smallest round width that gives at
    most MAX_BUCKETS columns over the alerts' span: a 25-minute feed in minutes, a day in
    quarter hours, a week in 2-hour buckets. Keys are bucket starts, "YYYY-MM-DDTHH:MM"."""
    if not by_minute:
        return {"bucket_minutes": 60, "buckets": {}}
    minutes = sorted({_minutes(key) for key, _ in by_minute})
    span = minutes[-1] - minutes[0] + 1
    width = next((w for w in BUCKET_MINUTES if span / w <= MAX_BUCKETS), BUCKET_MINUTES[-1])
    buckets: dict[str, dict[str, int]] = defaultdict(dict)
    for (key, rule), count in sorted(by_minute.items()):
        start = _minutes(key) // width * width
        per_rule = buckets[_stamp(start)]
        per_rule[rule] = per_rule.get(rule, 0) + count
    return {"bucket_minutes": width, "buckets": dict(sorted(buckets.items()))}


EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (bucket keys are UTC wall times without a zone)


def _minutes(key: str) -> int:
    return int((datetime.fromisoformat(key) - EPOCH).total_seconds()) // 60


def _stamp(minutes: int) -> str:
    return (EPOCH + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _bank_json(key: str, row: BankRow) -> dict[str, Any]:
    return {
        "bank": key,
        "name": row.name,
        "names": sorted(row.names),
        "payments": row.payments,
        "payments_without_bic": row.without_bic,
        "alerts": row.alerts,
        "blocked": row.blocked,
        "reviewed": row.reviewed,
    }


def _currency_json(row: CurrencyRow) -> dict[str, Any]:
    return {
        "payments": row.payments,
        "amount": str(row.amount),
        "flagged_payments": row.flagged_payments,
        "flagged_amount": str(row.flagged_amount),
    }


# --- lists and pack --------------------------------------------------------------------------


def list_sha256(reference: ReferenceList) -> str:
    """Full SHA-256 over the entries, the same canonical form as the list's short version hash."""
    digest = hashlib.sha256()
    for entry in sorted(reference.entries, key=lambda e: e.entry_id):
        digest.update(orjson.dumps(entry.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def lists_json(ctx: ScreeningContext) -> dict[str, Any]:
    return {
        name: {
            "version": ref.version,
            "sha256": list_sha256(ref),
            "entries": len(ref),
            "published": ref.published.isoformat() if ref.published else None,
            "title": ref.title,
            "source": ref.source,
            # the list manifest (lists/files.py ListSource) minus the host's own path
            "manifest": {k: v for k, v in (ref.manifest or {}).items() if k != "path"} or None,
        }
        for name, ref in sorted(ctx.lists.lists.items())
    }


def pack_json(ctx: ScreeningContext, path: Path | None) -> dict[str, Any]:
    """The pack's name, version, digest and the SHA-256 of the exact text it was parsed from."""
    text = (
        path.read_text("utf-8")
        if path is not None
        else resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")
    )
    return {
        "name": ctx.pack.name,
        "version": ctx.pack.version,
        "digest": ctx.pack.digest,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "file": str(path) if path is not None else "built-in rules/packs/iraq.yaml",
    }


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Indented, sorted keys, trailing newline: stable bytes and readable diffs."""
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")
