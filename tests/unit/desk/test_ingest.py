"""store_batch: what the ingest consumer does with one polled batch (the broker part is in
tests/integration/test_desk.py)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from desk.db.models import AlertRow, Case
from desk.ingest import Record, store_batch
from desk.metrics import DeskMetrics
from schemas.common import Action, Severity
from tests.unit.desk.builders import decision_for, finding, make_alerts

NAMES = {"p-alerts": "alerts", "p-payments.decisions": "payments.decisions"}


def _alert(payment_id: str, offset: int, **changes: object) -> Record:
    [alert] = make_alerts(payment_id, finding(**changes))  # type: ignore[arg-type]
    return Record("p-alerts", 0, offset, alert.model_dump_json(by_alias=True).encode())


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_batch_with_duplicates_garbage_and_decisions(sessions: sessionmaker[Session]) -> None:
    metrics = DeskMetrics()
    first = _alert("P1", 0)
    decision = decision_for("P3", finding(severity=Severity.CRITICAL, action=Action.BLOCK))
    passed = decision_for("P4")
    batch = [
        first,
        _alert("P2", 1),
        first,  # the same alert twice in one batch
        Record("p-alerts", 0, 3, b'{"alert_id": "x"}'),  # not an alert
        Record("p-alerts", 0, 4, None),  # a tombstone
        Record("p-payments.decisions", 1, 0, decision.model_dump_json(by_alias=True).encode()),
        Record("p-payments.decisions", 1, 1, passed.model_dump_json(by_alias=True).encode()),
    ]
    counts = store_batch(sessions, batch, NAMES, metrics)
    assert (counts.stored, counts.duplicate, counts.rejected, counts.ignored) == (3, 1, 1, 2)
    assert (_count(sessions, Case), _count(sessions, AlertRow)) == (3, 2)
    assert metrics.ingest_records.labels("alerts", "rejected")._value.get() == 1
    assert metrics.ingest_records.labels("payments.decisions", "stored")._value.get() == 1

    again = store_batch(sessions, batch, NAMES, metrics)  # the whole batch redelivered
    assert (again.stored, again.duplicate) == (1, 3)  # only the decision is re-applied
    assert (_count(sessions, Case), _count(sessions, AlertRow)) == (3, 2)


def test_the_case_takes_the_highest_severity_across_batches(
    sessions: sessionmaker[Session],
) -> None:
    store_batch(sessions, [_alert("P1", 0, rule="OFAC-SDN", severity=Severity.MEDIUM)], NAMES)
    store_batch(
        sessions,
        [
            _alert("P1", 1, rule="MILITIA-FRONT", severity=Severity.CRITICAL),
            _alert("P1", 2, rule="IRAN-NEXUS", severity=Severity.LOW),
        ],
        NAMES,
    )
    with sessions() as session:
        case = session.execute(select(Case)).scalar_one()
    assert (case.severity, case.severity_rank) == ("critical", 3)
    assert case.creditor_agent_bic == "EBILAEAD" and case.currency == "USD"
