"""The case page's debtor panel: the debtor's recent payments and their window state.

A pass opens no case, so the desk's database lacks most of a debtor's payments, and the worker's
window table is keyed by the debtor's full account, which the desk holds masked. The worker's
store `payments.screened` has both: every screened payment, passed ones included, in its
debtor's partition, stamped with its created_at (docs/rescreen.md). On demand, the panel reads
the case payment's record, then its partition's records from created_at minus the rule pack's
window span up to the first stamped later than the pack's allowed lateness after created_at,
keeps the debtor's payments (compared in memory by `rules.windows.debtor_key`, never shown) and
folds `rules.windows.observe` over them in event-time order: the same pure transition as the
worker, so the counts and episodes are the rules' own. Accounts leave this module masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from desk import actions, audit
from desk.auth import Actor
from desk.errors import DeskError, NotFound
from desk.screened import PartitionRead, StoredRecord, Unavailable
from infra.errors import ConfigError, loading
from infra.settings import Settings
from rules.pack import FanoutSettings, RulePack, StructuringSettings
from rules.windows import DebtorWindow, debtor_key, observe
from rules.windows.patterns import FANOUT, STRUCTURING, WindowSettings, pattern_span
from rules.windows.state import WindowEntry, entry_for, usd
from rules.windows.transition import PATTERNS
from schemas.masking import mask_account
from schemas.payment import Payment

MAX_RECORDS = 50_000
"""The most records of the debtor's partition one panel reads (they hold every debtor of the
partition); past it the panel says its window may be incomplete."""

_PLAIN_ACCOUNT = re.compile(r"[A-Za-z0-9 -]+")
"""Characters no JSON writer escapes: such an account appears verbatim in a record's bytes."""


@runtime_checkable
class PaymentStore(Protocol):
    """What the panel reads (desk/screened.py's ScreenedStore); its settings name the pack."""

    @property
    def settings(self) -> Settings: ...

    def record(self, payment_id: str, created_at: datetime) -> StoredRecord: ...

    def partition_records(
        self, partition: int, start: datetime, stop: datetime, max_records: int | None = None
    ) -> PartitionRead: ...


@dataclass(frozen=True)
class RecentPayment:
    """One of the debtor's payments as the panel shows it (the beneficiary's account masked)."""

    payment_id: str
    created_at: datetime
    amount: Decimal
    currency: str
    beneficiary_name: str
    beneficiary_account: str | None
    beneficiary_country: str | None
    decision: str | None
    """The worker's decision (pass, review, block) as the stored record carries it."""
    counted: tuple[str, ...]
    """The windowed rules whose window counts this payment (in their band, currency, place)."""
    fired: tuple[str, ...]
    """The windowed rules that fired on this payment when the window was folded here."""
    alerted: tuple[str, ...]
    """The rules the worker alerted on for this payment (the stored record's alert keys)."""
    is_case: bool


@dataclass(frozen=True)
class Measure:
    """How close one windowed rule is to one of its thresholds."""

    what: str
    value: str
    needed: str
    reached: bool


@dataclass(frozen=True)
class RuleWindow:
    """One windowed rule's window ending at the case payment."""

    rule: str
    window_hours: float
    members: tuple[str, ...]
    """The payment ids the rule counts in its window."""
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class EpisodeView:
    rule: str
    anchor: str
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class DebtorHistory:
    """The panel: the debtor's payments in the window ending at the case payment, and state."""

    payment_id: str
    debtor_name: str
    debtor_account: str | None
    """Masked."""
    since: datetime
    until: datetime
    window_hours: float
    payments: tuple[RecentPayment, ...]
    usd_sum: Decimal
    rules: tuple[RuleWindow, ...]
    episodes: tuple[EpisodeView, ...]
    pack: str
    records_read: int
    truncated: bool
    """The read stopped at MAX_RECORDS: payments near created_at may be missing."""

    def as_json(self) -> dict[str, Any]:
        """The API's answer: amounts as decimal strings, times ISO 8601 UTC."""
        return orjson.loads(orjson.dumps(self, default=_json_default))  # type: ignore[no-any-return]


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError


def history_of(
    case_record: Mapping[str, Any],
    neighbours: Iterable[Mapping[str, Any]],
    pack: RulePack,
    *,
    records_read: int = 0,
    truncated: bool = False,
) -> DebtorHistory:
    """The panel from stored records (`{"payment", "decision", "alerted", ...}`): the case
    payment's own and its partition's, in log order (a later record of a payment replaces an
    earlier one, as compaction would). Pure: no clock, no I/O."""
    case = Payment.model_validate(case_record["payment"])
    key = debtor_key(case)
    span = WindowSettings.from_pack(pack).span
    since = case.created_at - span
    kept: dict[str, tuple[Payment, Mapping[str, Any]]] = {}
    for record in (*neighbours, case_record):
        payment = _payment(record)
        if (
            payment is not None
            and since < payment.created_at <= case.created_at
            and debtor_key(payment) == key
        ):
            kept[payment.payment_id] = (payment, record)
    ordered = sorted(kept.values(), key=lambda pr: (pr[0].created_at, pr[0].payment_id))
    window: DebtorWindow | None = None
    fired: dict[str, tuple[str, ...]] = {}
    for payment, _ in ordered:
        window, findings = observe(window, payment, pack)
        fired[payment.payment_id] = tuple(sorted({f.rule for f in findings}))
    entries = [entry_for(p) for p, _ in ordered]
    rules = tuple(_rule_windows(entries, case.created_at, pack))
    counted = {
        e.payment_id: tuple(r.rule for r in rules if e.payment_id in r.members) for e in entries
    }
    return DebtorHistory(
        payment_id=case.payment_id,
        debtor_name=case.debtor.name,
        debtor_account=mask_account(case.debtor.account),
        since=since,
        until=case.created_at,
        window_hours=span.total_seconds() / 3600,
        payments=tuple(
            _row(p, r, counted[p.payment_id], fired[p.payment_id], p.payment_id == case.payment_id)
            for p, r in ordered
        ),
        usd_sum=usd(entries),
        rules=rules,
        episodes=tuple(
            EpisodeView(e.rule, e.anchor, e.first_at, e.last_at)
            for e in (window.episodes if window is not None else ())
        ),
        pack=f"{pack.name} {pack.version}",
        records_read=records_read,
        truncated=truncated,
    )


def _payment(record: Mapping[str, Any]) -> Payment | None:
    """The record's payment, or None for one that does not validate (never shown)."""
    try:
        return Payment.model_validate(record.get("payment"))
    except ValidationError:
        return None


def _row(
    payment: Payment,
    record: Mapping[str, Any],
    counted: tuple[str, ...],
    fired: tuple[str, ...],
    is_case: bool,
) -> RecentPayment:
    beneficiary = payment.ultimate_creditor or payment.creditor
    decision = record.get("decision")
    alerted = record.get("alerted")
    return RecentPayment(
        payment_id=payment.payment_id,
        created_at=payment.created_at,
        amount=payment.amount,
        currency=payment.currency,
        beneficiary_name=beneficiary.name,
        beneficiary_account=mask_account(beneficiary.account),
        beneficiary_country=beneficiary.country,
        decision=decision if isinstance(decision, str) else None,
        counted=counted,
        fired=fired,
        alerted=tuple(
            sorted({str(k).split("|", 1)[0] for k in alerted} if isinstance(alerted, list) else ())
        ),
        is_case=is_case,
    )


def _rule_windows(
    entries: list[WindowEntry], until: datetime, pack: RulePack
) -> Iterable[RuleWindow]:
    """Per enabled windowed rule: the payments its window ending at `until` counts, and how
    close they come to the rule's thresholds (the pack's numbers, as rules/windows reads them)."""
    for pattern in PATTERNS:
        settings = pack.settings(pattern.rule)
        if settings is None:
            continue
        span = pattern_span(settings, WindowSettings.from_pack(pack))
        start = until - span
        members = [e for e in entries if e.created_at > start and pattern.relevant(e, settings)]
        yield RuleWindow(
            rule=pattern.rule,
            window_hours=span.total_seconds() / 3600,
            members=tuple(e.payment_id for e in members),
            measures=_measures(pattern.rule, members, pack),
        )


def _measures(rule: str, members: list[WindowEntry], pack: RulePack) -> tuple[Measure, ...]:
    if rule == STRUCTURING.rule:
        s = pack.typed(rule, StructuringSettings)
        assert s is not None
        low, high = s.threshold * s.lower_ratio, s.threshold * s.upper_ratio
        currency = "/".join(s.currencies) or "USD"
        return (
            Measure(
                f"payments between {low.normalize():f} and {high.normalize():f} {currency}",
                str(len(members)),
                f"≥ {s.min_count}",
                len(members) >= s.min_count,
            ),
        )
    if rule == FANOUT.rule:
        f = pack.typed(rule, FanoutSettings)
        assert f is not None
        places = "/".join(f.jurisdictions)
        beneficiaries = len({e.beneficiary for e in members})
        total = usd(members)
        return (
            Measure(
                f"distinct beneficiaries in {places}",
                str(beneficiaries),
                f"≥ {f.min_beneficiaries}",
                beneficiaries >= f.min_beneficiaries,
            ),
            Measure(
                f"USD to {places}",
                f"{total:f}",
                f"> {f.max_usd_sum:f} with ≥ {f.min_beneficiaries_for_sum} beneficiaries",
                total > f.max_usd_sum and beneficiaries >= f.min_beneficiaries_for_sum,
            ),
        )
    return ()


def might_be_debtors(value: bytes, account: str | None) -> bool:
    """A cheap necessary condition before decoding a neighbour: a debtor with a plain account
    (letters, digits, spaces, hyphens) has it verbatim in the record's bytes. Other debtors'
    records (most of a partition) are skipped without a decode."""
    if not account or not _PLAIN_ACCOUNT.fullmatch(account):
        return True
    return account.encode() in value


def read_history(
    store: PaymentStore, payment_id: str, created_at: datetime, pack: RulePack
) -> DebtorHistory:
    """Read the case payment's record, then the debtor's partition over the window, and fold.
    NotFound when the store no longer holds the payment, Unavailable when it cannot be read."""
    found = store.record(payment_id, created_at)
    case_record = found.document()
    case = _payment(case_record)
    if case is None:
        raise NotFound(f"the stored record of payment {payment_id} does not hold a valid payment")
    rules = WindowSettings.from_pack(pack)
    read = store.partition_records(
        found.partition,
        case.created_at - rules.span,
        case.created_at + rules.allowed_lateness,
        MAX_RECORDS,
    )
    account = case.debtor.account
    neighbours = (_decoded(r.value) for r in read.records if might_be_debtors(r.value, account))
    return history_of(
        case_record,
        (doc for doc in neighbours if doc is not None),
        pack,
        records_read=len(read.records),
        truncated=read.truncated,
    )


def _decoded(value: bytes) -> dict[str, Any] | None:
    """A neighbour's record, or None for one that is not a JSON object (never shown)."""
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict) else None


@lru_cache(maxsize=4)
def desk_pack(rule_pack: Path | None) -> RulePack:
    """The pack the worker screens with: DINARWATCH_RULE_PACK, else the built-in one (the
    worker loads it the same way: screening/context_loader.py)."""
    from lists.files import load_rule_pack

    where = f"DINARWATCH_RULE_PACK={rule_pack}" if rule_pack else "the built-in rule pack"
    with loading(where, ConfigError, "fix the file or unset it"):
        return load_rule_pack(rule_pack)


def show(
    session: Session,
    actor: Actor,
    case_id: int,
    store: object,
    at: datetime,
    pack: Callable[[], RulePack] | None = None,
) -> DebtorHistory:
    """The panel for a case, any role (it shows masked accounts only). Reading the store is
    audited like the other reads of data the desk does not hold (`case.debtor_history`, with
    the outcome); the caller commits even when this raises."""
    case = actions.get_case(session, case_id)

    def record(outcome: str) -> None:
        audit.append(
            session,
            actor=actor.name,
            action="case.debtor_history",
            target=f"case:{case.id}",
            after={"outcome": outcome},
            at=at,
        )

    created = (case.payment_json or {}).get("created_at")
    if not isinstance(store, PaymentStore) or not created:
        record("failed: no payment store")
        raise Unavailable("this desk has no payment store to read the debtor's payments from")
    try:
        rule_pack = pack() if pack is not None else desk_pack(store.settings.rule_pack)
        history = read_history(store, case.payment_id, datetime.fromisoformat(created), rule_pack)
    except ConfigError as error:
        record("failed: rule pack")
        raise Unavailable(str(error)) from None
    except DeskError as error:
        record(f"failed: {error.message}")
        raise
    record(f"shown: {len(history.payments)} payments")
    return history
