"""Good-guy exceptions: an audited statement that a party is not a list entry, for one rule,
until an expiry no more than 180 days away.

An exception is granted from a stored alert (so the desk knows the finding it covers and the
list version it was judged against), never for an identifier hit (a BIC, IBAN bank code,
clearing id or IMO number names the listed thing itself), and takes effect only when a
supervisor other than its requester approves it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit
from desk.actions import require_writer
from desk.auth import Actor, Role
from desk.db.models import AlertRow, ExceptionRow
from desk.errors import Conflict, Forbidden, Invalid, NotFound
from rules.listmatch import IDENTIFIER_METHODS

MAX_DAYS = 180
IDENTIFIER_HITS = IDENTIFIER_METHODS | {"iban", "imo", "imo-unlabelled"}
"""Match methods that name the listed thing by identifier: never excepted."""

PENDING = "pending"
ACTIVE = "active"


def _state(row: ExceptionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "rule": row.rule,
        "party_fingerprint": row.party_fingerprint,
        "entry_id": row.entry_id,
        "list": row.list_name,
        "list_version": row.list_version,
        "alert_id": row.alert_id,
        "reason": row.reason,
        "status": row.status,
        "expires_at": row.expires_at.isoformat(),
        "approved_by": row.approved_by,
    }


def as_json(row: ExceptionRow) -> dict[str, Any]:
    return {**_state(row), "created_at": row.created_at.isoformat(), "created_by": row.created_by}


def request_exception(
    session: Session,
    actor: Actor,
    *,
    alert_id: str,
    rule: str,
    party_fingerprint: str,
    entry_id: str,
    reason: str,
    expires_at: datetime,
    at: datetime,
) -> ExceptionRow:
    require_writer(actor)
    if not party_fingerprint.strip() or not reason.strip():
        raise Invalid("party_fingerprint and reason must not be empty")
    if expires_at <= at:
        raise Invalid("expires_at is in the past")
    if expires_at > at + timedelta(days=MAX_DAYS):
        raise Invalid(f"expires_at is more than {MAX_DAYS} days away")
    alert = session.get(AlertRow, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    findings = [
        f
        for f in alert.alert_json.get("findings", [])
        if f.get("rule") == rule and f.get("entry_id") == entry_id
    ]
    if not findings:
        raise Invalid(f"alert {alert_id} has no {rule} finding on list entry {entry_id}")
    if any((f.get("match_method") or "") in IDENTIFIER_HITS for f in findings):
        raise Invalid(
            "the finding is an identifier hit (BIC, IBAN, clearing id or IMO): an exception "
            "never covers an identifier"
        )
    row = ExceptionRow(
        rule=rule,
        party_fingerprint=party_fingerprint.strip(),
        entry_id=entry_id,
        list_name=findings[0].get("list"),
        list_version=findings[0].get("list_version"),
        alert_id=alert_id,
        reason=reason,
        status=PENDING,
        created_by=actor.user_id,
        created_at=at,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor.name,
        action="exception.request",
        target=f"exception:{row.id}",
        after=_state(row),
        at=at,
    )
    return row


def _require_supervisor(actor: Actor, verb: str) -> None:
    """Approving and revoking are a supervisor's calls (a read-only role is refused first)."""
    require_writer(actor)
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(f"only a supervisor {verb} an exception")


def _get_exception(session: Session, exception_id: int) -> ExceptionRow:
    row = session.get(ExceptionRow, exception_id)
    if row is None:
        raise NotFound(f"exception {exception_id} does not exist")
    return row


def approve_exception(
    session: Session, actor: Actor, exception_id: int, at: datetime
) -> ExceptionRow:
    _require_supervisor(actor, "approves")
    row = _get_exception(session, exception_id)
    if row.status != PENDING:
        raise Conflict(f"exception {exception_id} is {row.status}, not pending")
    if row.created_by == actor.user_id:
        raise Forbidden("four-eyes: the requester cannot approve their own exception")
    before = _state(row)
    row.status = ACTIVE
    row.approved_by = actor.user_id
    row.approved_at = at
    audit.append(
        session,
        actor=actor.name,
        action="exception.approve",
        target=f"exception:{row.id}",
        before=before,
        after=_state(row),
        at=at,
    )
    return row


def list_exceptions(session: Session) -> list[ExceptionRow]:
    return list(session.execute(select(ExceptionRow).order_by(ExceptionRow.id)).scalars())


REVOKED = "revoked"
EXPIRED = "expired"


def revoke_exception(
    session: Session, actor: Actor, exception_id: int, reason: str, at: datetime
) -> ExceptionRow:
    """Withdraw a pending or active exception (a supervisor's call, audited with a reason)."""
    _require_supervisor(actor, "revokes")
    if not reason.strip():
        raise Invalid("a revocation needs a reason")
    row = _get_exception(session, exception_id)
    if row.status not in (PENDING, ACTIVE):
        raise Conflict(f"exception {exception_id} is already {row.status}")
    before = _state(row)
    row.status = REVOKED
    row.revoked_at = at
    audit.append(
        session,
        actor=actor.name,
        action="exception.revoke",
        target=f"exception:{row.id}",
        before=before,
        after={**_state(row), "reason": reason},
        at=at,
    )
    return row


def expire_due(session: Session, at: datetime) -> int:
    """Mark pending or active exceptions past their expiry as expired, one audit row each
    (actor `desk`); returns how many. Run by `desk ingest` on every poll."""
    due = (
        session.execute(
            select(ExceptionRow)
            .where(ExceptionRow.status.in_((PENDING, ACTIVE)), ExceptionRow.expires_at <= at)
            .order_by(ExceptionRow.id)
        )
        .scalars()
        .all()
    )
    for row in due:
        before = _state(row)
        row.status = EXPIRED
        audit.append(
            session,
            actor="desk",
            action="exception.expire",
            target=f"exception:{row.id}",
            before=before,
            after=_state(row),
            at=at,
        )
    return len(due)
