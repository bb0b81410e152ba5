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

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from desk.db.models import AlertRow, Case
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


def ensure_case(session: Session, payment_id: str, severity: Severity, at: datetime) -> int:
    """The id of the payment's case, opening it if this is its first alert or decision; the
    case's severity is the highest it has seen."""
    rank = SEVERITY_RANK[severity]
    session.execute(
        _insert(session, Case)
        .values(
            payment_id=payment_id,
            status=CaseStatus.OPEN,
            severity=severity.value,
            severity_rank=rank,
            opened_at=at,
            updated_at=at,
        )
        .on_conflict_do_nothing(index_elements=["payment_id"])
    )
    case_id: int = session.execute(
        select(Case.id).where(Case.payment_id == payment_id)
    ).scalar_one()
    session.execute(
        update(Case)
        .where(Case.id == case_id, Case.severity_rank < rank)
        .values(severity=severity.value, severity_rank=rank)
    )
    return case_id


def store_alert(session: Session, alert: Alert, received_at: datetime) -> bool:
    """File the alert under its payment's case; False when this alert_id was already stored."""
    case_id = ensure_case(session, alert.payment.payment_id, alert.severity, received_at)
    result = session.execute(
        _insert(session, AlertRow)
        .values(
            alert_id=alert.alert_id,
            case_id=case_id,
            rule=alert.rule,
            action=alert.action.value,
            severity=alert.severity.value,
            raised_at=alert.raised_at,
            received_at=received_at,
            alert_json=alert.model_dump(mode="json", by_alias=True),
        )
        .on_conflict_do_nothing(index_elements=["alert_id"])
        # RETURNING says whether the row went in on both backends (psycopg's rowcount for a
        # skipped ON CONFLICT is not reliable across drivers)
        .returning(AlertRow.alert_id)
    )
    if result.first() is None:
        return False
    summary = alert.payment
    session.execute(
        update(Case)
        .where(Case.id == case_id, Case.payment_json.is_(None))
        .values(
            payment_json=summary.model_dump(mode="json"),
            debtor_name=summary.debtor_name[:300],
            creditor_name=summary.creditor_name[:300],
            debtor_agent_bic=summary.debtor_agent_bic,
            creditor_agent_bic=summary.creditor_agent_bic,
            amount=summary.amount,
            currency=summary.currency,
            value_date=summary.value_date,
            updated_at=received_at,
        )
    )
    return True


def store_decision(session: Session, decision: Decision, received_at: datetime) -> bool:
    """Keep a review/block decision as the case's payment detail (a pass opens no case)."""
    if decision.decision == Action.PASS:
        return False
    severity = max(
        (f.severity for f in decision.findings),
        key=lambda s: SEVERITY_RANK[s],
        default=Severity.MEDIUM,
    )
    case_id = ensure_case(session, decision.payment_id, severity, received_at)
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(
            decision=decision.decision.value,
            decision_json=decision.model_dump(mode="json", by_alias=True),
        )
    )
    return True


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


def list_cases(
    session: Session,
    *,
    status: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    payment_id: str | None = None,
    party: str | None = None,
    bank: str | None = None,
    assignee_id: int | None = None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[CaseSummary]]:
    """The queue: most severe first, then oldest first; the total counts every match.

    `party` matches debtor or creditor name case-insensitively anywhere in the name; `bank`
    matches the debtor or creditor agent's BIC by its first 8 characters (the institution);
    `opened_from` is inclusive, `opened_to` exclusive."""
    query = select(Case)
    if party:
        pattern = "%" + party.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(or_(Case.debtor_name.ilike(pattern), Case.creditor_name.ilike(pattern)))
    if bank:
        prefix = bank.strip().upper()[:8] + "%"
        query = query.where(
            or_(Case.debtor_agent_bic.like(prefix), Case.creditor_agent_bic.like(prefix))
        )
    if assignee_id is not None:
        query = query.where(Case.assignee_id == assignee_id)
    if opened_from is not None:
        query = query.where(Case.opened_at >= opened_from)
    if opened_to is not None:
        query = query.where(Case.opened_at < opened_to)
    if status:
        query = query.where(Case.status == status)
    if severity:
        query = query.where(Case.severity == severity)
    if payment_id:
        query = query.where(Case.payment_id == payment_id)
    if rule:
        query = query.where(Case.id.in_(select(AlertRow.case_id).where(AlertRow.rule == rule)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        session.execute(
            query.order_by(Case.severity_rank.desc(), Case.opened_at, Case.id)
            .limit(limit)
            .offset(offset)
        )
        .scalars()
        .all()
    )
    alerts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if rows:
        found = session.execute(
            select(AlertRow.case_id, AlertRow.rule, AlertRow.alert_id)
            .where(AlertRow.case_id.in_([c.id for c in rows]))
            .order_by(AlertRow.rule, AlertRow.alert_id)
        )
        for case_id, rule_id, alert_id in found:
            alerts[case_id].append((rule_id, alert_id))
    return total, [
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
