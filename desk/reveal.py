"""Revealing a masked account: a supervisor's permission, audited every time it is asked for.

The desk only ever receives masked accounts (alerts carry a masked payment summary). The full
payment lives in the worker's compacted store `payments.screened` (docs/rescreen.md): keyed by
payment id, stamped with the payment's created_at, in the debtor's partition. A reveal finds the
record by time (desk/screened.py: offsets_for_times at created_at minus a margin on every
partition, then a bounded read forward) and hands back one party's account. Every attempt,
granted or refused, is appended to the hash-chained audit trail with who, when, case, party and
reason, and never the account itself; nothing here logs an account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from desk import actions, audit
from desk.auth import Actor, Role
from desk.errors import DeskError, Forbidden, Invalid, NotFound
from desk.screened import ScreenedStore as ScreenedStore  # the store a reveal reads
from desk.screened import Unavailable

PARTIES: tuple[str, ...] = ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor")
"""The parties that carry an account (agents are banks, identified by BIC)."""

REVEALERS = frozenset({Role.SUPERVISOR})
"""Who may see a full account: supervisors. Analysts work on the masked payment; the auditor
reads the trail (which records every reveal) and never the accounts."""


class AccountLookup(Protocol):
    def payment(self, payment_id: str, created_at: datetime) -> dict[str, Any]:
        """The full payment as screened; NotFound when the store no longer has it,
        Unavailable when the store cannot be read."""
        ...


def reveal(
    session: Session,
    actor: Actor,
    case_id: int,
    party: str,
    reason: str,
    lookup: AccountLookup | None,
    at: datetime,
) -> str:
    """One party's full account, for a permitted actor with a reason. The attempt is appended to
    the audit trail in the caller's transaction whatever its outcome: the caller commits even
    when this raises."""
    case = actions.get_case(session, case_id)
    reason = reason.strip()

    def record(outcome: str) -> None:
        audit.append(
            session,
            actor=actor.name,
            action="account.reveal",
            target=f"case:{case.id}",
            after={"party": party, "reason": reason, "outcome": outcome},
            at=at,
        )

    if actor.role not in REVEALERS:
        record("refused: not permitted")
        raise Forbidden("revealing an account needs the supervisor role")
    if party not in PARTIES:
        record("refused: unknown party")
        raise Invalid(f"party must be one of {', '.join(PARTIES)}")
    if not reason:
        record("refused: no reason")
        raise Invalid("give the reason for revealing the account")
    created = (case.payment_json or {}).get("created_at")
    if lookup is None or not created:
        record("failed: no payment store")
        raise Unavailable("this desk has no payment store to reveal accounts from")
    try:
        payment = lookup.payment(case.payment_id, datetime.fromisoformat(created))
    except DeskError as error:
        record(f"failed: {error.message}")
        raise
    holder = payment.get(party)
    account = holder.get("account") if isinstance(holder, dict) else None
    if not account:
        record("failed: no account")
        raise NotFound(f"the payment's {party} has no account")
    record("revealed")
    return str(account)
