"""The worker's per-record work without Faust or Kafka: a recording sink, a fixed clock and a
dict window store stand in for the producer, the wall clock and the Faust table."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from infra.metrics import PipelineMetrics
from infra.settings import Settings
from offline.screen import SourceRecord, screen_records
from rules.context import ScreeningContext
from rules.suppression import ActiveException, ExceptionSet, entry_content_hash
from schemas.alert import Alert
from schemas.common import Action
from schemas.decision import Decision
from schemas.payment import Payment
from screening.deadletter import headers_as_dict
from screening.decode import partition_key
from screening.service import DictWindows
from streams.partitioner import key_partition
from streams.pipeline import Pipeline, Topics
from streams.runtime import WorkerRuntime
from tests.factories import payment_doc
from tests.unit.rules.conftest import context, small_sdn

NOW = datetime(2025, 4, 1, 12, tzinfo=UTC)
TOPICS = Topics(valid="valid", dlq="dlq", decisions="decisions", alerts="alerts")
SDN = small_sdn()
PERSON = "ofac-sdn-47348"  # AL-MOUSSAWI, Hamad: a name-only hit on him is a review
SANCTIONED = {"name": "Hamad Al-Moussawi", "account": "AE070331234567890123456"}


@dataclass
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Any
    partition: int | None
    timestamp: float | None


@dataclass
class RecordingSink:
    """Every record the pipeline sends, in order."""

    sent: list[Sent] = field(default_factory=list)

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Any = None,
        *,
        partition: int | None = None,
        timestamp: float | None = None,
    ) -> None:
        self.sent.append(Sent(topic, key, value, headers, partition, timestamp))

    def on(self, topic: str) -> list[Sent]:
        return [s for s in self.sent if s.topic == topic]


@dataclass
class Message:
    value: bytes | None
    key: bytes | None
    topic: str = "raw"
    partition: int = 0
    offset: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class Event:
    """What take_events yields: the record under `.message` (weak-referenceable, as Faust's)."""

    def __init__(self, message: Message) -> None:
        self.message = message


def raw_event(doc: dict[str, Any], offset: int = 0) -> Event:
    """A raw record keyed and partitioned as payments.valid would be (the fast path)."""
    key = partition_key(Payment.model_validate(doc))
    return Event(Message(orjson.dumps(doc), key, partition=key_partition(key, 4), offset=offset))


def make(ctx: ScreeningContext | None = None, **settings: Any) -> tuple[Pipeline, RecordingSink]:
    sink = RecordingSink()
    runtime = WorkerRuntime(ctx or context(None, SDN))
    config = Settings(_env_file=None, topic_partitions=4, **settings)
    return Pipeline(config, runtime, TOPICS, DictWindows(), sink, clock=lambda: NOW), sink


def decisions(sink: RecordingSink) -> list[Decision]:
    return [Decision.model_validate_json(s.value or b"") for s in sink.on("decisions")]


def test_a_valid_payment_gets_a_decision_and_its_alert() -> None:
    pipeline, sink = make()
    doc = payment_doc(payment_id="P-1", creditor=SANCTIONED)
    asyncio.run(pipeline.ingest_batch([raw_event(doc)]))
    (decision,) = decisions(sink)
    assert decision.payment_id == "P-1" and decision.decision is Action.REVIEW
    assert decision.evaluated_at == NOW  # the pipeline's clock, not the wall clock
    assert [s.key for s in sink.on("decisions")] == [b"P-1"]
    alerts = [Alert.model_validate_json(s.value or b"") for s in sink.on("alerts")]
    assert alerts and {a.payment.payment_id for a in alerts} == {"P-1"}
    assert {s.topic for s in sink.sent} == {"decisions", "alerts"}  # nothing forwarded


def test_decisions_and_alerts_are_the_bytes_offline_screening_gives() -> None:
    """One screening service: the worker and `dinarwatch screen` agree byte for byte."""
    pipeline, sink = make()
    docs = [payment_doc(payment_id=f"P-{i}", creditor=SANCTIONED) for i in range(2)]
    docs.append(payment_doc(payment_id="P-clean"))
    asyncio.run(pipeline.ingest_batch([raw_event(d, i) for i, d in enumerate(docs)]))
    offline = list(
        screen_records(
            [SourceRecord("x", orjson.dumps(d)) for d in docs],
            context(None, SDN),
            NOW,
            1_048_576,
        )
    )
    assert [s.value for s in sink.on("decisions")] == [
        r.decision.model_dump_json(exclude_none=True).encode()  # type: ignore[union-attr]
        for r in offline
    ]
    assert [s.value for s in sink.on("alerts")] == [
        a.model_dump_json(exclude_none=True).encode()
        for r in offline
        for a in r.alerts  # type: ignore[union-attr]
    ]


def test_a_malformed_record_goes_to_the_dlq_with_its_bytes_and_reason() -> None:
    pipeline, sink = make()
    event = Event(Message(b'{"payment_id": ', b"k", offset=41, headers=[("trace", b"t-9")]))
    asyncio.run(pipeline.ingest_batch([event]))
    (dead,) = sink.sent
    assert (dead.topic, dead.key, dead.value) == ("dlq", b"k", b'{"payment_id": ')
    headers = headers_as_dict(dead.headers)
    assert headers["trace"] == "t-9"  # the producer's headers survive
    assert any(k.endswith("reason") and v for k, v in headers.items())
    assert any(k.endswith("source-offset") and v == "41" for k, v in headers.items())
    assert any(k.endswith("rejected-at") and v == NOW.isoformat() for k, v in headers.items())


def test_a_future_dated_payment_is_dead_lettered_by_the_pipelines_clock() -> None:
    pipeline, sink = make()
    future = (NOW + timedelta(days=2)).isoformat()
    asyncio.run(pipeline.ingest_batch([raw_event(payment_doc(created_at=future))]))
    assert [s.topic for s in sink.sent] == ["dlq"]


def test_a_record_off_the_fast_path_is_forwarded_then_screened_from_valid() -> None:
    pipeline, sink = make()
    doc = payment_doc(payment_id="P-2", creditor=SANCTIONED)
    event = raw_event(doc)
    event.message.key = b"someone-else"  # keyed otherwise: repartition through payments.valid
    asyncio.run(pipeline.ingest_batch([event]))
    (forwarded,) = sink.sent
    assert forwarded.topic == "valid" and forwarded.key == partition_key(
        Payment.model_validate(doc)
    )
    valid = Event(Message(forwarded.value, forwarded.key, topic="valid"))
    asyncio.run(pipeline.screen_batch([valid]))
    assert [d.payment_id for d in decisions(sink)] == ["P-2"]


def test_the_windowed_rule_counts_across_payments_of_one_debtor() -> None:
    pipeline, sink = make()
    at = NOW - timedelta(hours=6)
    events = [
        raw_event(
            payment_doc(
                payment_id=f"S-{i}",
                amount="9500.00",
                created_at=(at + timedelta(hours=i)).isoformat(),
            ),
            i,
        )
        for i in range(3)
    ]
    asyncio.run(pipeline.ingest_batch(events))
    fired = [[f.rule for f in d.findings] for d in decisions(sink)]
    assert [("USD-STRUCTURING" in rules) for rules in fired] == [False, False, True]
    assert pipeline.windows.get(pipeline_debtor(events[0]))


def pipeline_debtor(event: Event) -> str:
    return (event.message.key or b"").decode()


def test_an_approved_exception_suppresses_the_finding() -> None:
    entry = next(e for e in SDN.entries if e.entry_id == PERSON)
    exception = ActiveException(
        exception_id="7",
        rule="OFAC-SDN",
        entry_id=PERSON,
        party_fingerprint="hamad al moussawi|AE07****3456",
        expires_at=NOW + timedelta(days=30),
        entry_hash=entry_content_hash(entry),
    )
    ctx = replace(context(None, SDN), exceptions=ExceptionSet.build([exception]))
    pipeline, sink = make(ctx)
    asyncio.run(pipeline.ingest_batch([raw_event(payment_doc(creditor=SANCTIONED))]))
    (decision,) = decisions(sink)
    assert "OFAC-SDN" not in [f.rule for f in decision.findings]
    (kept,) = decision.suppressed_findings or []
    assert (kept.rule, kept.entry_id, kept.exception_id) == ("OFAC-SDN", PERSON, "7")


def test_the_screened_store_gets_the_payment_in_its_debtors_partition() -> None:
    pipeline, sink = make()
    pipeline.topics = replace(TOPICS, screened="screened")
    doc = payment_doc(payment_id="P-3")
    event = raw_event(doc)
    asyncio.run(pipeline.ingest_batch([event]))
    (stored,) = sink.on("screened")
    assert stored.key == b"P-3" and stored.partition == event.message.partition
    assert stored.timestamp == Payment.model_validate(doc).created_at.timestamp()


def test_a_failing_rule_dead_letters_the_record_and_the_worker_goes_on() -> None:
    pipeline, sink = make()

    class Broken:
        def get(self, key: str) -> None:
            raise RuntimeError("store broke")

        def put(self, key: str, window: object) -> None:
            raise RuntimeError("store broke")

    pipeline.windows = Broken()
    structuring = payment_doc(payment_id="S-9", amount="9500.00")
    other = payment_doc(payment_id="E-1", currency="EUR")  # never windowed
    asyncio.run(pipeline.ingest_batch([raw_event(structuring), raw_event(other)]))
    assert [s.topic for s in sink.sent] == ["dlq", "decisions"]
    assert b"S-9" in b"".join(v for _, v in sink.sent[0].headers)


def _samples(metrics: PipelineMetrics, families: set[str]) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in metrics.registry.collect()
        if family.name in families
        for s in family.samples
        if s.name.endswith("_total")
    }


def test_decision_counters_per_batch_equal_counting_each_payment() -> None:
    """The batch tally adds to the same series, by the same amounts, as record_decision
    called for every payment (two banks, USD and IQD, pass and review)."""
    pipeline, sink = make()
    docs = [
        payment_doc(payment_id="P-1", creditor=SANCTIONED),
        payment_doc(payment_id="P-2", amount="120.50"),
        payment_doc(payment_id="P-3", currency="IQD", amount="1000000"),
        payment_doc(
            payment_id="P-4",
            creditor=SANCTIONED,
            debtor_agent={"bic": "RAFBIQBA", "name": "Rafidain Bank"},
        ),
    ]
    asyncio.run(pipeline.ingest_batch([raw_event(d, i) for i, d in enumerate(docs)]))
    expected = PipelineMetrics()
    for doc, decision in zip(docs, decisions(sink), strict=True):
        payment = Payment.model_validate(doc)
        bank = (payment.debtor_agent.bic or "unknown")[:8]
        expected.record_decision(decision, payment.message_type.value, payment.amount, bank)
    families = {
        "dinarwatch_payments",
        "dinarwatch_payment_amount_usd",
        "dinarwatch_bank_usd_volume",
        "dinarwatch_flagged_payments",
    }
    got = _samples(pipeline.runtime.metrics, families)
    assert got == _samples(expected, families)
    assert sum(v for (n, _), v in got.items() if n == "dinarwatch_payments_total") == 4
    assert {d.decision for d in decisions(sink)} == {Action.PASS, Action.REVIEW}


def test_the_party_cache_hit_rate_is_served_on_metrics() -> None:
    """The same parties a second time are answered from the party cache, and /metrics says so;
    a new context (a list reload) starts the counts again."""
    from prometheus_client import generate_latest

    pipeline, _ = make()
    metrics = pipeline.runtime.metrics.registry

    def sample(name: str, **labels: str) -> float:
        value = metrics.get_sample_value(name, labels)
        assert value is not None, generate_latest(metrics).decode()
        return value

    doc = payment_doc(payment_id="P-1", creditor=SANCTIONED)
    asyncio.run(pipeline.ingest_batch([raw_event(doc)]))
    first_misses = sample("dinarwatch_party_cache_lookups_total", result="miss")
    assert first_misses > 0 and sample("dinarwatch_party_cache_lookups_total", result="hit") == 0
    entries = sample("dinarwatch_party_cache_entries")
    assert entries > 0

    again = payment_doc(payment_id="P-2", creditor=SANCTIONED)
    asyncio.run(pipeline.ingest_batch([raw_event(again, offset=1)]))
    assert sample("dinarwatch_party_cache_lookups_total", result="hit") >= first_misses
    assert sample("dinarwatch_party_cache_lookups_total", result="miss") == first_misses
    assert sample("dinarwatch_party_cache_entries") == entries

    pipeline.runtime.swap_context(context(None, SDN))
    assert sample("dinarwatch_party_cache_lookups_total", result="hit") == 0
    assert sample("dinarwatch_party_cache_entries") == 0


def test_the_cpu_spent_screening_is_counted_beside_the_wall_clock() -> None:
    """dinarwatch_screening_cpu_seconds_total grows with each payment screened and never
    exceeds the wall-clock time the histogram took for the same payments (one thread's CPU
    clock cannot run faster than the wall)."""
    pipeline, _ = make()
    registry = pipeline.runtime.metrics.registry
    events = [
        raw_event(payment_doc(payment_id=f"P-{i}", creditor=SANCTIONED), offset=i)
        for i in range(20)
    ]
    asyncio.run(pipeline.ingest_batch(events))
    cpu = registry.get_sample_value("dinarwatch_screening_cpu_seconds_total")
    wall = registry.get_sample_value("dinarwatch_screening_seconds_sum")
    count = registry.get_sample_value("dinarwatch_screening_seconds_count")
    assert count == 20
    assert cpu is not None and wall is not None
    assert 0 < cpu <= wall + 1e-3
