"""The queue's counters on PostgreSQL (statement-level triggers with transition tables, the
rule rows' FOR SHARE read of their case): the SQLite scenario of tests/unit/desk/
test_counts.py, and an analyst changing a case while ingest files a new rule of it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from desk import cases, counts
from desk.db.models import AlertRow, Case
from desk.ingest import store_batch
from schemas.common import Severity
from tests.postgres import desk_postgres, postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.unit.desk.builders import make_alerts
from tests.unit.desk.test_counts import (
    NAMES,
    _hit,
    _records,
    _varied,
    assert_counts_hold,
    assert_searches_hold,
    run_scenario,
)
from tests.waits import wait_until


@pytest.fixture
def sessions(desk_postgres: sessionmaker[Session]) -> sessionmaker[Session]:  # noqa: F811
    return desk_postgres


def test_counters_follow_every_case_write_on_postgresql(sessions: sessionmaker[Session]) -> None:
    run_scenario(sessions)


def test_a_new_rule_filed_while_an_analyst_closes_the_case(
    sessions: sessionmaker[Session],
) -> None:
    """Ingest files the first alert of a rule for a case whose status an analyst's open
    transaction has just changed: the rule row must carry the status that commits."""
    store_batch(sessions, _records(make_alerts("P1")), NAMES)
    [late] = make_alerts("P1", _hit("MILITIA-FRONT", Severity.HIGH))
    analyst = sessions()
    analyst.begin()
    analyst.execute(text("UPDATE cases SET status = 'closed' WHERE payment_id = 'P1'"))
    done = threading.Event()
    failed: list[BaseException] = []

    def ingest() -> None:
        # the alert's INSERT alone: in a batch it follows the statements on the cases, so an
        # analyst's change can land between them; the rule row's read of the case must wait
        try:
            with sessions.begin() as session:
                case_id = session.execute(
                    select(Case.id).where(Case.payment_id == "P1")
                ).scalar_one()
                session.add(
                    AlertRow(
                        alert_id=late.alert_id,
                        case_id=case_id,
                        rule=late.rule,
                        action=late.action.value,
                        severity=late.severity.value,
                        raised_at=late.raised_at,
                        received_at=late.raised_at,
                        alert_json={},
                    )
                )
        except BaseException as exc:  # reported by the test thread
            failed.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=ingest)
    worker.start()

    def ingest_waits_on_the_case() -> bool:
        with sessions() as session:
            waiting = session.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
        return int(waiting) == 1

    try:
        wait_until(ingest_waits_on_the_case, 20, "ingest to wait for the analyst's case row")
        assert not done.is_set()
        analyst.commit()
    finally:
        analyst.close()
        worker.join(timeout=20)
    assert done.is_set() and not failed, failed
    assert_counts_hold(sessions)
    with sessions() as session:
        assert counts.total(session, status="closed", rule="MILITIA-FRONT") == 1
        assert counts.total(session, status="open") == 0


def test_totals_past_the_cap_on_postgresql(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_batch(sessions, _records([a for n in range(5) for a in make_alerts(f"P{n}")]), NAMES)
    monkeypatch.setattr(cases, "COUNT_CAP", 3)
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 5
        page = cases.list_cases(session, party="a", limit=2)
        assert (page.total, page.exact, len(page.cases)) == (3, False, 2)
        page = cases.list_cases(session, rule="OFAC-SDN", limit=2)
        assert (page.total, page.exact, len(page.cases)) == (5, True, 2)


def test_searches_list_what_a_plain_filter_lists_on_postgresql(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bank expression index, the trigram party search and the matches sorted in Python,
    under and past the cap."""
    _varied(sessions)
    assert_searches_hold(sessions, cases.COUNT_CAP)
    monkeypatch.setattr(cases, "COUNT_CAP", 4)
    assert_searches_hold(sessions, 4)
