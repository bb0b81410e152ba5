"""The case page's debtor panel on the real broker: payments stored in payments.screened the way
the worker stores them (encode_stored, keyed by payment id, in the debtor's partition, stamped
with created_at, in arrival order) among other debtors' payments; the panel finds the debtor's
payments of the window ending at the case payment, passed ones included, and the windowed
rules' state, through the API and the htmx fragment, with no full account in either answer."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.auth import add_user, create_token
from desk.cases import store_alert
from desk.db.models import AuditRow
from desk.screened import ScreenedStore
from infra import topics as names
from infra.settings import Settings
from schemas.common import Action, Severity
from schemas.decision import Finding
from schemas.payment import Payment
from screening.alerts import alerts_for
from streams.rescreen_store import encode_stored, stored_headers
from tests.factories import make_payment
from tests.integration import test_desk_reveal
from tests.integration.pipeline import pipeline_settings
from tests.kafka_broker import unique_topic_prefix
from tests.unit.desk.builders import decision_for, finding
from tests.unit.desk.pages_seed import PASSWORD
from tests.unit.desk.test_api import RecordingPublisher
from tests.unit.desk.test_pages import as_user

pytestmark = pytest.mark.integration

settings = test_desk_reveal.settings
"""The store: a fresh topic prefix, payments.screened with 3 partitions (fixture)."""
sessions = test_desk_reveal.sessions
"""A SQLite desk (fixture)."""

DEBTOR = "IQ20SHTR001122334455667"
OTHER = "IQ31RAFB998877665544332"
GULF = "AE070331234567890123456"
BERLIN = "DE89370400440532013000"
FULL = (DEBTOR, OTHER, GULF, BERLIN)
PART = 1
"""The debtor's partition (the worker writes a payment to its debtor's partition)."""

STRUCTURING = finding(
    rule="USD-STRUCTURING",
    entry_id="episode:H-1",
    match_method="window",
    severity=Severity.MEDIUM,
    action=Action.REVIEW,
).model_copy(update={"evidence": {"anchor_payment_id": "H-1"}})


def payment(
    pid: str, at: datetime, amount: str, account: str = DEBTOR, germany: bool = False
) -> Payment:
    creditor = (
        {"name": "Berlin Maschinen GmbH", "account": BERLIN, "country": "DE"}
        if germany
        else {"name": "Gulf Horizon Trading LLC", "account": GULF, "country": "AE"}
    )
    return make_payment(
        payment_id=pid,
        created_at=at.isoformat(),
        amount=amount,
        debtor={"name": "Hadi Kareem", "account": account},
        creditor=creditor,
    )


def store(
    producer: KafkaProducer, settings: Settings, made: Payment, part: int, *found: Finding
) -> None:
    """One record as streams/pipeline.py's _store writes it."""
    stored = made.model_dump_json(exclude_none=True).encode()
    producer.send(
        settings.topic(names.SCREENED),
        key=made.payment_id.encode(),
        value=encode_stored(stored, decision_for(made.payment_id, *found)),
        headers=stored_headers(stored),
        partition=part,
        timestamp_ms=int(made.created_at.timestamp() * 1000),
    )


def open_case(sessions: sessionmaker[Session], made: Payment, *found: Finding) -> None:
    with sessions.begin() as session:
        for alert in alerts_for(made, decision_for(made.payment_id, *found), made.created_at):
            store_alert(session, alert, made.created_at)


def fill_store(settings: Settings, created: datetime) -> None:
    """Other debtors' payments in every partition, in arrival order, from 26 h before the case
    payment to 3 h after; the debtor's own in its partition among them, one of them late."""
    at = lambda hours: created + timedelta(hours=hours)  # noqa: E731
    debtors = {
        at(-30): payment("H-OLD", at(-30), "9500.00"),  # before the window
        at(-10): payment("H-1", at(-10), "9500.00"),
        at(-5): payment("H-2", at(-5), "9800.00"),
        at(-1): payment("H-3", at(-1), "120.00", germany=True),
        at(-2): payment("B-1", at(-2), "9500.00", account=OTHER),  # another debtor
        at(1): payment("H-AFTER", at(1), "9600.00"),  # after the case payment
    }
    case_sent = False
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=20)
    try:
        for i in range(600):
            hours = -26 + i * 29 / 600
            store(
                producer, settings, payment(f"N-{i:04d}", at(hours), "500.00", f"IQ{i:021d}"), i % 3
            )
            for when in [w for w in debtors if w <= at(hours)]:
                store(producer, settings, debtors.pop(when), PART)
            if hours >= 0.5 and not case_sent:  # the case payment reached the worker late
                store(producer, settings, payment("CASE", created, "9900.00"), PART, STRUCTURING)
                case_sent = True
        # a payment stamped before the window that reached the worker last
        store(producer, settings, payment("H-LATE", at(-25), "9500.00"), PART)
        producer.flush(timeout=30)
    finally:
        producer.close()


def test_the_debtor_panel_reads_the_window_from_payments_screened(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    created = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    fill_store(settings, created)
    open_case(sessions, payment("CASE", created, "9900.00"), STRUCTURING)
    open_case(sessions, payment("GONE-1", created, "9900.00"), STRUCTURING)  # never stored
    with sessions.begin() as session:
        token = create_token(session, "amal-api", "analyst")
        add_user(session, "aud", "auditor", PASSWORD)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(sessions, RecordingPublisher(), accounts=ScreenedStore(settings))
    with TestClient(app) as client:
        [case] = client.get("/api/cases?payment_id=CASE", headers=headers).json()["cases"]
        [gone] = client.get("/api/cases?payment_id=GONE-1", headers=headers).json()["cases"]
        path = f"/api/cases/{case['case_id']}/debtor"
        assert client.get(path).status_code == 401
        started = time.monotonic()
        answer = client.get(path, headers=headers)
        took = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        missing = client.get(f"/api/cases/{gone['case_id']}/debtor", headers=headers)
        assert missing.status_code == 404 and "GONE-1 is not in" in missing.json()["error"]
    print(f"debtor panel on the broker: {took:.2f} s")
    assert took < 10
    body = answer.json()
    assert [p["payment_id"] for p in body["payments"]] == ["H-1", "H-2", "H-3", "CASE"]
    assert [p["decision"] for p in body["payments"]] == ["pass", "pass", "pass", "review"]
    assert [p["amount"] for p in body["payments"]] == ["9500.00", "9800.00", "120.00", "9900.00"]
    assert body["payments"][-1]["fired"] == ["USD-STRUCTURING"]
    assert body["payments"][-1]["alerted"] == ["USD-STRUCTURING"]
    assert body["payments"][2]["beneficiary_country"] == "DE"
    assert body["payments"][2]["counted"] == []
    assert body["usd_sum"] == "29320.00" and body["window_hours"] == 24
    structuring = body["rules"][0]
    assert structuring["members"] == ["H-1", "H-2", "CASE"]
    assert structuring["measures"][0]["value"] == "3" and structuring["measures"][0]["reached"]
    assert [(e["rule"], e["anchor"]) for e in body["episodes"]] == [("USD-STRUCTURING", "H-1")]
    assert body["records_read"] > 100 and not body["truncated"]
    for full in FULL:
        assert full not in answer.text
    with sessions() as session:
        rows = session.execute(
            select(AuditRow).where(AuditRow.action == "case.debtor_history").order_by(AuditRow.id)
        ).scalars()
        outcomes = [orjson.loads(r.after)["outcome"] for r in rows]
    assert outcomes[0] == "shown: 4 payments" and outcomes[1].startswith("failed: payment GONE-1")

    # the page: the case page offers the panel without reading the store; the fragment shows it
    auditor, _ = as_user(app, "aud")
    case_page = auditor.get(f"/cases/{case['case_id']}").text
    assert 'data-testid="load-debtor"' in case_page and 'data-payment="H-1"' not in case_page
    fragment = auditor.get(f"/cases/{case['case_id']}/debtor", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["Cache-Control"] == "no-store"
    for pid in ("H-1", "H-2", "H-3", "CASE"):
        assert f'data-payment="{pid}"' in fragment.text
    for pid in ("H-OLD", "H-LATE", "H-AFTER", "B-1", "N-0001"):
        assert f'data-payment="{pid}"' not in fragment.text
    assert "29,320.00 USD" in fragment.text and "reached" in fragment.text
    for full in FULL:
        assert full not in fragment.text


def test_a_broker_that_does_not_answer_is_a_clear_message(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    created = datetime.now(UTC) - timedelta(days=1)
    open_case(sessions, payment("CASE", created, "9900.00"), STRUCTURING)
    with sessions.begin() as session:
        token = create_token(session, "amal-api", "analyst")
        add_user(session, "amal", "analyst", PASSWORD)
    nobody = pipeline_settings("127.0.0.1:1", unique_topic_prefix("debtor"), tmp_path)
    app = create_app(sessions, RecordingPublisher(), accounts=ScreenedStore(nobody, timeout_s=3))
    with TestClient(app) as client:
        answer = client.get("/api/cases/1/debtor", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503 and "cannot be read" in answer.json()["error"]
    analyst, _ = as_user(app, "amal")
    fragment = analyst.get("/cases/1/debtor", headers={"HX-Request": "true"})
    assert fragment.status_code == 200  # htmx swaps it in: the message shows in place
    assert "cannot be shown" in fragment.text and "cannot be read" in fragment.text
    assert analyst.get("/cases/1/debtor").status_code == 503
