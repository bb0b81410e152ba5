"""Revealing a masked account: supervisors only, a reason required, every attempt (granted,
refused, failed) in the audit chain without the account, on the API and the case page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import audit
from desk.api import create_app
from desk.auth import create_token
from desk.db.models import AuditRow, Case
from desk.errors import NotFound
from desk.reveal import Unavailable
from tests.unit.desk.pages_seed import NOW, seed
from tests.unit.desk.test_api import RecordingPublisher
from tests.unit.desk.test_pages import as_user

FULL = "IQ98BBAG001234567890123"


@dataclass
class FakeStore:
    """The payment store as a dict; `error` makes every lookup fail that way."""

    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: Exception | None = None
    asked: list[tuple[str, datetime]] = field(default_factory=list)

    def payment(self, payment_id: str, created_at: datetime) -> dict[str, Any]:
        self.asked.append((payment_id, created_at))
        if self.error is not None:
            raise self.error
        if payment_id not in self.payments:
            raise NotFound(f"payment {payment_id} is not in payments.screened")
        return self.payments[payment_id]


@dataclass
class Setup:
    app: FastAPI
    client: TestClient
    store: FakeStore
    tokens: dict[str, str]
    sessions: sessionmaker[Session]
    payment_id: str

    def post(self, who: str, body: dict[str, object], case_id: int = 1) -> Any:
        return self.client.post(
            f"/api/cases/{case_id}/reveal",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
        )

    def reveals(self) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(
                select(AuditRow).where(AuditRow.action == "account.reveal").order_by(AuditRow.id)
            ).scalars()
            return [{"actor": r.actor, "target": r.target, **orjson.loads(r.after)} for r in rows]


@pytest.fixture
def setup(sessions: sessionmaker[Session]) -> Iterator[Setup]:
    seed(sessions)
    with sessions.begin() as session:
        case = session.get(Case, 1)
        assert case is not None and case.payment_json is not None
        payment_id = case.payment_id
        # the masked summary the desk holds, and the full payment the store holds
        assert FULL not in orjson.dumps(case.payment_json).decode()
        tokens = {
            name: create_token(session, f"{name}-api", role)
            for name, role in [("amal", "analyst"), ("samir", "supervisor"), ("aud", "auditor")]
        }
    store = FakeStore(
        {
            payment_id: {
                "payment_id": payment_id,
                "debtor": {"name": "x", "account": FULL},
                "creditor": {"name": "y", "account": "IQ12RAFB000000000000111"},
            }
        }
    )
    app = create_app(sessions, RecordingPublisher(), clock=lambda: NOW, accounts=store)
    with TestClient(app) as client:
        yield Setup(app, client, store, tokens, sessions, payment_id)


def test_a_supervisor_sees_the_full_account_and_the_reveal_is_audited(setup: Setup) -> None:
    answer = setup.post("samir", {"party": "debtor", "reason": "FIU request 2025/117"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"case_id": 1, "party": "debtor", "account": FULL}
    assert answer.headers["Cache-Control"] == "no-store"
    creditor = setup.post("samir", {"party": "creditor", "reason": "same request"})
    assert creditor.json()["account"] == "IQ12RAFB000000000000111"
    [(asked_id, asked_at), _] = setup.store.asked
    assert asked_id == setup.payment_id and asked_at.tzinfo is not None
    assert setup.reveals() == [
        {
            "actor": "samir-api",
            "target": "case:1",
            "party": "debtor",
            "reason": "FIU request 2025/117",
            "outcome": "revealed",
        },
        {
            "actor": "samir-api",
            "target": "case:1",
            "party": "creditor",
            "reason": "same request",
            "outcome": "revealed",
        },
    ]
    with setup.sessions() as session:
        assert audit.verify(session).intact
        trail = "".join(r.after + r.before for r in session.execute(select(AuditRow)).scalars())
    assert FULL not in trail  # the account itself is never in the trail


@pytest.mark.parametrize("who", ["amal", "aud"])
def test_analyst_and_auditor_are_refused_and_the_attempt_is_audited(setup: Setup, who: str) -> None:
    answer = setup.post(who, {"party": "debtor", "reason": "curious"})
    assert answer.status_code == 403
    assert FULL not in answer.text
    assert setup.store.asked == []  # a refused attempt never reads the store
    [row] = setup.reveals()
    assert row["actor"] == f"{who}-api" and row["outcome"] == "refused: not permitted"
    assert row["reason"] == "curious"


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ({"party": "debtor"}, "refused: no reason"),
        ({"party": "debtor", "reason": "   "}, "refused: no reason"),
        ({"party": "debtor_agent", "reason": "x"}, "refused: unknown party"),
        ({"reason": "x"}, "refused: unknown party"),
    ],
)
def test_a_reason_and_a_known_party_are_required_and_refusals_are_audited(
    setup: Setup, body: dict[str, object], outcome: str
) -> None:
    assert setup.post("samir", body).status_code == 422
    assert setup.store.asked == []
    assert [r["outcome"] for r in setup.reveals()] == [outcome]


def test_a_malformed_body_is_422(setup: Setup) -> None:
    answer = setup.post("samir", {"party": "debtor", "reason": "x", "extra": 1})
    assert answer.status_code == 422 and setup.store.asked == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("payment P is not in payments.screened (kept 31 days)"), 404),
        (Unavailable("the payment store cannot be read: NoBrokersAvailable"), 503),
    ],
)
def test_store_failures_are_clear_and_audited(setup: Setup, error: Exception, status: int) -> None:
    setup.store.error = error
    answer = setup.post("samir", {"party": "debtor", "reason": "FIU"})
    assert answer.status_code == status
    assert answer.json()["error"] == str(error)
    [row] = setup.reveals()
    assert row["outcome"].startswith("failed: ")


def test_a_party_without_an_account_is_404(setup: Setup) -> None:
    answer = setup.post("samir", {"party": "ultimate_debtor", "reason": "FIU"})
    assert answer.status_code == 404
    assert [r["outcome"] for r in setup.reveals()] == ["failed: no account"]


def test_unknown_case_is_404(setup: Setup) -> None:
    assert setup.post("samir", {"party": "debtor", "reason": "x"}, case_id=999).status_code == 404


def test_a_desk_without_a_store_answers_503(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as session:
        token = create_token(session, "boss", "supervisor")
    app = create_app(sessions, RecordingPublisher(), clock=lambda: NOW)
    with TestClient(app) as client:
        answer = client.post(
            "/api/cases/1/reveal",
            json={"party": "debtor", "reason": "x"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 503
    assert "no payment store" in answer.json()["error"]


def test_the_case_page_offers_reveal_to_supervisors_only(setup: Setup) -> None:
    analyst, analyst_csrf = as_user(setup.app, "amal")
    assert 'data-testid="reveal"' not in analyst.get("/cases/1").text
    refused = analyst.post(
        "/cases/1/reveal",
        data={"party": "debtor", "reason": "x", "csrf_token": analyst_csrf},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 403 and "supervisor role" in refused.text
    assert FULL not in refused.text
    supervisor, csrf = as_user(setup.app, "samir")
    case_page = supervisor.get("/cases/1").text
    assert 'data-testid="reveal"' in case_page and FULL not in case_page
    assert 'data-testid="reveal"' not in supervisor.get("/cases/1/print").text
    no_token = supervisor.post("/cases/1/reveal", data={"party": "debtor", "reason": "x"})
    assert no_token.status_code == 403 and FULL not in no_token.text
    shown = supervisor.post(
        "/cases/1/reveal",
        data={"party": "debtor", "reason": "FIU request", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert shown.status_code == 200 and FULL in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    outcomes = [(r["actor"], r["outcome"]) for r in setup.reveals()]
    assert outcomes == [("amal", "refused: not permitted"), ("samir", "revealed")]
