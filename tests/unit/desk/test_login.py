"""People log in with a password: session cookie flags, CSRF on writes, rate limit, logout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.auth import add_user, create_token
from desk.cases import store_alert
from desk.db.models import LoginAttempt, LoginSession
from desk.sessions import COOKIE, MAX_FAILURES_PER_NAME
from tests.unit.desk.builders import make_alerts
from tests.unit.desk.test_api import RecordingPublisher

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def client(sessions: sessionmaker[Session], clock: list[datetime]) -> Iterator[TestClient]:
    with sessions.begin() as session:
        add_user(session, "amal", "analyst", PASSWORD)
        add_user(session, "aud", "auditor", PASSWORD)
        for alert in make_alerts("E2E-0001"):
            store_alert(session, alert, NOW)
    app = create_app(sessions, RecordingPublisher(), clock=lambda: clock[0])
    # https: the session cookie is Secure, so a client keeps and sends it only over https
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def _login(client: TestClient, name: str = "amal", password: str = PASSWORD) -> str:
    answer = client.post("/api/login", json={"name": name, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["csrf_token"])


def test_login_sets_a_secure_httponly_strict_cookie(client: TestClient) -> None:
    answer = client.post("/api/login", json={"name": "amal", "password": PASSWORD})
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags
    assert answer.json()["role"] == "analyst"
    assert client.get("/api/cases").status_code == 200


def test_wrong_password_and_unknown_user_are_the_same_401(client: TestClient) -> None:
    wrong = client.post("/api/login", json={"name": "amal", "password": "nope"})
    unknown = client.post("/api/login", json={"name": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert COOKIE not in client.cookies


def test_writes_with_the_cookie_need_the_csrf_token(client: TestClient) -> None:
    csrf = _login(client)
    url = "/api/cases/1/disposition"
    body = {"disposition": "escalate"}
    assert client.post(url, json=body).status_code == 403
    assert client.post(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_the_role_still_applies_to_a_session(client: TestClient) -> None:
    csrf = _login(client, "aud")
    answer = client.post(
        "/api/cases/1/disposition", json={"disposition": "escalate"}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 403


def test_failed_logins_are_rate_limited_per_name(
    client: TestClient, sessions: sessionmaker[Session], clock: list[datetime]
) -> None:
    for _ in range(MAX_FAILURES_PER_NAME):
        assert client.post("/api/login", json={"name": "amal", "password": "x"}).status_code == 401
    blocked = client.post("/api/login", json={"name": "amal", "password": PASSWORD})
    assert blocked.status_code == 429  # even the right password, while the window lasts
    assert client.post("/api/login", json={"name": "aud", "password": PASSWORD}).status_code == 200
    clock[0] = NOW + timedelta(minutes=16)
    assert client.post("/api/login", json={"name": "amal", "password": PASSWORD}).status_code == 200
    with sessions() as session:
        attempts = session.execute(select(LoginAttempt.ok)).scalars().all()
    assert attempts.count(False) == MAX_FAILURES_PER_NAME + 1 and attempts.count(True) == 2


def test_logout_and_expiry_end_the_session(
    client: TestClient, sessions: sessionmaker[Session], clock: list[datetime]
) -> None:
    csrf = _login(client)
    cookie = client.cookies[COOKIE]
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set(COOKIE, cookie)  # a copy kept by an attacker
    answer = client.get("/api/cases")
    assert answer.status_code == 401
    assert "expired or was closed" in answer.json()["error"]  # the cookie was sent, and refused
    client.cookies.clear()
    _login(client)
    assert client.get("/api/cases").status_code == 200
    clock[0] = NOW + timedelta(hours=8, seconds=1)
    assert "expired" in client.get("/api/cases").json()["error"]
    with sessions() as session:
        stored = session.execute(select(LoginSession.token_hash)).scalars().all()
    assert cookie not in stored


def test_a_bearer_token_needs_no_csrf(client: TestClient, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        token = create_token(session, "gateway-bot", "analyst")
    answer = client.post(
        "/api/cases/1/comments",
        json={"comment": "from the gateway"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
