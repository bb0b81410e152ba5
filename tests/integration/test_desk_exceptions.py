"""A false positive cleared on the desk stops alerting in a running worker, end to end.

A real worker (built-in lists) screens a payment to a creditor whose name is on the militia
list: review, one alert. `desk ingest` on a throwaway PostgreSQL cluster makes it a case; a
four-eyes release and a false-positive disposition reach `alerts.dispositions`; an exception is
requested and approved by another supervisor, taking the entry's hash from the lists the workers
use, and is published on `exceptions`. The same worker, never restarted, then screens an
identical payment: the finding is kept as suppressed with the exception's id, the payment
passes and no alert is raised for it. Revoked on the desk, the exception leaves the worker and
the next identical payment alerts again.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.auth import create_token
from desk.ingest import CONSUMER_GROUP, Ingest
from desk.kafka_publisher import KafkaPublisher
from desk.list_lookup import WorkerLists
from desk.metrics import DeskMetrics
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from rules.lists.base import ReferenceList
from rules.suppression import entry_content_hash
from tests.factories import payment_doc
from tests.integration.pipeline import (
    WorkerProcess,
    group_committed_to_end,
    metric_value,
    pipeline_settings,
    read_topic,
    wait_caught_up,
)
from tests.kafka_broker import unique_topic_prefix
from tests.postgres import desk_postgres, postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.waits import wait_until

pytestmark = pytest.mark.integration

ACCOUNT = "IQ20RAFB00100000000001"
CREDITOR = {"name": "Hamad Al-Moussawi", "account": ACCOUNT, "country": "IQ"}
ENTRY = "militia-facilitator-hamad-al-moussawi"


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("dexc"), tmp_path)
    create_topics(settings)
    return settings


def _send_payment(settings: Settings, payment_id: str) -> None:
    now = datetime.now(UTC)
    doc = payment_doc(
        payment_id=payment_id,
        created_at=now.isoformat(),
        value_date=now.date().isoformat(),
        amount="2500.00",
        creditor=dict(CREDITOR),
    )
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    producer.send(
        settings.topic(names.RAW),
        key=payment_id.encode(),
        value=orjson.dumps(doc),
        headers=[("content-type", b"application/json")],
    ).get(timeout=30)
    producer.close()


def _records_for(settings: Settings, topic: str, key: str, timeout: float) -> list[Any]:
    """The values of `topic` under `key`, once there is one (decisions: the payment id)."""
    records = read_topic(
        settings.kafka_bootstrap,
        settings.topic(topic),
        lambda rs: any(r.key == key.encode() for r in rs),
        timeout=timeout,
    )
    return [orjson.loads(r.value) for r in records if r.key == key.encode()]


def _alerts_of(settings: Settings, payment_id: str, timeout: float) -> list[Any]:
    """The alerts (keyed by alert id) of one payment on the `alerts` topic."""

    def of_payment(records: list[Any]) -> list[Any]:
        found = [orjson.loads(r.value) for r in records]
        return [a for a in found if a["payment"]["payment_id"] == payment_id]

    records = read_topic(
        settings.kafka_bootstrap,
        settings.topic(names.ALERTS),
        lambda rs: bool(of_payment(rs)),
        timeout=timeout,
    )
    return of_payment(records)


def _ingest_to_end(settings: Settings, sessions: sessionmaker[Session]) -> None:
    ingest = Ingest(settings, sessions, DeskMetrics(), publisher=None)
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    try:
        topics = [settings.topic(names.ALERTS), settings.topic(names.DECISIONS)]
        wait_until(
            lambda: group_committed_to_end(
                settings.kafka_bootstrap, settings.topic(CONSUMER_GROUP), topics
            ),
            120,
            "the desk ingest group to commit alerts and decisions to their end",
        )
    finally:
        ingest.stop.set()
        thread.join(30)


def test_an_approved_exception_suppresses_the_next_identical_payment(
    settings: Settings,
    desk_postgres: sessionmaker[Session],  # noqa: F811
    tmp_path: Path,
) -> None:
    sessions = desk_postgres
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        _send_payment(settings, "EXC-1")
        [first] = _records_for(settings, names.DECISIONS, "EXC-1", 90)
        assert first["decision"] == "review", first
        assert [(f["rule"], f["entry_id"]) for f in first["findings"]] == [("MILITIA-FRONT", ENTRY)]
        [alert] = _alerts_of(settings, "EXC-1", 30)

        _ingest_to_end(settings, sessions)
        with sessions.begin() as session:
            tokens = {
                name: create_token(session, name, role)
                for name, role in [
                    ("amal", "analyst"),
                    ("samir", "supervisor"),
                    ("sara", "supervisor"),
                ]
            }

        def as_(name: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[name]}"}

        publisher = KafkaPublisher(settings)
        app = create_app(sessions, publisher, entries=WorkerLists(settings))
        with TestClient(app) as client:
            [case] = client.get("/api/cases?status=open&limit=10", headers=as_("amal")).json()[
                "cases"
            ]
            assert case["payment_id"] == "EXC-1" and case["alert_ids"] == [alert["alert_id"]]
            url = f"/api/cases/{case['case_id']}"
            assert client.post(f"{url}/release", headers=as_("amal")).status_code == 200
            assert client.post(f"{url}/approve", headers=as_("amal")).status_code == 403
            assert client.post(f"{url}/approve", headers=as_("samir")).json()["status"] == (
                "released"
            )
            answer = client.post(
                f"{url}/disposition",
                json={"disposition": "false_positive", "comment": "a namesake, ID checked"},
                headers=as_("amal"),
            )
            assert answer.status_code == 200, answer.text
            made = client.post(
                "/api/exceptions",
                json={
                    "alert_id": alert["alert_id"],
                    "rule": "MILITIA-FRONT",
                    "entry_id": ENTRY,
                    "party_fingerprint": f"hamad al-moussawi|{ACCOUNT}",
                    "reason": "Basra grocer, national ID checked: not the listed facilitator",
                    "expires_at": (datetime.now(UTC) + timedelta(days=90)).isoformat(),
                },
                headers=as_("amal"),
            )
            assert made.status_code == 201, made.text
            exception_id = made.json()["id"]
            approve = f"/api/exceptions/{exception_id}/approve"
            assert client.post(approve, headers=as_("amal")).status_code == 403
            approved = client.post(approve, headers=as_("sara"))
            assert approved.status_code == 200, approved.text
            assert approved.json()["entry_hash"]
        publisher.close()

        events = _records_for(settings, names.DISPOSITIONS, "EXC-1", 30)
        assert sorted(e["type"] for e in events) == ["disposition", "release"]
        [published] = _records_for(settings, names.EXCEPTIONS, str(exception_id), 30)
        assert published["status"] == "active" and published["entry_id"] == ENTRY

        wait_until(
            lambda: metric_value(worker.metrics(), "dinarwatch_exceptions_active") == 1,
            30,
            "the running worker to hold the exception",
        )
        _send_payment(settings, "EXC-2")
        [second] = _records_for(settings, names.DECISIONS, "EXC-2", 90)
        assert second["decision"] == "pass" and second["findings"] == []
        [suppressed] = second["suppressed_findings"]
        assert (suppressed["rule"], suppressed["entry_id"], suppressed["exception_id"]) == (
            "MILITIA-FRONT",
            ENTRY,
            str(exception_id),
        )
        wait_caught_up(settings)  # the worker has written everything for EXC-2
        assert _alerts_of(settings, "EXC-2", 5) == []  # none for the suppressed payment

        # revoked on the desk: published, dropped by the worker, the next payment alerts again
        publisher = KafkaPublisher(settings)
        with TestClient(create_app(sessions, publisher)) as client:
            revoked = client.post(
                f"/api/exceptions/{exception_id}/revoke",
                json={"reason": "new adverse media on the grocer"},
                headers=as_("samir"),
            )
            assert revoked.json()["status"] == "revoked", revoked.text
        publisher.close()
        wait_until(
            lambda: metric_value(worker.metrics(), "dinarwatch_exceptions_active") == 0,
            30,
            "the running worker to drop the revoked exception",
        )
        _send_payment(settings, "EXC-3")
        [third] = _records_for(settings, names.DECISIONS, "EXC-3", 90)
        assert third["decision"] == "review" and "suppressed_findings" not in third
        assert len(_alerts_of(settings, "EXC-3", 30)) == 1
    finally:
        worker.stop()


def test_the_desk_judges_entries_against_the_lists_published_to_the_workers(
    settings: Settings,
) -> None:
    """A list published on `watchlists` overrides the files for the desk as for the workers; a
    tombstone returns to the files' list."""
    from lists.files import load_builtin_list
    from lists.wire import encode_list, list_key

    builtin = load_builtin_list("militia-fronts")
    entry = next(e for e in builtin.entries if e.entry_id == ENTRY)
    changed = entry.model_copy(update={"names": [*entry.names, "Abu Hamad al-Basri"]})
    published = ReferenceList.build(
        builtin.name,
        [changed if e.entry_id == ENTRY else e for e in builtin.entries],
        title=builtin.title,
        published=builtin.published,
        source=builtin.source,
    )
    assert published.version != builtin.version
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    topic = settings.topic(names.WATCHLISTS)
    producer.send(topic, key=list_key(builtin.name), value=encode_list(published)).get(30)
    lists = WorkerLists(settings, cache_seconds=0)
    current = lists.current_list(builtin.name)
    assert current is not None and current.version == published.version
    assert entry_content_hash(next(e for e in current.entries if e.entry_id == ENTRY)) != (
        entry_content_hash(entry)
    )
    producer.send(topic, key=list_key(builtin.name), value=None).get(30)
    producer.close()
    again = lists.current_list(builtin.name)
    assert again is not None and again.version == builtin.version
