"""The desk's HTTP API (FastAPI). Every endpoint needs `Authorization: Bearer TOKEN`; no or a bad
token answers 401. Writes need the analyst or supervisor role (auditor: 403); approvals need the
supervisor role and a different user than the proposer (403). Bodies and answers are JSON; the
interface is documented in docs/desk.md.
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at
# runtime, and they name dependency types local to create_app.
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import actions, audit, cases, debtor_history, exceptions, outbox, reports, reveal
from desk import sessions as logins
from desk.auth import Actor, actor_for_token
from desk.db.models import AlertRow, CaseAction, Comment, User
from desk.errors import DeskError, Forbidden, Unauthorized
from desk.metrics import DeskMetrics
from desk.str_draft import GoamlSettings, draft_for_case
from desk.web import register_pages
from schemas.common import Severity

log = logging.getLogger("dinarwatch.desk.api")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class DispositionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: actions.Disposition
    comment: str | None = Field(default=None, max_length=10_000)


class ProposalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str | None = Field(default=None, max_length=10_000)


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(min_length=1, max_length=10_000)


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=10_000)


class RevealBody(BaseModel):
    """Loose on purpose: a missing reason or unknown party is refused by desk/reveal.py,
    which audits the refusal (a 422 from validation would leave no trace)."""

    model_config = ConfigDict(extra="forbid")
    party: str = Field(default="", max_length=40)
    reason: str = Field(default="", max_length=2_000)


class ExceptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alert_id: str
    rule: str
    party_fingerprint: str = Field(max_length=300)
    entry_id: str
    reason: str = Field(max_length=10_000)
    expires_at: AwareDatetime


def create_app(
    sessions: sessionmaker[Session],
    publisher: outbox.Publisher,
    metrics: DeskMetrics | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sla: Mapping[Severity, timedelta] | None = None,
    entries: exceptions.EntryLookup | None = None,
    goaml: GoamlSettings | None = None,
    accounts: reveal.AccountLookup | None = None,
) -> FastAPI:
    """The API over a migrated database; effective actions are sent with `publisher` after
    their transaction commits (see desk/outbox.py)."""
    desk_metrics = metrics or DeskMetrics()
    app = FastAPI(title="dinarwatch desk", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(DeskError)
    async def desk_error(request: Request, exc: DeskError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)

    def session() -> Iterator[Session]:
        with sessions() as s:
            yield s

    Db = Annotated[Session, Depends(session)]

    def actor(request: Request, db: Db) -> Actor:
        """A bearer token (machines), else a session cookie (people; writes also need the
        session's CSRF token in X-CSRF-Token)."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("authentication required: send Authorization: Bearer TOKEN")
            found = actor_for_token(db, token.strip())
            if found is None:
                raise Unauthorized("the bearer token is unknown or revoked")
            return found
        cookie = request.cookies.get(logins.COOKIE)
        if not cookie:
            raise Unauthorized(
                "authentication required: send Authorization: Bearer TOKEN or log in"
            )
        live = logins.actor_for_session(db, cookie, clock())
        if live is None:
            raise Unauthorized("the session has expired or was closed: log in again")
        who, csrf_hash = live
        if request.method not in SAFE_METHODS and not logins.csrf_matches(
            csrf_hash, request.headers.get(logins.CSRF_HEADER)
        ):
            raise Forbidden("missing or wrong CSRF token: send the X-CSRF-Token from the login")
        return who

    Who = Annotated[Actor, Depends(actor)]

    def writer(db: Db, later: BackgroundTasks) -> Callable[[str, Callable[[], Any]], Any]:
        """Run one action in one transaction; what it put in the outbox is sent after the
        response (a slow or absent broker never holds up the analyst)."""

        def write(name: str, change: Callable[[], Any]) -> Any:
            try:
                result = change()
                db.commit()
            except DeskError:
                db.rollback()
                desk_metrics.actions.labels(name, "refused").inc()
                raise
            desk_metrics.actions.labels(name, "ok").inc()
            later.add_task(outbox.flush, sessions, publisher)
            return result

        return write

    Write = Annotated[Callable[[str, Callable[[], Any]], Any], Depends(writer)]

    @app.post("/api/login")
    def login(body: LoginBody, request: Request, db: Db) -> JSONResponse:
        address = request.client.host if request.client else "unknown"
        try:
            opened = logins.login(db, body.name, body.password, address, clock())
        finally:
            db.commit()  # the attempt is kept whether the login succeeded or not
        answer = JSONResponse(
            {
                "user": opened.actor.name,
                "role": opened.actor.role.value,
                "csrf_token": opened.csrf_token,
                "expires_at": opened.expires_at.isoformat(),
            }
        )
        answer.set_cookie(
            logins.COOKIE,
            opened.cookie,
            max_age=int(logins.SESSION_LIFETIME.total_seconds()),
            path="/",
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return answer

    @app.post("/api/logout")
    def logout(request: Request, db: Db, who: Who) -> JSONResponse:
        cookie = request.cookies.get(logins.COOKIE)
        if cookie:
            logins.logout(db, cookie, clock())
            db.commit()
        answer = JSONResponse({"user": who.name, "logged_out": True})
        answer.delete_cookie(logins.COOKIE, path="/", secure=True, httponly=True)
        return answer

    @app.get("/api/cases")
    def list_cases(
        db: Db,
        who: Who,
        status: str | None = None,
        rule: str | None = None,
        severity: str | None = None,
        payment_id: str | None = None,
        uetr: Annotated[str | None, Query(max_length=36)] = None,
        party: Annotated[str | None, Query(max_length=200)] = None,
        bank: Annotated[str | None, Query(max_length=11)] = None,
        assignee: str | None = None,
        opened_from: AwareDatetime | None = None,
        opened_to: AwareDatetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        assignee_id = None
        if assignee is not None:
            user = db.execute(select(User).where(User.name == assignee)).scalar()
            if user is None:
                return {"total": 0, "total_exact": True, "cases": []}
            assignee_id = user.id
        found = cases.list_cases(
            db,
            status=status,
            rule=rule,
            severity=severity,
            payment_id=payment_id,
            uetr=uetr,
            party=party,
            bank=bank,
            assignee_id=assignee_id,
            opened_from=opened_from,
            opened_to=opened_to,
            limit=limit,
            offset=offset,
        )
        return {
            "total": found.total,
            "total_exact": found.exact,
            "cases": [c.as_json() for c in found.cases],
        }

    @app.get("/api/cases/{case_id}")
    def case_detail(case_id: int, db: Db, who: Who) -> dict[str, Any]:
        case = actions.get_case(db, case_id)
        alerts = db.execute(
            select(AlertRow).where(AlertRow.case_id == case.id).order_by(AlertRow.alert_id)
        ).scalars()
        comments = db.execute(
            select(Comment).where(Comment.case_id == case.id).order_by(Comment.id)
        ).scalars()
        history = db.execute(
            select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)
        ).scalars()
        [summary] = cases.list_cases(db, payment_id=case.payment_id, limit=1).cases
        return {
            **summary.as_json(),
            "decision": case.decision,
            "payment": case.payment_json,
            "alerts": [a.alert_json for a in alerts],
            "comments": [
                {"user_id": c.user_id, "body": c.body, "created_at": c.created_at.isoformat()}
                for c in comments
            ],
            "actions": [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "status": a.status,
                    "proposed_by": a.proposed_by,
                    "decided_by": a.decided_by,
                    "comment": a.comment,
                }
                for a in history
            ],
        }

    goaml_settings = goaml or GoamlSettings.from_environment(os.environ)

    @app.get("/api/cases/{case_id}/str")
    def str_draft(
        case_id: int,
        db: Db,
        who: Who,
        format: Annotated[str, Query(pattern="^(json|xml)$")] = "json",
    ) -> Response:
        draft = draft_for_case(db, case_id, goaml_settings, who.name, clock())
        db.commit()  # the export is audited
        if format == "xml":
            return Response(draft.xml, media_type="application/xml")
        return JSONResponse(draft.as_json())

    @app.post("/api/cases/{case_id}/disposition")
    def disposition(
        case_id: int, body: DispositionBody, db: Db, who: Who, write: Write
    ) -> dict[str, Any]:
        case = write(
            "disposition",
            lambda: actions.set_disposition(
                db, who, case_id, body.disposition, body.comment, clock()
            ),
        )
        return {"case_id": case.id, "status": case.status, "disposition": case.disposition}

    @app.post("/api/cases/{case_id}/comments")
    def comment(case_id: int, body: CommentBody, db: Db, who: Who, write: Write) -> dict[str, Any]:
        comment_id = write(
            "comment", lambda: actions.add_comment(db, who, case_id, body.comment, clock())
        )
        return {"case_id": case_id, "comment_id": comment_id}

    @app.post("/api/cases/{case_id}/claim")
    def claim(case_id: int, db: Db, who: Who, write: Write) -> dict[str, Any]:
        write("claim", lambda: actions.claim(db, who, case_id, clock()))
        return {"case_id": case_id, "assignee": who.name}

    def proposal_endpoint(kind: actions.ProposalKind) -> Callable[..., dict[str, Any]]:
        def propose(
            case_id: int, db: Db, who: Who, write: Write, body: ProposalBody | None = None
        ) -> dict[str, Any]:
            note = body.comment if body is not None else None
            proposal = write(
                f"propose_{kind.value}",
                lambda: actions.propose(db, who, case_id, kind, note, clock()),
            )
            return {
                "case_id": case_id,
                "proposal_id": proposal.id,
                "kind": kind.value,
                "status": "pending_approval",
            }

        return propose

    app.post("/api/cases/{case_id}/release")(proposal_endpoint(actions.ProposalKind.RELEASE))
    app.post("/api/cases/{case_id}/block")(proposal_endpoint(actions.ProposalKind.BLOCK))

    def decided(db: Session, case_id: int, proposal: CaseAction) -> dict[str, Any]:
        """The answer to an approve or reject: the proposal and the status the case now has."""
        case = actions.get_case(db, case_id)
        return {"case_id": case_id, "proposal_id": proposal.id, "status": case.status}

    @app.post("/api/cases/{case_id}/approve")
    def approve(case_id: int, db: Db, who: Who, write: Write) -> dict[str, Any]:
        proposal = write("approve", lambda: actions.approve(db, who, case_id, clock()))
        return decided(db, case_id, proposal)

    @app.post("/api/cases/{case_id}/reject")
    def reject(
        case_id: int, db: Db, who: Who, write: Write, body: ProposalBody | None = None
    ) -> dict[str, Any]:
        note = body.comment if body is not None else None
        proposal = write("reject", lambda: actions.reject(db, who, case_id, note, clock()))
        return decided(db, case_id, proposal)

    @app.post("/api/cases/{case_id}/reveal")
    def reveal_account(case_id: int, body: RevealBody, db: Db, who: Who) -> JSONResponse:
        try:
            account = reveal.reveal(db, who, case_id, body.party, body.reason, accounts, clock())
        except DeskError:
            desk_metrics.actions.labels("reveal", "refused").inc()
            raise
        finally:
            db.commit()  # the attempt is audited whether it was granted or not
        desk_metrics.actions.labels("reveal", "ok").inc()
        return JSONResponse(
            {"case_id": case_id, "party": body.party, "account": account},
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/api/cases/{case_id}/debtor")
    def debtor_payments(case_id: int, db: Db, who: Who) -> JSONResponse:
        """The debtor's recent payments and window state (masked), read from the store."""
        try:
            history = debtor_history.show(db, who, case_id, accounts, clock())
        finally:
            db.commit()  # the read of the store is audited whatever its outcome
        return JSONResponse(history.as_json(), headers={"Cache-Control": "no-store"})

    @app.post("/api/exceptions", status_code=201)
    def request_exception(body: ExceptionBody, db: Db, who: Who, write: Write) -> dict[str, Any]:
        row = write(
            "exception_request",
            lambda: exceptions.request_exception(
                db,
                who,
                alert_id=body.alert_id,
                rule=body.rule,
                party_fingerprint=body.party_fingerprint,
                entry_id=body.entry_id,
                reason=body.reason,
                expires_at=body.expires_at,
                at=clock(),
            ),
        )
        return exceptions.as_json(row)

    @app.post("/api/exceptions/{exception_id}/approve")
    def approve_exception(exception_id: int, db: Db, who: Who, write: Write) -> dict[str, Any]:
        row = write(
            "exception_approve",
            lambda: exceptions.approve_exception(db, who, exception_id, clock(), entries),
        )
        return exceptions.as_json(row)

    @app.post("/api/exceptions/{exception_id}/revoke")
    def revoke_exception(
        exception_id: int, body: RevokeBody, db: Db, who: Who, write: Write
    ) -> dict[str, Any]:
        row = write(
            "exception_revoke",
            lambda: exceptions.revoke_exception(db, who, exception_id, body.reason, clock()),
        )
        return exceptions.as_json(row)

    @app.get("/api/exceptions")
    def list_exceptions(db: Db, who: Who) -> dict[str, Any]:
        return {"exceptions": [exceptions.as_json(r) for r in exceptions.list_exceptions(db)]}

    @app.get("/api/audit/verify")
    def verify_audit(db: Db, who: Who) -> dict[str, Any]:
        report = audit.verify(db)
        return {
            "intact": report.intact,
            "rows": report.rows,
            "head": report.head,
            "bad_row": report.bad_id,
            "problem": report.problem,
        }

    @app.get("/api/audit/export")
    def export_audit(
        db: Db, who: Who, format: Annotated[str, Query(pattern="^(jsonl|csv)$")] = "jsonl"
    ) -> StreamingResponse:
        if format == "csv":
            return StreamingResponse(reports.audit_csv(db), media_type="text/csv")
        return StreamingResponse(reports.audit_jsonl(db), media_type="application/x-ndjson")

    @app.get("/metrics")
    def metrics_endpoint(db: Db, who: Who) -> Response:
        desk_metrics.outbox_pending.set(outbox.pending_count(db))
        reports.refresh_case_metrics(db, desk_metrics, clock(), sla)
        return Response(generate_latest(desk_metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.state.accounts = accounts  # the case page's Reveal button reads it
    register_pages(app, sessions, publisher, desk_metrics, clock, sla)  # desk/web: HTML pages
    return app
