"""Users, roles, passwords and API tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults); API tokens are 256 random bits
shown once and stored as their SHA-256, so a copy of the database grants nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit
from desk.db.models import Token, User
from infra.errors import UserError

TOKEN_PREFIX = "dwd_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
_hasher = PasswordHasher()


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


WRITERS = frozenset({Role.ANALYST, Role.SUPERVISOR})
"""Roles that may change a case; the auditor reads everything and changes nothing."""


@dataclass(frozen=True)
class Actor:
    """Who is asking: the authenticated user behind a request or a CLI command."""

    user_id: int
    name: str
    role: Role


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise UserError(
            f"role {value!r} is not a desk role: use analyst, supervisor or auditor"
        ) from None


def add_user(session: Session, name: str, role: str, password: str | None) -> User:
    """A new user; a person gets a password, a machine may have tokens only (password None)."""
    checked = _role(role)
    if session.execute(select(User).where(User.name == name)).scalar() is not None:
        raise UserError(f"user {name!r} already exists")
    if password is not None and len(password) < 12:
        raise UserError("the password is shorter than 12 characters: choose a longer one")
    now = datetime.now(UTC)
    user = User(
        name=name,
        role=checked.value,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor="cli",
        action="user.add",
        target=f"user:{name}",
        after={"name": name, "role": checked.value, "password": password is not None},
        at=now,
    )
    return user


def create_token(session: Session, name: str, role: str) -> str:
    """A new bearer token for user `name` (created without a password if missing, e.g. a
    gateway's machine user); the user's role must be `role`. Returns the token once."""
    checked = _role(role)
    user = session.execute(select(User).where(User.name == name)).scalar()
    if user is None:
        user = add_user(session, name, checked.value, None)
    elif user.role != checked.value:
        raise UserError(
            f"user {name!r} has role {user.role}, not {checked.value}: a token carries its "
            "user's role"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(Token(user_id=user.id, token_hash=token_digest(token), created_at=now))
    audit.append(
        session, actor="cli", action="token.create", target=f"user:{name}", after={}, at=now
    )
    return token


def actor_for_token(session: Session, token: str) -> Actor | None:
    """The user a live token belongs to, or None (unknown, revoked, or user disabled)."""
    row = session.execute(
        select(User)
        .join(Token, Token.user_id == User.id)
        .where(
            Token.token_hash == token_digest(token),
            Token.revoked_at.is_(None),
            User.disabled_at.is_(None),
        )
    ).scalar()
    if row is None:
        return None
    return Actor(row.id, row.name, Role(row.role))
