"""Good-guy exceptions: an audited statement that a party is not a list entry, for one rule,
until an expiry no more than 180 days away.

An exception is granted from a stored alert (so the desk knows the finding it covers and the
list version it was judged against), never for an identifier hit (a BIC, IBAN bank code,
clearing id or IMO number names the listed thing itself), and takes effect only when a
supervisor other than its requester approves it.

At approval the desk takes the content hash of the list entry from the lists the workers
screen with (`EntryLookup`; refused when that list has moved on from the version the alert
was judged against), and publishes the exception through the outbox to the compacted
`exceptions` topic; revocation and expiry of an active exception are published the same way.
Workers (streams/exceptions_follow.py) suppress what it covers (rules/suppression.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit, outbox
from desk.actions import require_writer
from desk.auth import Actor, Role
from desk.db.models import AlertRow, ExceptionRow
from desk.errors import Conflict, Forbidden, Invalid, NotFound
from infra.topics import EXCEPTIONS
from rules.lists.base import ReferenceList
from rules.suppression import (
    entry_content_hash,
    is_identifier_hit,
    normalise_fingerprint,
    normalise_identifier,
    normalise_party_name,
)
from screening.exception_wire import exception_record

MAX_DAYS = 180


class EntryLookup(Protocol):
    """The lists as the workers screen with them now (desk/list_lookup.py)."""

    def current_list(self, name: str) -> ReferenceList | None: ...


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
        "entry_hash": row.entry_hash,
    }


def _publish(session: Session, row: ExceptionRow, at: datetime) -> None:
    """Queue the exception's current state for the `exceptions` topic (sent after commit)."""
    record = exception_record(
        exception_id=row.id,
        status=row.status,
        rule=row.rule,
        entry_id=row.entry_id,
        list_name=row.list_name,
        party_fingerprint=row.party_fingerprint,
        entry_hash=row.entry_hash,
        expires_at=row.expires_at,
    )
    outbox.enqueue(session, key=str(row.id), payload=record, at=at, topic=EXCEPTIONS)


def _entry_hash(row: ExceptionRow, entries: EntryLookup) -> str:
    """The hash of the entry as the workers screen with it, if it is still the one judged."""
    reference = entries.current_list(row.list_name) if row.list_name else None
    if reference is None:
        raise Conflict(f"list {row.list_name} is not among the lists the workers screen with")
    if row.list_version and reference.version != row.list_version:
        raise Conflict(
            f"list {row.list_name} changed since the alert (judged against {row.list_version}, "
            f"now {reference.version}): request the exception again from a new alert"
        )
    entry = next((e for e in reference.entries if e.entry_id == row.entry_id), None)
    if entry is None:
        raise Conflict(f"list entry {row.entry_id} is no longer on {row.list_name}")
    return entry_content_hash(entry)


def as_json(row: ExceptionRow) -> dict[str, Any]:
    return {**_state(row), "created_at": row.created_at.isoformat(), "created_by": row.created_by}


def _check_names_the_party(
    fingerprint: str, findings: list[dict[str, Any]], payment: dict[str, Any]
) -> None:
    """Refuse a fingerprint that cannot match the alerted debtor or creditor (a typo would make
    an approved exception that covers nothing). The alert's payment summary has the parties'
    names and masked accounts: the name is always compared, the identifier when it is an
    account. Agents and ultimate parties are not checked (the summary lacks their details)."""
    name, _, identifier = fingerprint.rpartition("|")
    fields = {str(f.get("field", "")).split(".", 1)[0] for f in findings}
    for side in ("debtor", "creditor"):
        if side not in fields or not payment.get(f"{side}_name"):
            continue
        if normalise_party_name(name) != normalise_party_name(payment[f"{side}_name"]):
            raise Invalid(
                f"party_fingerprint names {normalise_party_name(name)!r}, but the {side} is "
                f"{normalise_party_name(payment[f'{side}_name'])!r}"
            )
        account = payment.get(f"{side}_account")
        given = normalise_identifier(identifier)
        if account and "*" in given and given != normalise_identifier(account):
            raise Invalid(f"party_fingerprint's account is not the {side}'s ({account})")


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
    if not normalise_fingerprint(party_fingerprint):
        raise Invalid("party_fingerprint must be 'normalised name|account or BIC'")
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
    if any(is_identifier_hit(f.get("match_method")) for f in findings):
        raise Invalid(
            "the finding is an identifier hit (BIC, IBAN, clearing id or IMO): an exception "
            "never covers an identifier"
        )
    _check_names_the_party(party_fingerprint, findings, alert.alert_json.get("payment", {}))
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
    session: Session,
    actor: Actor,
    exception_id: int,
    at: datetime,
    entries: EntryLookup | None = None,
) -> ExceptionRow:
    """Activate a pending exception and publish it. Without `entries` (tests of the desk alone)
    no entry hash is taken, and the published exception covers nothing in the workers."""
    _require_supervisor(actor, "approves")
    row = _get_exception(session, exception_id)
    if row.status != PENDING:
        raise Conflict(f"exception {exception_id} is {row.status}, not pending")
    if row.created_by == actor.user_id:
        raise Forbidden("four-eyes: the requester cannot approve their own exception")
    before = _state(row)
    if entries is not None:
        row.entry_hash = _entry_hash(row, entries)
    row.status = ACTIVE
    row.approved_by = actor.user_id
    row.approved_at = at
    _publish(session, row, at)
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
    if before["status"] == ACTIVE:
        _publish(session, row, at)
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
        if before["status"] == ACTIVE:
            _publish(session, row, at)
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
