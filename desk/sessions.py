"""Password logins for people: a session cookie (HttpOnly, Secure, SameSite=Strict) plus a CSRF
token that every state-changing request made with the cookie must echo in `X-CSRF-Token`.

Machines use bearer tokens (desk/auth.py), which a browser never sends on its own, so they need
no CSRF token. Failed logins are rate limited per name and per address (LOGIN_WINDOW), and
every attempt is kept in `login_attempts`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk import audit
from desk.auth import Actor, Role, password_matches, token_digest
from desk.db.models import LoginAttempt, LoginSession, User
from desk.errors import TooManyAttempts, Unauthorized

COOKIE = "dinarwatch_desk_session"
CSRF_HEADER = "x-csrf-token"
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20


@dataclass(frozen=True)
class NewSession:
    cookie: str
    csrf_token: str
    actor: Actor
    expires_at: datetime


def _failures(session: Session, since: datetime, **where: str) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.ok.is_(False), LoginAttempt.at >= since)
    )
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return int(session.execute(query).scalar_one())


def login(session: Session, name: str, password: str, address: str, at: datetime) -> NewSession:
    """Check the password and open a session; refuse (429) while the name or the address has
    too many recent failures, without even checking the password."""
    since = at - LOGIN_WINDOW
    if (
        _failures(session, since, name=name) >= MAX_FAILURES_PER_NAME
        or _failures(session, since, address=address) >= MAX_FAILURES_PER_ADDRESS
    ):
        session.add(LoginAttempt(name=name[:100], address=address[:64], at=at, ok=False))
        raise TooManyAttempts(
            f"too many failed logins in the last {int(LOGIN_WINDOW.total_seconds() // 60)} "
            "minutes: wait, or ask a supervisor"
        )
    user = session.execute(select(User).where(User.name == name)).scalar()
    ok = (
        user is not None
        and user.disabled_at is None
        and user.password_hash is not None
        and password_matches(user.password_hash, password)
    )
    session.add(LoginAttempt(name=name[:100], address=address[:64], at=at, ok=ok))
    if not ok or user is None:
        raise Unauthorized("wrong name or password")
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = at + SESSION_LIFETIME
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=token_digest(cookie),
            csrf_hash=token_digest(csrf),
            created_at=at,
            expires_at=expires,
        )
    )
    audit.append(session, actor=user.name, action="user.login", target=f"user:{name}", at=at)
    return NewSession(cookie, csrf, Actor(user.id, user.name, Role(user.role)), expires)


def actor_for_session(session: Session, cookie: str, at: datetime) -> tuple[Actor, str] | None:
    """The user behind a live session cookie and the session's CSRF hash, or None."""
    row = session.execute(
        select(User, LoginSession.csrf_hash)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == token_digest(cookie),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > at,
            User.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    user, csrf_hash = row
    return Actor(user.id, user.name, Role(user.role)), csrf_hash


def csrf_matches(csrf_hash: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(csrf_hash, token_digest(presented))


def logout(session: Session, cookie: str, at: datetime) -> None:
    row = session.execute(
        select(LoginSession).where(LoginSession.token_hash == token_digest(cookie))
    ).scalar()
    if row is not None and row.revoked_at is None:
        row.revoked_at = at
