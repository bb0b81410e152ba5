"""The desk's pages on PostgreSQL (the unit tests run them on SQLite): queue with filters and
search, case page, printable summary and the dashboard's grouped queries."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from desk.api import create_app
from desk.db.engine import open_database
from tests.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.unit.desk.pages_seed import NOW, PASSWORD, UETR_1, seed
from tests.unit.desk.test_api import RecordingPublisher

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:  # noqa: F811
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_HEADER", raising=False)
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_PROXIES", raising=False)
    engine, sessions = open_database(postgres_url)
    seed(sessions)
    app = create_app(sessions, RecordingPublisher(), clock=lambda: NOW)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
        token = TOKEN.search(web.get("/login").text)
        assert token
        answer = web.post(
            "/login", data={"name": "samir", "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert answer.status_code == 303
        yield web
    engine.dispose()


def _payments(page: str) -> list[str]:
    """The queue's payment ids in order (PostgreSQL's case ids have gaps: a conflicting
    INSERT still draws from the sequence)."""
    return re.findall(r'<td class="mono"><a href="/cases/\d+">(E2E-\d+)</a>', page)


def _case_id(client: TestClient, payment_id: str) -> str:
    found = re.search(r'href="/cases/(\d+)">#', client.get(f"/queue?q={payment_id}").text)
    assert found
    return found.group(1)


def test_pages_on_postgresql(client: TestClient) -> None:
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert _payments(queue.text)[:3] == ["E2E-0002", "E2E-0012", "E2E-0006"]
    assert _payments(client.get(f"/queue?q={UETR_1}").text) == ["E2E-0001"]
    assert sorted(_payments(client.get("/queue?q=BABEL").text)) == [
        "E2E-0001",
        "E2E-0003",
        "E2E-0008",
    ]
    assert sorted(_payments(client.get("/queue?opened_from=2025-04-02").text)) == [
        f"E2E-00{n:02d}" for n in (2, 3, 6, 9, 11, 12)
    ]
    first = _case_id(client, "E2E-0001")
    case = client.get(f"/cases/{first}")
    assert case.status_code == 200 and "gulf=gulf" in case.text
    assert client.get(f"/cases/{first}/print").status_code == 200
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and dashboard.text.count("<svg") == 3
    assert "OFAC-SDN (4)" in dashboard.text and "389,000.00 USD" in dashboard.text
    csrf = TOKEN.search(case.text)
    assert csrf
    claimed = client.post(f"/cases/{first}/claim", data={"csrf_token": csrf.group(1)})
    assert claimed.status_code == 303
    assert 'data-testid="assignee">samir<' in client.get(f"/cases/{first}").text


def test_party_search_has_trigram_indexes_on_postgresql(postgres_url: str) -> None:  # noqa: F811
    from sqlalchemy import text

    engine, _ = open_database(postgres_url)
    try:
        with engine.connect() as connection:
            names = set(
                connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = 'cases'")
                ).scalars()
            )
    finally:
        engine.dispose()
    assert {"ix_cases_debtor_trgm", "ix_cases_creditor_trgm"} <= names
