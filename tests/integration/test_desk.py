"""The desk on a real PostgreSQL cluster and the real broker: alerts on the topic become cases,
a four-eyes release and a disposition reach `alerts.dispositions`, the audit chain holds and a
tampered row is found; a SIGKILLed `desk ingest` loses and duplicates no case.

PostgreSQL comes from tests/postgres.py (initdb/pg_ctl, no Docker); the broker from the
kafka_bootstrap fixture (the shared one on 127.0.0.1:9092 when it answers).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from desk import audit
from desk.api import create_app
from desk.auth import create_token
from desk.db.models import AlertRow, AuditRow, Case
from desk.ingest import CONSUMER_GROUP, Ingest
from desk.kafka_publisher import KafkaPublisher
from desk.metrics import DeskMetrics
from infra.admin import create_topics
from infra.settings import Settings
from infra.topics import ALERTS, DECISIONS, DISPOSITIONS
from schemas.alert import Alert
from tests.integration.pipeline import (
    group_committed_to_end,
    pipeline_settings,
    read_topic,
    settings_env,
)
from tests.kafka_broker import unique_topic_prefix
from tests.postgres import desk_postgres, postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.unit.desk.builders import decision_for, finding, make_alerts
from tests.waits import wait_until

REPO = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("dinarwatch"))


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("desk"), tmp_path)
    create_topics(settings)
    return settings


def _publish(settings: Settings, topic: str, items: list[tuple[str, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    for key, value in items:
        producer.send(settings.topic(topic), key=key.encode(), value=value)
    producer.flush()
    producer.close()


def _alert_records(alerts: list[Alert]) -> list[tuple[str, bytes]]:
    return [(a.payment.payment_id, a.model_dump_json(by_alias=True).encode()) for a in alerts]


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_alert_to_case_to_four_eyes_release_on_the_topic(
    settings: Settings,
    desk_postgres: sessionmaker[Session],  # noqa: F811
    postgres_url: str,  # noqa: F811
) -> None:
    sessions = desk_postgres
    two_rules = make_alerts(
        "PAY-1", finding(rule="OFAC-SDN"), finding(rule="MILITIA-FRONT", entry_id="kh-front-1")
    )
    other = make_alerts("PAY-2")
    records = _alert_records(two_rules + other)
    # a redelivered alert (a producer retry, a replay) must not make a second case or alert
    _publish(settings, ALERTS, [*records, records[0]])
    decision = decision_for("PAY-1", finding(rule="OFAC-SDN"))
    _publish(settings, DECISIONS, [("PAY-1", decision.model_dump_json(by_alias=True).encode())])

    metrics = DeskMetrics()
    ingest = Ingest(settings, sessions, metrics, publisher=None)
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    try:
        group = settings.topic(CONSUMER_GROUP)
        wait_until(
            lambda: group_committed_to_end(
                settings.kafka_bootstrap, group, [settings.topic(ALERTS), settings.topic(DECISIONS)]
            ),
            120,
            "the desk ingest group to commit alerts and decisions to their end",
        )
    finally:
        ingest.stop.set()
        thread.join(30)
    assert (_count(sessions, Case), _count(sessions, AlertRow)) == (2, 3)
    assert metrics.ingest_records.labels(ALERTS, "duplicate")._value.get() == 1

    with sessions.begin() as session:
        tokens = {
            name: create_token(session, name, role)
            for name, role in [("amal", "analyst"), ("samir", "supervisor"), ("sara", "supervisor")]
        }
    publisher = KafkaPublisher(settings)
    client = TestClient(create_app(sessions, publisher))

    def as_(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[name]}"}

    queue = client.get("/api/cases?status=open&limit=10", headers=as_("amal")).json()
    assert queue["total"] == 2
    pay1 = next(c for c in queue["cases"] if c["payment_id"] == "PAY-1")
    assert pay1["rules"] == ["MILITIA-FRONT", "OFAC-SDN"] and len(pay1["alert_ids"]) == 2
    pay2 = next(c for c in queue["cases"] if c["payment_id"] == "PAY-2")

    url = f"/api/cases/{pay1['case_id']}"
    assert (
        client.post(f"{url}/release", json={"comment": "ok"}, headers=as_("samir")).status_code
        == 200
    )
    assert client.post(f"{url}/approve", headers=as_("samir")).status_code == 403  # four eyes
    assert client.post(f"{url}/approve", headers=as_("amal")).status_code == 403  # not supervisor
    assert client.post(f"{url}/approve", headers=as_("sara")).json()["status"] == "released"
    answer = client.post(
        f"/api/cases/{pay2['case_id']}/disposition",
        json={"disposition": "true_match", "comment": "confirmed with the list entry"},
        headers=as_("amal"),
    )
    assert answer.status_code == 200
    assert client.get("/api/cases/x", headers={}).status_code == 401
    publisher.close()

    found = read_topic(
        settings.kafka_bootstrap, settings.topic(DISPOSITIONS), lambda r: len(r) >= 2, 60
    )
    events = sorted((orjson.loads(r.value) for r in found), key=lambda e: e["event_id"])
    assert [(e["type"], e["payment_id"]) for e in events] == [
        ("release", "PAY-1"),
        ("disposition", "PAY-2"),
    ]
    assert (events[0]["proposed_by"], events[0]["approved_by"]) == ("samir", "sara")
    assert events[1]["disposition"] == "true_match"
    assert [r.key for r in found] in ([b"PAY-1", b"PAY-2"], [b"PAY-2", b"PAY-1"])

    with sessions() as session:
        assert audit.verify(session).intact
    verify = [EXE, "desk", "verify-audit", "--db", postgres_url]
    assert subprocess.run(verify, capture_output=True, cwd=REPO, check=False).returncode == 0
    with sessions.begin() as session:
        last = session.execute(select(func.max(AuditRow.id))).scalar_one()
        session.execute(update(AuditRow).where(AuditRow.id == last - 1).values(actor="mallory"))
    done = subprocess.run(verify, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 1
    assert f"row {last - 1}" in done.stderr


def test_sigkill_of_desk_ingest_loses_and_duplicates_no_case(
    settings: Settings,
    desk_postgres: sessionmaker[Session],  # noqa: F811
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    sessions = desk_postgres
    alerts = [a for n in range(3000) for a in make_alerts(f"KILL-{n:05d}")]
    _publish(settings, ALERTS, _alert_records(alerts))
    env = {**settings_env(settings), "DINARWATCH_DESK_DB": postgres_url}
    command = [EXE, "desk", "ingest"]

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / "ingest.log").open("ab")
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)

    first = start()
    try:
        wait_until(lambda: _count(sessions, Case) > 0, 120, "the first cases to be stored")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    stored_at_kill = _count(sessions, Case)
    second = start()
    try:
        group = settings.topic(CONSUMER_GROUP)
        wait_until(
            lambda: group_committed_to_end(
                settings.kafka_bootstrap, group, [settings.topic(ALERTS)]
            ),
            180,
            "the restarted ingest to commit alerts to their end",
            interval=0.5,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(60)
    assert second.returncode == 0, (tmp_path / "ingest.log").read_text()[-2000:]
    # the kill landed mid-stream, else this test would prove nothing
    assert stored_at_kill < len(alerts), "ingest finished before the kill: publish more alerts"
    assert _count(sessions, Case) == len(alerts) == _count(sessions, AlertRow)
    with sessions() as session:
        ids = set(session.execute(select(AlertRow.alert_id)).scalars())
    assert ids == {a.alert_id for a in alerts}


def test_concurrent_writers_keep_one_audit_chain_on_postgres(
    desk_postgres: sessionmaker[Session],  # noqa: F811
) -> None:
    """Four threads appending at once: the advisory lock serialises them, so every append
    succeeds and the chain has no fork and no gap."""
    sessions = desk_postgres
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(25):
                with sessions.begin() as session:
                    audit.append(session, actor=name, action="test", target=f"n:{n}")
        except BaseException as exc:  # collected: an assert in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with sessions() as session:
        report = audit.verify(session)
    assert report.intact and report.rows == 100
