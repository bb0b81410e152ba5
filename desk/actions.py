"""What people do to cases: disposition, comment, and maker-checker release / confirm-block.

Each function runs inside the caller's transaction and appends its audit row there, so an
action and its audit record commit together or not at all. Effective outcomes (a disposition,
an approved release or block) are written to the outbox for `alerts.dispositions` in the same
transaction; desk/outbox.py sends them after the commit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit, outbox
from desk.auth import WRITERS, Actor, Role
from desk.cases import CaseStatus
from desk.db.models import AlertRow, Case, CaseAction, Comment, User
from desk.errors import Conflict, Forbidden, NotFound


class Disposition(StrEnum):
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"
    ESCALATE = "escalate"


class ProposalKind(StrEnum):
    RELEASE = "release"
    BLOCK = "block"


PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
DONE = "done"

_AFTER_DISPOSITION = {
    Disposition.TRUE_MATCH: CaseStatus.CLOSED,
    Disposition.FALSE_POSITIVE: CaseStatus.CLOSED,
    Disposition.ESCALATE: CaseStatus.ESCALATED,
}
_AFTER_APPROVAL = {
    ProposalKind.RELEASE: CaseStatus.RELEASED,
    ProposalKind.BLOCK: CaseStatus.BLOCKED,
}


def require_writer(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise Forbidden(f"role {actor.role} is read-only")


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def _state(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "disposition": case.disposition,
        "assignee_id": case.assignee_id,
    }


def _event(case: Case, session: Session, **fields: Any) -> dict[str, Any]:
    alerts = session.execute(
        select(AlertRow.alert_id, AlertRow.rule)
        .where(AlertRow.case_id == case.id)
        .order_by(AlertRow.alert_id)
    ).all()
    return {
        "case_id": case.id,
        "payment_id": case.payment_id,
        "alert_ids": [a for a, _ in alerts],
        "rules": sorted({r for _, r in alerts}),
        **fields,
    }


def add_comment(session: Session, actor: Actor, case_id: int, body: str, at: datetime) -> int:
    require_writer(actor)
    case = get_case(session, case_id)
    comment = Comment(case_id=case.id, user_id=actor.user_id, body=body, created_at=at)
    session.add(comment)
    session.flush()
    audit.append(
        session,
        actor=actor.name,
        action="case.comment",
        target=f"case:{case.id}",
        after={"comment_id": comment.id, "body": body},
        at=at,
    )
    return comment.id


def claim(session: Session, actor: Actor, case_id: int, at: datetime) -> None:
    require_writer(actor)
    case = get_case(session, case_id)
    before = _state(case)
    case.assignee_id = actor.user_id
    case.updated_at = at
    audit.append(
        session,
        actor=actor.name,
        action="case.claim",
        target=f"case:{case.id}",
        before=before,
        after=_state(case),
        at=at,
    )


def set_disposition(
    session: Session,
    actor: Actor,
    case_id: int,
    disposition: Disposition,
    comment: str | None,
    at: datetime,
) -> Case:
    """Record the analyst's verdict; it takes effect at once and goes to alerts.dispositions."""
    require_writer(actor)
    case = get_case(session, case_id)
    if case.status == CaseStatus.PENDING_APPROVAL:
        raise Conflict(f"case {case_id} has a proposal waiting for approval")
    before = _state(case)
    case.disposition = disposition.value
    case.status = _AFTER_DISPOSITION[disposition]
    case.updated_at = at
    session.add(
        CaseAction(
            case_id=case.id,
            kind=disposition.value,
            status=DONE,
            proposed_by=actor.user_id,
            proposed_at=at,
            decided_by=actor.user_id,
            decided_at=at,
            comment=comment,
        )
    )
    if comment:
        session.add(Comment(case_id=case.id, user_id=actor.user_id, body=comment, created_at=at))
    audit.append(
        session,
        actor=actor.name,
        action="case.disposition",
        target=f"case:{case.id}",
        before=before,
        after={**_state(case), "comment": comment},
        at=at,
    )
    outbox.enqueue(
        session,
        key=case.payment_id,
        payload=_event(
            case,
            session,
            type="disposition",
            disposition=disposition.value,
            by=actor.name,
            at=at.isoformat(),
        ),
        at=at,
    )
    return case


def propose(
    session: Session,
    actor: Actor,
    case_id: int,
    kind: ProposalKind,
    comment: str | None,
    at: datetime,
) -> CaseAction:
    """The maker's half: a release or confirm-block that waits for a supervisor."""
    require_writer(actor)
    case = get_case(session, case_id)
    if _pending(session, case.id) is not None:
        raise Conflict(f"case {case_id} already has a proposal waiting for approval")
    if case.status in (CaseStatus.RELEASED, CaseStatus.BLOCKED):
        raise Conflict(f"case {case_id} is already {case.status}")
    before = _state(case)
    proposal = CaseAction(
        case_id=case.id,
        kind=kind.value,
        status=PENDING,
        prior_status=case.status,
        proposed_by=actor.user_id,
        proposed_at=at,
        comment=comment,
    )
    session.add(proposal)
    case.status = CaseStatus.PENDING_APPROVAL
    case.updated_at = at
    session.flush()
    audit.append(
        session,
        actor=actor.name,
        action=f"case.propose_{kind.value}",
        target=f"case:{case.id}",
        before=before,
        after={**_state(case), "proposal_id": proposal.id, "comment": comment},
        at=at,
    )
    return proposal


def approve(session: Session, actor: Actor, case_id: int, at: datetime) -> CaseAction:
    """The checker's half: only a supervisor, and never the proposer (four eyes)."""
    require_writer(actor)
    if actor.role != Role.SUPERVISOR:
        raise Forbidden("only a supervisor approves a release or block")
    case = get_case(session, case_id)
    proposal = _require_pending(session, case)
    if proposal.proposed_by == actor.user_id:
        raise Forbidden("four-eyes: the proposer cannot approve their own proposal")
    before = _state(case)
    kind = ProposalKind(proposal.kind)
    _decide(proposal, APPROVED, actor, at)
    case.status = _AFTER_APPROVAL[kind]
    case.updated_at = at
    audit.append(
        session,
        actor=actor.name,
        action=f"case.approve_{kind.value}",
        target=f"case:{case.id}",
        before=before,
        after={**_state(case), "proposal_id": proposal.id},
        at=at,
    )
    outbox.enqueue(
        session,
        key=case.payment_id,
        payload=_event(
            case,
            session,
            type=kind.value,
            proposed_by=_user_name(session, proposal.proposed_by),
            approved_by=actor.name,
            at=at.isoformat(),
        ),
        at=at,
    )
    return proposal


def reject(
    session: Session, actor: Actor, case_id: int, comment: str | None, at: datetime
) -> CaseAction:
    """Turn a pending proposal down (a supervisor) or withdraw it (its proposer); the case
    returns to the status it had before the proposal. Nothing is published: nothing changed
    for the gateway."""
    require_writer(actor)
    case = get_case(session, case_id)
    proposal = _require_pending(session, case)
    if actor.role != Role.SUPERVISOR and proposal.proposed_by != actor.user_id:
        raise Forbidden("only a supervisor or the proposer turns a proposal down")
    before = _state(case)
    _decide(proposal, REJECTED, actor, at)
    case.status = proposal.prior_status or CaseStatus.OPEN
    case.updated_at = at
    audit.append(
        session,
        actor=actor.name,
        action=f"case.reject_{proposal.kind}",
        target=f"case:{case.id}",
        before=before,
        after={**_state(case), "proposal_id": proposal.id, "comment": comment},
        at=at,
    )
    return proposal


def _pending(session: Session, case_id: int) -> CaseAction | None:
    return session.execute(
        select(CaseAction).where(CaseAction.case_id == case_id, CaseAction.status == PENDING)
    ).scalar()


def _require_pending(session: Session, case: Case) -> CaseAction:
    """The case's proposal waiting for approval; approve and reject have nothing to act on
    without one."""
    proposal = _pending(session, case.id)
    if proposal is None:
        raise Conflict(f"case {case.id} has no proposal waiting for approval")
    return proposal


def _decide(proposal: CaseAction, status: str, actor: Actor, at: datetime) -> None:
    """Close a proposal as approved or rejected, stamped with who decided and when."""
    proposal.status = status
    proposal.decided_by = actor.user_id
    proposal.decided_at = at


def _user_name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.name if user is not None else f"user:{user_id}"
