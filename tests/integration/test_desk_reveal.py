"""Revealing an account on the real broker: a payment stored in payments.screened the way the
worker stores it (encode_stored, its probe header, keyed by payment id, in one partition,
stamped with created_at) among neighbours in every partition is found by time and key and
revealed through the API; a payment the store does not hold is a clear 404, a broker that does
not answer a clear 503, and every attempt is in the audit chain."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.auth import create_token
from desk.cases import store_alert
from desk.db.engine import open_database
from desk.db.models import AuditRow
from desk.reveal import ScreenedStore
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from screening.alerts import alerts_for
from streams.rescreen_store import encode_stored, stored_headers
from tests.factories import make_payment
from tests.integration.pipeline import pipeline_settings
from tests.kafka_broker import unique_topic_prefix
from tests.unit.desk.builders import decision_for, finding
from tests.unit.desk.test_api import RecordingPublisher

pytestmark = pytest.mark.integration

FULL = "IQ20SHTR001122334455667"
NEIGHBOURS = 600


def store(
    producer: KafkaProducer, settings: Settings, pid: str, created: datetime, part: int
) -> None:
    """One record as streams/pipeline.py's _store writes it."""
    payment = make_payment(
        payment_id=pid,
        created_at=created.isoformat(),
        debtor={"name": "Hadi Kareem", "account": FULL if pid == "REVEAL-1" else f"IQ{pid}"},
    )
    stored = payment.model_dump_json(exclude_none=True).encode()
    producer.send(
        settings.topic(names.SCREENED),
        key=pid.encode(),
        value=encode_stored(stored, decision_for(pid, finding())),
        headers=stored_headers(stored),
        partition=part,
        timestamp_ms=int(created.timestamp() * 1000),
    )


def open_case(sessions: sessionmaker[Session], pid: str, created: datetime) -> None:
    payment = make_payment(
        payment_id=pid,
        created_at=created.isoformat(),
        debtor={"name": "Hadi Kareem", "account": FULL},
    )
    with sessions.begin() as session:
        for alert in alerts_for(payment, decision_for(pid, finding()), created):
            store_alert(session, alert, created)


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    made = pipeline_settings(kafka_bootstrap, unique_topic_prefix("reveal"), tmp_path)
    create_topics(made, partitions=3)
    return made


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine, made = open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    yield made
    engine.dispose()


def test_reveal_reads_the_account_from_payments_screened(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    created = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    rng = random.Random(7)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=20)
    try:
        # neighbours in every partition in arrival order (stamped created_at, a few seconds
        # of disorder) from an hour before to an hour after; the payment reached the worker 30
        # minutes late, so it sits among records stamped after it
        for i in range(NEIGHBOURS):
            offset = -3600 + i * 7200 // NEIGHBOURS
            at = created + timedelta(seconds=offset + rng.randint(-20, 20))
            store(producer, settings, f"N-{i:05d}", at, i % 3)
            if offset <= 1800 < offset + 7200 // NEIGHBOURS:
                store(producer, settings, "REVEAL-1", created, 1)
        producer.flush(timeout=30)
    finally:
        producer.close()
    open_case(sessions, "REVEAL-1", created)
    open_case(sessions, "GONE-1", created)  # a case whose payment the store never held
    with sessions.begin() as session:
        token = create_token(session, "samir", "supervisor")
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(sessions, RecordingPublisher(), accounts=ScreenedStore(settings))
    with TestClient(app) as client:
        [case] = client.get("/api/cases?payment_id=REVEAL-1", headers=headers).json()["cases"]
        [gone] = client.get("/api/cases?payment_id=GONE-1", headers=headers).json()["cases"]
        assert (
            FULL
            not in orjson.dumps(
                client.get(f"/api/cases/{case['case_id']}", headers=headers).json()
            ).decode()
        )
        started = time.monotonic()
        answer = client.post(
            f"/api/cases/{case['case_id']}/reveal",
            json={"party": "debtor", "reason": "FIU request 2026/9"},
            headers=headers,
        )
        took = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        assert answer.json()["account"] == FULL
        missing = client.post(
            f"/api/cases/{gone['case_id']}/reveal",
            json={"party": "debtor", "reason": "FIU request 2026/9"},
            headers=headers,
        )
        assert missing.status_code == 404
        assert "GONE-1 is not in" in missing.json()["error"]
    print(f"reveal on the broker: {took:.2f} s")
    assert took < 10
    with sessions() as session:
        rows = session.execute(
            select(AuditRow).where(AuditRow.action == "account.reveal")
        ).scalars()
        outcomes = [orjson.loads(r.after)["outcome"] for r in rows]
    assert outcomes[0] == "revealed" and outcomes[1].startswith("failed: payment GONE-1")


def test_a_broker_that_does_not_answer_is_a_clear_503(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    created = datetime.now(UTC) - timedelta(days=1)
    open_case(sessions, "REVEAL-1", created)
    with sessions.begin() as session:
        token = create_token(session, "samir", "supervisor")
    nobody = pipeline_settings("127.0.0.1:1", unique_topic_prefix("reveal"), tmp_path)
    app = create_app(sessions, RecordingPublisher(), accounts=ScreenedStore(nobody, timeout_s=3))
    with TestClient(app) as client:
        started = time.monotonic()
        answer = client.post(
            "/api/cases/1/reveal",
            json={"party": "debtor", "reason": "x"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 503
    assert "cannot be read" in answer.json()["error"]
    assert time.monotonic() - started < 15
