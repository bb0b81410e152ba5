"""The desk's pages: login, queue, case, printable summary, dashboard (server-rendered HTML).

Every page needs a logged-in person (a redirect to /login otherwise); every form post needs the
session's CSRF token (403 otherwise) and goes through the same functions as the JSON API
(desk/actions.py), so the roles, the four-eyes rule, the audit rows and the outbox are the
same whichever way an action comes in. htmx posts the case actions and swaps the case's work
panel; without script the same forms post normally and redirect back.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at runtime.
import hmac
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from desk import actions, debtor_history, outbox, reveal
from desk import sessions as logins
from desk.cases import CaseStatus
from desk.errors import DeskError, Forbidden, Invalid
from desk.metrics import DeskMetrics
from desk.sla import DEFAULT_SLA
from desk.web import views
from desk.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    LoginRequired,
    Viewer,
    WebSettings,
    csrf_ok,
    form_fields,
    login_url,
    safe_next,
    viewer_for,
)
from schemas.common import Severity

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
TEMPLATES.env.filters["money"] = views.money
TEMPLATES.env.filters["utc"] = lambda d: d.strftime("%Y-%m-%d %H:%M UTC") if d else ""
SEVERITIES = [s.value for s in Severity][::-1]
DISPOSITIONS = [d.value for d in actions.Disposition]


def _cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def _apply_cookies(request: Request, response: Response) -> Response:
    """Cookies a trusted-proxy login opened during this request."""
    fresh: dict[str, str] = getattr(request.state, "new_cookies", {})
    lifetime = int(logins.SESSION_LIFETIME.total_seconds())
    for name, value in fresh.items():
        _cookie(response, name, value, lifetime)
    return response


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def register_pages(
    app: FastAPI,
    sessions: sessionmaker[Session],
    publisher: outbox.Publisher,
    metrics: DeskMetrics,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sla: Mapping[Severity, timedelta] | None = None,
    settings: WebSettings | None = None,
) -> None:
    """Add the pages and /static to the API's app (settings default to the environment)."""
    web = settings or WebSettings.from_environment(os.environ)
    limits = {s.value: v for s, v in (sla or DEFAULT_SLA).items()}
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = login_url(exc.next_path)
        if exc.message:
            target += "&" + urlencode({"why": exc.message})
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    def session() -> Iterator[Session]:
        with sessions() as s:
            yield s

    Db = Annotated[Session, Depends(session)]

    def viewer(request: Request, db: Db) -> Viewer:
        return viewer_for(request, db, web, clock())

    Who = Annotated[Viewer, Depends(viewer)]

    def page(
        request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> Response:
        answer = TEMPLATES.TemplateResponse(
            request,
            name,
            {"severities": SEVERITIES, "statuses": CaseStatus.ALL, **context},
            status_code=status_code,
        )
        answer.headers["Cache-Control"] = "no-store"
        answer.headers["X-Frame-Options"] = "DENY"
        answer.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        return _apply_cookies(request, answer)

    # --- login -------------------------------------------------------------------------

    def login_form(
        request: Request, next_path: str, error: str = "", why: str = "", status_code: int = 200
    ) -> Response:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        answer = page(
            request,
            "login.html",
            {"next": next_path, "error": error, "why": why, "login_csrf": token},
            status_code,
        )
        _cookie(answer, LOGIN_CSRF_COOKIE, token, 3600)
        return answer

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/", why: str = "") -> Response:
        return login_form(request, safe_next(next), why=why[:200])

    @app.post("/login")
    async def login_post(request: Request, db: Db) -> Response:
        fields = await form_fields(request)
        next_path = safe_next(fields.get("next"))
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or not hmac.compare_digest(
            expected.encode(), fields.get(CSRF_FIELD, "").encode()
        ):
            return login_form(request, next_path, "the form expired: try again", status_code=403)
        address = request.client.host if request.client else "unknown"
        try:
            opened = logins.login(
                db,
                fields.get("name", "")[:100],
                fields.get("password", "")[:1000],
                address,
                clock(),
            )
        except DeskError as refused:
            db.commit()  # the attempt counts for the rate limit
            return login_form(request, next_path, refused.message, status_code=refused.status)
        db.commit()
        answer = RedirectResponse(next_path, status_code=303)
        lifetime = int(logins.SESSION_LIFETIME.total_seconds())
        _cookie(answer, logins.COOKIE, opened.cookie, lifetime)
        _cookie(answer, CSRF_COOKIE, opened.csrf_token, lifetime)
        answer.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return answer

    @app.post("/logout")
    async def logout_post(request: Request, db: Db, who: Who) -> Response:
        fields = await form_fields(request)
        if not csrf_ok(who, request, fields):
            raise Forbidden("missing or wrong CSRF token")
        cookie = request.cookies.get(logins.COOKIE)
        if cookie:
            logins.logout(db, cookie, clock())
            db.commit()
        answer = RedirectResponse("/login", status_code=303)
        answer.delete_cookie(logins.COOKIE, path="/", secure=True, httponly=True)
        answer.delete_cookie(CSRF_COOKIE, path="/", secure=True, httponly=True)
        return answer

    # --- queue, dashboard --------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(who: Who) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue_page(
        request: Request,
        db: Db,
        who: Who,
        q: str = "",
        status: str = "",
        rule: str = "",
        severity: str = "",
        bank: str = "",
        assignee: str = "",
        opened_from: str = "",
        opened_to: str = "",
    ) -> Response:
        number = request.query_params.get("page", "1")
        filters = views.QueueFilters(
            q=q[:200],
            status=status if status in CaseStatus.ALL else "",
            rule=rule[:50],
            severity=severity if severity in SEVERITIES else "",
            bank=bank[:11],
            assignee=assignee[:100],
            opened_from=_parse_date(opened_from),
            opened_to=_parse_date(opened_to),
            page=int(number) if number.isdigit() and 0 < int(number) < 1_000_000 else 1,
        )
        found = views.queue(db, filters, clock(), limits)
        return page(
            request,
            "queue.html",
            {"who": who, "queue": found, "f": filters, "urlencode": urlencode},
        )

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard_page(request: Request, db: Db, who: Who) -> Response:
        return page(request, "dashboard.html", {"who": who, "d": views.dashboard(db, clock())})

    # --- case ------------------------------------------------------------------------------

    def case_context(db: Session, who: Viewer, case_id: int, **extra: Any) -> dict[str, Any]:
        case = actions.get_case(db, case_id)
        view = views.case_view(db, case, clock())
        return {"who": who, "v": view, "dispositions": DISPOSITIONS, **extra}

    @app.get("/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: int, db: Db, who: Who, done: str = "") -> Response:
        try:
            context = case_context(db, who, case_id, notice=done[:200])
        except DeskError as missing:
            return page(request, "error.html", {"who": who, "error": missing.message}, 404)
        return page(request, "case.html", context)

    @app.get("/cases/{case_id}/print", response_class=HTMLResponse)
    def case_print(request: Request, case_id: int, db: Db, who: Who) -> Response:
        try:
            context = case_context(db, who, case_id, printed_at=clock())
        except DeskError as missing:
            return page(request, "error.html", {"who": who, "error": missing.message}, 404)
        return page(request, "print.html", context)

    def act(
        name: str, change: Callable[[Session, Viewer, dict[str, str]], Any], done: str
    ) -> Callable[..., Any]:
        async def endpoint(
            request: Request, case_id: int, db: Db, who: Who, later: BackgroundTasks
        ) -> Response:
            fields = await form_fields(request)
            htmx = bool(request.headers.get("hx-request"))
            if not csrf_ok(who, request, fields):
                metrics.actions.labels(name, "refused").inc()
                return refused(request, db, who, case_id, htmx, 403, "missing or wrong CSRF token")
            try:
                change(db, who, fields | {"case_id": str(case_id)})
                db.commit()
            except DeskError as error:
                db.rollback()
                metrics.actions.labels(name, "refused").inc()
                return refused(request, db, who, case_id, htmx, error.status, error.message)
            metrics.actions.labels(name, "ok").inc()
            later.add_task(outbox.flush, sessions, publisher)
            if htmx:
                return page(request, "_panel.html", case_context(db, who, case_id, notice=done))
            return RedirectResponse(
                f"/cases/{case_id}?" + urlencode({"done": done}), status_code=303
            )

        app.post(f"/cases/{{case_id}}/{name}")(endpoint)
        return endpoint

    def refused(
        request: Request,
        db: Session,
        who: Viewer,
        case_id: int,
        htmx: bool,
        status: int,
        message: str,
    ) -> Response:
        try:
            context = case_context(db, who, case_id, error=message)
        except DeskError as missing:
            return page(request, "error.html", {"who": who, "error": missing.message}, 404)
        return page(request, "_panel.html" if htmx else "case.html", context, status)

    def at() -> datetime:
        return clock()

    def case_id_of(fields: dict[str, str]) -> int:
        return int(fields["case_id"])

    def note(fields: dict[str, str]) -> str | None:
        text = fields.get("comment", "").strip()[:10_000]
        return text or None

    act(
        "claim",
        lambda db, who, f: actions.claim(db, who.actor, case_id_of(f), at()),
        "claimed",
    )

    def comment(db: Session, who: Viewer, f: dict[str, str]) -> Any:
        text = note(f)
        if text is None:
            raise Invalid("write a comment first")
        return actions.add_comment(db, who.actor, case_id_of(f), text, at())

    act("comment", comment, "comment added")

    def disposition(db: Session, who: Viewer, f: dict[str, str]) -> Any:
        value = f.get("disposition", "")
        if value not in DISPOSITIONS:
            raise Invalid("choose a disposition")
        return actions.set_disposition(
            db, who.actor, case_id_of(f), actions.Disposition(value), note(f), at()
        )

    act("disposition", disposition, "disposition recorded")
    for kind in actions.ProposalKind:

        def propose(
            db: Session, who: Viewer, f: dict[str, str], kind: actions.ProposalKind = kind
        ) -> Any:
            return actions.propose(db, who.actor, case_id_of(f), kind, note(f), at())

        act(kind.value, propose, f"{kind.value} proposed: a different supervisor approves it")
    act(
        "approve",
        lambda db, who, f: actions.approve(db, who.actor, case_id_of(f), at()),
        "approved",
    )
    act(
        "reject",
        lambda db, who, f: actions.reject(db, who.actor, case_id_of(f), note(f), at()),
        "proposal turned down",
    )

    @app.post("/cases/{case_id}/reveal", response_class=HTMLResponse)
    async def reveal_page(request: Request, case_id: int, db: Db, who: Who) -> Response:
        """The Reveal button (htmx): one party's full account in a fragment, never a page that
        a browser would cache or a log would keep; every attempt is audited (desk/reveal.py)."""
        fields = await form_fields(request)
        if not csrf_ok(who, request, fields):
            return page(request, "_revealed.html", {"error": "missing or wrong CSRF token"}, 403)
        party = fields.get("party", "")
        try:
            account = reveal.reveal(
                db,
                who.actor,
                case_id,
                party,
                fields.get("reason", "")[:2_000],
                request.app.state.accounts,
                at(),
            )
        except DeskError as error:
            db.commit()  # the refused attempt stays in the audit trail
            metrics.actions.labels("reveal", "refused").inc()
            return page(request, "_revealed.html", {"error": error.message}, error.status)
        db.commit()
        metrics.actions.labels("reveal", "ok").inc()
        return page(request, "_revealed.html", {"party": party, "account": account})

    @app.get("/cases/{case_id}/debtor", response_class=HTMLResponse)
    def debtor_panel(request: Request, case_id: int, db: Db, who: Who) -> Response:
        """The debtor panel, loaded on demand (htmx): the only case-page read of the store,
        audited (desk/debtor_history.py). The desk's htmx swaps 2xx-4xx answers only, so a
        store failure answers an htmx request 200 with the message in place."""
        try:
            history = debtor_history.show(db, who.actor, case_id, request.app.state.accounts, at())
        except DeskError as error:
            db.commit()  # the failed read stays in the audit trail
            htmx = bool(request.headers.get("hx-request"))
            status = 200 if htmx and error.status >= 500 else error.status
            return page(request, "_debtor.html", {"error": error.message}, status)
        db.commit()
        return page(request, "_debtor.html", {"h": history})
