"""Alerts and decisions into cases: one case per payment, idempotent on alert_id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from desk.cases import list_cases, store_alert, store_decision
from desk.db.models import AlertRow, Case
from schemas.common import Action, Severity
from tests.unit.desk.builders import decision_for, finding, make_alerts

NOW = datetime(2025, 4, 1, 9, 31, tzinfo=UTC)


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        cases = session.execute(select(func.count()).select_from(Case)).scalar_one()
        alerts = session.execute(select(func.count()).select_from(AlertRow)).scalar_one()
    return cases, alerts


def test_redelivered_alert_is_stored_once(sessions: sessionmaker[Session]) -> None:
    [alert] = make_alerts("E2E-0001")
    with sessions.begin() as session:
        assert store_alert(session, alert, NOW) is True
    with sessions.begin() as session:
        assert store_alert(session, alert, NOW) is False
        assert store_alert(session, alert, NOW) is False
    assert _counts(sessions) == (1, 1)


def test_alerts_of_one_payment_form_one_case(sessions: sessionmaker[Session]) -> None:
    alerts = make_alerts(
        "E2E-0001",
        finding(rule="OFAC-SDN", severity=Severity.MEDIUM),
        finding(
            rule="IRAN-NEXUS",
            entry_id=None,
            match_method="country",
            severity=Severity.CRITICAL,
            action=Action.BLOCK,
        ),
    )
    assert len(alerts) == 2
    with sessions.begin() as session:
        for alert in alerts:
            store_alert(session, alert, NOW)
        store_alert(session, make_alerts("E2E-0002")[0], NOW)
    assert _counts(sessions) == (2, 3)
    with sessions() as session:
        page = list_cases(session)
    [first, second] = page.cases
    assert (page.total, page.exact) == (2, True)
    assert (first.payment_id, first.severity, first.rules) == (
        "E2E-0001",
        "critical",  # the case takes its most severe alert's severity
        ["IRAN-NEXUS", "OFAC-SDN"],
    )
    assert second.payment_id == "E2E-0002"


def test_decision_before_or_after_its_alert_is_the_same_case(
    sessions: sessionmaker[Session],
) -> None:
    hit = finding()
    with sessions.begin() as session:
        assert store_decision(session, decision_for("E2E-0001", hit), NOW)
        store_alert(session, make_alerts("E2E-0001", hit)[0], NOW)
        store_alert(session, make_alerts("E2E-0002", hit)[0], NOW)
        assert store_decision(session, decision_for("E2E-0002", hit), NOW)
    assert _counts(sessions) == (2, 2)
    with sessions() as session:
        decisions = {c.payment_id: c.decision for c in session.execute(select(Case)).scalars()}
    assert decisions == {"E2E-0001": "review", "E2E-0002": "review"}


def test_a_pass_opens_no_case(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert store_decision(session, decision_for("E2E-0003"), NOW) is False
    assert _counts(sessions) == (0, 0)


def test_filters(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        store_alert(session, make_alerts("P1", finding(rule="OFAC-SDN"))[0], NOW)
        store_alert(session, make_alerts("P2", finding(rule="MILITIA-FRONT"))[0], NOW)
    with sessions() as session:
        assert [c.payment_id for c in list_cases(session, rule="MILITIA-FRONT").cases] == ["P2"]
        assert list_cases(session, status="closed").total == 0
        assert list_cases(session, payment_id="P1").total == 1


def test_a_retro_alert_forms_a_case_like_any_other(sessions: sessionmaker[Session]) -> None:
    """Delta re-screening raises retro alerts on the same topic: the desk queues them too."""
    from schemas.alert import RetroOrigin

    [live] = make_alerts("E2E-0001")
    retro = live.model_copy(
        update={
            "alert_id": "f" * 32,
            "retro": RetroOrigin(
                list_name="ofac-sdn",
                list_version="2025-06-01+abc",
                original_decision=Action.PASS,
                original_evaluated_at=NOW,
                original_rule_pack_version="2026.12.2",
            ),
        }
    )
    with sessions.begin() as session:
        assert store_alert(session, retro, NOW) is True
        assert store_alert(session, retro, NOW) is False  # redelivery
    assert _counts(sessions) == (1, 1)
    with sessions() as session:
        page = list_cases(session, status="open")
    [case] = page.cases
    assert page.total == 1
    assert (case.payment_id, case.alert_ids) == ("E2E-0001", ["f" * 32])
