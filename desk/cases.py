"""Cases from alerts and decisions: one case per payment, idempotent on alert_id.

Used by the ingest consumer (desk/ingest.py) inside one transaction per polled batch; the
consumer commits its offsets only after that transaction commits, and a redelivered alert
hits `ON CONFLICT DO NOTHING`, so a crash between the two never duplicates nor loses a case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, cast, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from desk import bulk, counts
from desk.db.models import AlertRow, Case, CaseRule
from schemas.alert import Alert
from schemas.common import Action, Severity
from schemas.decision import Decision

SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class CaseStatus:
    OPEN = "open"
    ESCALATED = "escalated"
    PENDING_APPROVAL = "pending_approval"
    RELEASED = "released"
    BLOCKED = "blocked"
    CLOSED = "closed"

    ALL = (OPEN, ESCALATED, PENDING_APPROVAL, RELEASED, BLOCKED, CLOSED)


def _insert(session: Session, model: Any) -> Any:
    """INSERT for the session's backend, with ON CONFLICT support (both dialects have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


ROWS_PER_STATEMENT = 500
"""Payment ids per IN (...) lookup: well inside both backends' bound-parameter limits."""

# The Core tables, for executemany statements (the ORM would turn a list of parameters into
# its bulk-by-primary-key forms, which allow no extra WHERE criteria or ON CONFLICT).
_cases: Table = Case.__table__  # type: ignore[assignment]
_alerts: Table = AlertRow.__table__  # type: ignore[assignment]


def _payment_columns(alert: Alert) -> dict[str, Any]:
    summary = alert.payment
    return {
        "payment_json": summary.model_dump(mode="json"),
        "debtor_name": summary.debtor_name[:300],
        "creditor_name": summary.creditor_name[:300],
        "debtor_agent_bic": summary.debtor_agent_bic,
        "creditor_agent_bic": summary.creditor_agent_bic,
        "amount": summary.amount,
        "currency": summary.currency,
        "value_date": summary.value_date,
        "uetr": summary.uetr.strip().lower()[:36] if summary.uetr else None,
    }


_PAYMENT_COLUMNS = (
    "payment_json",
    "debtor_name",
    "creditor_name",
    "debtor_agent_bic",
    "creditor_agent_bic",
    "amount",
    "currency",
    "value_date",
    "uetr",
)


def _no_payment(cases: Table) -> ColumnElement[bool]:
    """A case opened by its decision, before any alert brought the payment: payment_json is
    SQL NULL, or JSON null (what the SQLite executemany path stores for None)."""
    return or_(
        cases.c.payment_json.is_(None),
        func.coalesce(cast(cases.c.payment_json, Text), "null") == "null",
    )


def ensure_cases(
    session: Session,
    severities: dict[str, Severity],
    at: datetime,
    payments: dict[str, dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Case ids by payment id, opening the missing cases (one INSERT ... ON CONFLICT DO
    NOTHING RETURNING), raising each existing case's severity to the highest seen and filling
    the payment columns of existing cases that have none yet (from `payments`): one statement
    each, and only for the cases that need it."""
    if not severities:
        return {}
    payments = payments or {}
    empty = dict.fromkeys(_PAYMENT_COLUMNS)
    rows = [
        {
            **empty,
            **payments.get(payment_id, {}),
            "payment_id": payment_id,
            "status": CaseStatus.OPEN,
            "severity": severity.value,
            "severity_rank": SEVERITY_RANK[severity],
            "opened_at": at,
            "updated_at": at,
        }
        for payment_id, severity in severities.items()
    ]
    opened = bulk.insert_new(session, _cases, rows, "payment_id", ("payment_id", "id"))
    ids: dict[str, int] = {row.payment_id: row.id for row in opened}
    known = [p for p in severities if p not in ids]
    raise_rows: list[dict[str, Any]] = []
    fill_rows: list[dict[str, Any]] = []
    for start in range(0, len(known), ROWS_PER_STATEMENT):
        found = session.execute(
            select(Case.payment_id, Case.id, Case.severity_rank, _no_payment(_cases)).where(
                Case.payment_id.in_(known[start : start + ROWS_PER_STATEMENT])
            )
        )
        for payment_id, case_id, rank, no_payment in found:
            ids[payment_id] = case_id
            severity = severities[payment_id]
            if rank < SEVERITY_RANK[severity]:
                raise_rows.append(
                    {
                        "id": case_id,
                        "severity": severity.value,
                        "severity_rank": SEVERITY_RANK[severity],
                    }
                )
            if no_payment and payment_id in payments:
                fill_rows.append({"id": case_id, **payments[payment_id]})
    # the WHERE clauses keep both right against a concurrent writer of the same case
    bulk.update_by_id(
        session, _cases, raise_rows, where=lambda t, new: t.c.severity_rank < new.c.severity_rank
    )
    bulk.update_by_id(session, _cases, fill_rows, where=lambda t, new: _no_payment(t))
    return ids


def _raise_severity(severities: dict[str, Severity], payment_id: str, severity: Severity) -> None:
    """Keep the highest severity seen per payment in a batch (its case opens at that level)."""
    known = severities.get(payment_id)
    if known is None or SEVERITY_RANK[severity] > SEVERITY_RANK[known]:
        severities[payment_id] = severity


def store_alerts(session: Session, alerts: list[Alert], received_at: datetime) -> list[bool]:
    """File alerts under their payments' cases; per alert, False when its alert_id was
    already stored (earlier, or earlier in this same list)."""
    severities: dict[str, Severity] = {}
    payments: dict[str, dict[str, Any]] = {}
    for alert in alerts:
        payment_id = alert.payment.payment_id
        _raise_severity(severities, payment_id, alert.severity)
        payments.setdefault(payment_id, _payment_columns(alert))
    ids = ensure_cases(session, severities, received_at, payments)
    first: dict[str, Alert] = {}
    for alert in alerts:
        first.setdefault(alert.alert_id, alert)
    rows = [
        {
            "alert_id": alert.alert_id,
            "case_id": ids[alert.payment.payment_id],
            "rule": alert.rule,
            "action": alert.action.value,
            "severity": alert.severity.value,
            "raised_at": alert.raised_at,
            "received_at": received_at,
            "alert_json": alert.model_dump(mode="json", by_alias=True),
        }
        for alert in first.values()
    ]
    # RETURNING names the rows that went in, on both backends (a driver's rowcount for a
    # skipped ON CONFLICT is not something to rely on)
    inserted = {
        row[0] for row in bulk.insert_new(session, _alerts, rows, "alert_id", ("alert_id",))
    }
    outcome = []
    for alert in alerts:
        outcome.append(alert.alert_id in inserted and first[alert.alert_id] is alert)
    return outcome


def store_alert(session: Session, alert: Alert, received_at: datetime) -> bool:
    """File one alert under its payment's case; False when this alert_id was already stored."""
    return store_alerts(session, [alert], received_at)[0]


def store_decisions(
    session: Session, decisions: list[Decision], received_at: datetime
) -> list[bool]:
    """Keep review/block decisions as their cases' payment detail (a pass opens no case)."""
    kept = [d for d in decisions if d.decision != Action.PASS]
    severities: dict[str, Severity] = {}
    for decision in kept:
        severity = max(
            (f.severity for f in decision.findings),
            key=lambda s: SEVERITY_RANK[s],
            default=Severity.MEDIUM,
        )
        _raise_severity(severities, decision.payment_id, severity)
    ids = ensure_cases(session, severities, received_at)
    latest = {
        d.payment_id: {
            "id": ids[d.payment_id],
            "decision": d.decision.value,
            "decision_json": d.model_dump(mode="json", by_alias=True),
        }
        for d in kept  # a payment decided twice in a batch keeps its last decision
    }
    bulk.update_by_id(session, _cases, list(latest.values()))
    return [d.decision != Action.PASS for d in decisions]


def store_decision(session: Session, decision: Decision, received_at: datetime) -> bool:
    """Keep one review/block decision as its case's payment detail (a pass opens no case)."""
    return store_decisions(session, [decision], received_at)[0]


@dataclass(frozen=True)
class CaseSummary:
    case_id: int
    payment_id: str
    status: str
    severity: str
    rules: list[str]
    alert_ids: list[str]
    opened_at: datetime
    assignee_id: int | None
    disposition: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "payment_id": self.payment_id,
            "status": self.status,
            "severity": self.severity,
            "rules": self.rules,
            "alert_ids": self.alert_ids,
            "opened_at": self.opened_at.isoformat(),
            "assignee_id": self.assignee_id,
            "disposition": self.disposition,
        }


COUNT_CAP = 1_000
"""A total beyond the status, severity and rule filters is counted up to this many cases; past
it the queue says "1,000+" (`QueuePage.exact` False). Reading the keys of up to 10,000 matches
cost up to 350 ms (p95) on the loaded 2-core machine at a million cases; a search that matches
more than a thousand cases is one to narrow, not to page through."""


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and how many cases match. `total` is exact when `exact`; else at
    least `COUNT_CAP` cases match and `total` is `COUNT_CAP`."""

    total: int
    cases: list[CaseSummary]
    exact: bool = True


def list_cases(
    session: Session,
    *,
    status: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    payment_id: str | None = None,
    uetr: str | None = None,
    party: str | None = None,
    bank: str | None = None,
    assignee_id: int | None = None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """The queue: most severe first, then oldest first.

    The page is read in index order whatever the filters' mix (a rule filter reads
    `case_rules`, which carries the case's status, severity and age). The total of any mix of
    status, severity and rule is exact and costs a few hundred rows (desk/counts.py); with any
    other filter or search it is counted up to `COUNT_CAP`.

    `party` matches debtor or creditor name case-insensitively anywhere in the name; `bank`
    matches the debtor or creditor agent's BIC by its first 8 characters (the institution);
    `opened_from` is inclusive, `opened_to` exclusive."""
    rank: int | None = None
    if severity:
        known = {s.value: r for s, r in SEVERITY_RANK.items()}
        if severity not in known:
            return QueuePage(0, [])
        rank = known[severity]
    query = select(Case)
    if rule:
        query = query.join(CaseRule, CaseRule.case_id == Case.id).where(CaseRule.rule == rule)
        if status:
            query = query.where(CaseRule.status == status)
        if rank is not None:
            query = query.where(CaseRule.severity_rank == rank, CaseRule.severity == severity)
        keys = (CaseRule.severity_rank, CaseRule.opened_at, CaseRule.case_id)
    else:
        if status:
            query = query.where(Case.status == status)
        if rank is not None:
            query = query.where(Case.severity_rank == rank, Case.severity == severity)
        keys = (Case.severity_rank, Case.opened_at, Case.id)
    opened_column = keys[1]
    order = (keys[0].desc(), keys[1], keys[2])
    searched = query
    if party:
        pattern = "%" + party.replace("\\", "").replace("%", "").replace("_", "") + "%"
        searched = searched.where(
            or_(Case.debtor_name.ilike(pattern), Case.creditor_name.ilike(pattern))
        )
    if bank:
        institution = bank.strip().upper()[:8]
        if len(institution) == 8:  # the form migration 0009 indexes
            searched = searched.where(
                or_(
                    bic8(Case.debtor_agent_bic) == institution,
                    bic8(Case.creditor_agent_bic) == institution,
                )
            )
        else:
            prefix = institution + "%"
            searched = searched.where(
                or_(Case.debtor_agent_bic.like(prefix), Case.creditor_agent_bic.like(prefix))
            )
    if assignee_id is not None:
        searched = searched.where(Case.assignee_id == assignee_id)
    # on the rule rows' copy when there is a rule filter: read from their index, no case row
    if opened_from is not None:
        searched = searched.where(opened_column >= opened_from)
    if opened_to is not None:
        searched = searched.where(opened_column < opened_to)
    if payment_id:
        searched = searched.where(Case.payment_id == payment_id)
    if uetr:
        searched = searched.where(Case.uetr == uetr.strip().lower())
    if searched is query:
        total = counts.total(session, status=status or None, severity=severity or None, rule=rule)
        rows = list(
            session.execute(searched.order_by(*order).limit(limit).offset(offset)).scalars()
        )
        return QueuePage(total, _summaries(session, rows))
    # Any other filter: read the matches' keys without the queue's order (each filter's own
    # index: trigram, bank, date, payment id), up to the cap, in one scan. Up to the cap, the
    # page is those matches sorted here; past it the matches are common, and the queue's index
    # order meets its page's rows within a few hundred. (Counting first and then reading the
    # keys scans twice: measured slower for a few hundred to a few thousand matches.)
    matched = list(session.execute(searched.with_only_columns(*keys).limit(COUNT_CAP + 1)))
    if len(matched) > COUNT_CAP:
        rows = list(
            session.execute(searched.order_by(*order).limit(limit).offset(offset)).scalars()
        )
        return QueuePage(COUNT_CAP, _summaries(session, rows), exact=False)
    matched.sort(key=lambda m: (-m[0], m[1], m[2]))
    wanted = [m[2] for m in matched[offset : offset + limit]]
    found = {
        c.id: c
        for start in range(0, len(wanted), ROWS_PER_STATEMENT)
        for c in session.execute(
            select(Case).where(Case.id.in_(wanted[start : start + ROWS_PER_STATEMENT]))
        ).scalars()
    }
    return QueuePage(len(matched), _summaries(session, [found[i] for i in wanted if i in found]))


def bic8(column: Any) -> Any:
    """The institution part of a BIC (its first 8 characters), as migration 0009 indexes it
    (constants inline, so PostgreSQL matches the expression to the index)."""
    return func.substr(column, literal_column("1"), literal_column("8"))


def _summaries(session: Session, rows: list[Case]) -> list[CaseSummary]:
    alerts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if rows:
        found = session.execute(
            select(AlertRow.case_id, AlertRow.rule, AlertRow.alert_id)
            .where(AlertRow.case_id.in_([c.id for c in rows]))
            .order_by(AlertRow.rule, AlertRow.alert_id)
        )
        for case_id, rule_id, alert_id in found:
            alerts[case_id].append((rule_id, alert_id))
    return [
        CaseSummary(
            case_id=c.id,
            payment_id=c.payment_id,
            status=c.status,
            severity=c.severity,
            rules=sorted({r for r, _ in alerts[c.id]}),
            alert_ids=[a for _, a in alerts[c.id]],
            opened_at=c.opened_at,
            assignee_id=c.assignee_id,
            disposition=c.disposition,
        )
        for c in rows
    ]
