from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.auth import Role, actor_for_token, add_user, create_token, password_matches
from desk.db.models import Token, User
from infra.errors import UserError


def test_password_is_stored_as_argon2id(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_user(session, "samir", "supervisor", "correct horse battery")
    with sessions() as session:
        user = session.execute(select(User)).scalar_one()
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert password_matches(user.password_hash, "correct horse battery")
    assert not password_matches(user.password_hash, "correct horse batterY")


def test_token_is_stored_hashed_and_resolves_to_its_user(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        token = create_token(session, "gateway", "auditor")
    with sessions() as session:
        stored = session.execute(select(Token.token_hash)).scalar_one()
        assert token not in stored and len(stored) == 64
        actor = actor_for_token(session, token)
        assert actor is not None and (actor.name, actor.role) == ("gateway", Role.AUDITOR)
        assert actor_for_token(session, token + "x") is None


def test_token_role_must_be_the_users(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        create_token(session, "amal", "analyst")
    with pytest.raises(UserError, match="has role analyst"), sessions.begin() as session:
        create_token(session, "amal", "supervisor")


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("x", "admin", None, "not a desk role"),
        ("x", "analyst", "short", "shorter than 12"),
    ],
)
def test_bad_user_is_one_line(
    sessions: sessionmaker[Session], name: str, role: str, password: str | None, message: str
) -> None:
    with pytest.raises(UserError, match=message), sessions.begin() as session:
        add_user(session, name, role, password)


def test_duplicate_user_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_user(session, "amal", "analyst", None)
    with pytest.raises(UserError, match="already exists"), sessions.begin() as session:
        add_user(session, "amal", "auditor", None)
