"""Who is looking at a page, and whether a form post really comes from the desk's own page.

People log in with a password (desk/sessions.py): the session cookie plus a CSRF token. The
database keeps only the token's SHA-256, so the pages keep the token itself in a second cookie
(HttpOnly, Secure, SameSite=Strict) and write it into every form and htmx request; a post is
accepted only when the token it *carries* (form field or `X-CSRF-Token`) matches the session's
hash. Another site can make the browser send the cookies but cannot read the page, so it cannot
send the token.

Optionally an OIDC proxy in front of the desk names the user in a header. The header is
believed only when both settings are given and the request comes from one of the trusted proxy
addresses; the desk then opens a session for that user (audited like a password login), so the
CSRF rule is the same for everybody.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, quote

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit
from desk import sessions as logins
from desk.auth import Actor, Role, token_digest
from desk.db.models import LoginSession, User
from infra.errors import ConfigError

CSRF_COOKIE = "dinarwatch_desk_csrf"
CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "dinarwatch_desk_login_csrf"
HEADER_ENV = "DINARWATCH_DESK_TRUSTED_HEADER"
PROXIES_ENV = "DINARWATCH_DESK_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class WebSettings:
    """The trusted-header settings; off (None, no proxies) unless both are configured."""

    trusted_header: str | None = None
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> WebSettings:
        header = (env.get(HEADER_ENV) or "").strip()
        proxies = [p.strip() for p in (env.get(PROXIES_ENV) or "").split(",") if p.strip()]
        if bool(header) != bool(proxies):
            raise ConfigError(
                f"{HEADER_ENV} and {PROXIES_ENV} go together: set both (the header name and "
                "the proxy addresses it is believed from) or neither"
            )
        networks = []
        for proxy in proxies:
            try:
                networks.append(ipaddress.ip_network(proxy, strict=False))
            except ValueError:
                raise ConfigError(
                    f"{PROXIES_ENV}: {proxy!r} is not an IP address or network"
                ) from None
        return cls(header.lower() or None, tuple(networks))

    def trusts(self, address: str | None) -> bool:
        if self.trusted_header is None or address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)


@dataclass(frozen=True)
class Viewer:
    """The person behind a page request and the CSRF token their pages carry."""

    actor: Actor
    csrf_token: str

    @property
    def can_write(self) -> bool:
        return self.actor.role in (Role.ANALYST, Role.SUPERVISOR)

    @property
    def is_supervisor(self) -> bool:
        return self.actor.role == Role.SUPERVISOR


class LoginRequired(Exception):
    """No live session: the page answers with a redirect to the login form."""

    def __init__(self, next_path: str, message: str | None = None) -> None:
        super().__init__(message or "log in first")
        self.next_path = next_path
        self.message = message


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str:
    """Only a path on this desk (never `//host` or a scheme): no open redirect after login."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def set_session_cookies(request: Request, cookie: str, csrf: str) -> None:
    """Cookies for the answer to this request (see `apply_cookies`)."""
    request.state.new_cookies = {logins.COOKIE: cookie, CSRF_COOKIE: csrf}


def _session_for(db: Session, cookie: str, at: datetime) -> tuple[Actor, str] | None:
    return logins.actor_for_session(db, cookie, at)


def _open_proxy_session(db: Session, user: User, at: datetime) -> tuple[str, str]:
    """A session for a user the trusted proxy vouched for; audited like a password login."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            user_id=user.id,
            token_hash=token_digest(cookie),
            csrf_hash=token_digest(csrf),
            created_at=at,
            expires_at=at + logins.SESSION_LIFETIME,
        )
    )
    audit.append(
        db,
        actor=user.name,
        action="user.login",
        target=f"user:{user.name}",
        after={"via": "trusted-header"},
        at=at,
    )
    db.commit()
    return cookie, csrf


def viewer_for(request: Request, db: Session, settings: WebSettings, at: datetime) -> Viewer:
    """The viewer of a page, or LoginRequired. A trusted proxy's header wins over a cookie of
    another user; without the header (or from an untrusted address) the cookie decides."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    cookie = request.cookies.get(logins.COOKIE)
    live = _session_for(db, cookie, at) if cookie else None
    client = request.client.host if request.client else None
    named = request.headers.get(settings.trusted_header) if settings.trusted_header else None
    if named is not None and settings.trusts(client):
        name = named.strip()
        if live is not None and live[0].name == name:
            csrf = request.cookies.get(CSRF_COOKIE, "")
            if logins.csrf_matches(live[1], csrf):
                return Viewer(live[0], csrf)
        user = db.execute(select(User).where(User.name == name)).scalar()
        if user is None or user.disabled_at is not None:
            raise LoginRequired(path, f"the proxy's user {name!r} is not a desk user")
        cookie, csrf = _open_proxy_session(db, user, at)
        set_session_cookies(request, cookie, csrf)
        return Viewer(Actor(user.id, user.name, Role(user.role)), csrf)
    if live is None:
        raise LoginRequired(path)
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not logins.csrf_matches(live[1], csrf):
        # a session opened through the JSON API has no CSRF cookie: the pages can show, but
        # every form would be refused; asking for a page login is clearer
        raise LoginRequired(path, "log in on this page to work cases")
    return Viewer(live[0], csrf)


async def form_fields(request: Request, limit: int = 64_000) -> dict[str, str]:
    """An urlencoded form body (first value per field); bigger bodies are cut at `limit`."""
    body = (await request.body())[:limit]
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def posted_csrf(request: Request, fields: Mapping[str, str]) -> str | None:
    return request.headers.get(logins.CSRF_HEADER) or fields.get(CSRF_FIELD)


def csrf_ok(viewer: Viewer, request: Request, fields: Mapping[str, str]) -> bool:
    """The posted token (form field or header) is the viewer's, which `viewer_for` checked
    against the session's stored hash; the cookie alone never counts."""
    presented = posted_csrf(request, fields)
    return (
        bool(viewer.csrf_token)
        and presented is not None
        and secrets.compare_digest(presented.encode(), viewer.csrf_token.encode())
    )
