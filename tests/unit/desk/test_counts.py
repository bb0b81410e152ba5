"""The queue's totals come from counters the database keeps (migration 0009, desk/counts.py):
after ingest, redelivery, a severity raise, dispositions, four-eyes proposals and folds, the
counters and the rule rows equal what the cases and alerts say, and every status / severity
/ rule total of the queue equals a count of the cases. tests/integration/
test_desk_counts_postgres.py runs the same scenario on PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import actions, cases, counts
from desk.actions import Disposition, ProposalKind
from desk.auth import Actor, Role, add_user
from desk.db.models import AlertRow, Case
from desk.ingest import Record, store_batch
from schemas.alert import Alert
from schemas.common import Action, Severity
from schemas.decision import Decision, Finding
from tests.unit.desk.builders import decision_for, finding, make_alerts

NOW = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
NAMES = {"alerts": "alerts", "payments.decisions": "payments.decisions"}
RULES = ("OFAC-SDN", "IRAN-NEXUS", "MILITIA-FRONT", "NO-SUCH-RULE")
SEVERITIES = ("low", "medium", "high", "critical", "bogus")


def _records(items: Sequence[Alert | Decision]) -> list[Record]:
    return [
        Record(
            "alerts" if isinstance(item, Alert) else "payments.decisions",
            0,
            n,
            item.model_dump_json(by_alias=True).encode(),
        )
        for n, item in enumerate(items)
    ]


def _hit(rule: str, severity: Severity) -> Finding:
    action = Action.BLOCK if severity == Severity.CRITICAL else Action.REVIEW
    return finding(rule=rule, severity=severity, action=action, entry_id=f"{rule}-entry")


def assert_counts_hold(sessions: sessionmaker[Session]) -> None:
    """Counters = recount, rule rows = cases and alerts, and every total of the queue's
    status / severity / rule filters = the number of cases it lists."""
    with sessions() as session:
        assert counts.kept(session) == counts.recounted(session)
        assert counts.stale_case_rules(session) == 0
        every = session.execute(select(Case)).scalars().all()
        rules: dict[int, set[str]] = {}
        for case_id, rule_id in session.execute(select(AlertRow.case_id, AlertRow.rule)):
            rules.setdefault(case_id, set()).add(rule_id)
        combos: itertools.product[tuple[str | None, str | None, str | None]] = itertools.product(
            (None, *cases.CaseStatus.ALL), (None, *SEVERITIES), (None, *RULES)
        )
        for status, severity, rule in combos:
            expected = sorted(
                (-c.severity_rank, c.opened_at, c.id)
                for c in every
                if status in (None, c.status)
                and severity in (None, c.severity)
                and (rule is None or rule in rules.get(c.id, set()))
            )
            page = cases.list_cases(
                session, status=status, severity=severity, rule=rule, limit=1000
            )
            assert (page.total, page.exact) == (len(expected), True), (status, severity, rule)
            assert [c.case_id for c in page.cases] == [i for _, _, i in expected]


def run_scenario(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        analyst = add_user(session, "amal", "analyst", None)
        boss = add_user(session, "samir", "supervisor", None)
        amal = Actor(analyst.id, analyst.name, Role.ANALYST)
        samir = Actor(boss.id, boss.name, Role.SUPERVISOR)
    p1 = make_alerts("P1", _hit("OFAC-SDN", Severity.HIGH), _hit("IRAN-NEXUS", Severity.CRITICAL))
    p2 = make_alerts("P2", _hit("MILITIA-FRONT", Severity.MEDIUM))
    p3 = make_alerts("P3", _hit("OFAC-SDN", Severity.LOW))
    only_decision = decision_for("P4", _hit("OFAC-SDN", Severity.HIGH))
    first: list[Alert | Decision] = [*p1, p1[0], *p2, *p3, only_decision]
    store_batch(sessions, _records(first), NAMES)
    assert_counts_hold(sessions)
    with sessions.begin() as session:
        assert counts.fold(session) > 0
    assert_counts_hold(sessions)
    # a later alert raises P2 to critical and adds a rule; the first batch comes again
    raised = make_alerts("P2", _hit("OFAC-SDN", Severity.CRITICAL))
    # P4's alert after its decision: the case gets the payment's columns
    p4 = make_alerts("P4", _hit("OFAC-SDN", Severity.HIGH))
    store_batch(sessions, _records([*raised, *first, *p4]), NAMES)
    assert_counts_hold(sessions)
    with sessions() as session:
        filled = session.execute(select(Case).where(Case.payment_id == "P4")).scalar_one()
        assert (filled.decision, filled.debtor_name) == ("review", "Babel Food Industries")
        assert filled.payment_json and filled.payment_json["payment_id"] == "P4"
    ids = _case_ids(sessions)
    with sessions.begin() as session:
        actions.set_disposition(
            session, amal, ids["P3"], Disposition.FALSE_POSITIVE, "namesake", NOW
        )
        actions.propose(session, amal, ids["P2"], ProposalKind.RELEASE, None, NOW)
        actions.propose(session, amal, ids["P1"], ProposalKind.BLOCK, None, NOW)
        actions.set_disposition(session, amal, ids["P4"], Disposition.ESCALATE, None, NOW)
    assert_counts_hold(sessions)
    with sessions.begin() as session:
        actions.approve(session, samir, ids["P2"], NOW)
        actions.reject(session, samir, ids["P1"], "not yet", NOW)
        counts.fold(session)
    assert_counts_hold(sessions)
    # a new rule on a closed case is counted under the case's status (closed)
    late = make_alerts("P3", _hit("MILITIA-FRONT", Severity.HIGH))
    store_batch(sessions, _records(late), NAMES)
    assert_counts_hold(sessions)
    with sessions() as session:
        assert counts.total(session, status="closed", rule="MILITIA-FRONT") == 1
        assert counts.total(session, status="released", severity="critical") == 1
        assert counts.by_status_and_severity(session) == {
            ("open", "critical"): 1,  # P1: its block proposal rejected
            ("released", "critical"): 1,
            ("closed", "high"): 1,  # P3, raised to high by the late alert
            ("escalated", "high"): 1,
        }
    with sessions.begin() as session:
        counts.fold(session)
        assert counts.fold(session) == 0
    assert_counts_hold(sessions)


def _case_ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {p: i for p, i in session.execute(select(Case.payment_id, Case.id))}


def test_counters_follow_every_case_write(sessions: sessionmaker[Session]) -> None:
    run_scenario(sessions)


def test_other_filters_count_up_to_the_cap(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts = [a for n in range(4) for a in make_alerts(f"P{n}")]
    store_batch(sessions, _records(list(alerts)), NAMES)
    monkeypatch.setattr(cases, "COUNT_CAP", 3)
    with sessions() as session:
        bic = session.execute(select(Case.debtor_agent_bic)).scalars().first()
        assert bic
        page = cases.list_cases(session, bank=bic, limit=2)
        assert (page.total, page.exact, len(page.cases)) == (3, False, 2)
        page = cases.list_cases(session, bank=bic, status="open", limit=10)
        assert (page.total, page.exact, len(page.cases)) == (3, False, 4)
        # the status / severity / rule filters stay exact past the cap
        page = cases.list_cases(session, status="open", rule="OFAC-SDN", limit=2)
        assert (page.total, page.exact) == (4, True)
        page = cases.list_cases(session, payment_id="P2")
        assert (page.total, page.exact) == (1, True)


BICS = ("RAFBIQBAXXX", "BABIIQBA", "KURDIQBA010")


def _varied(sessions: sessionmaker[Session]) -> None:
    """30 cases over 30 hours: three banks, four debtors, three rules, four severities."""
    severities = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
    with sessions.begin() as session:
        for n in range(30):
            [alert] = make_alerts(f"S{n:02d}", _hit(RULES[n % 3], severities[n % 4]))
            summary = alert.payment.model_copy(
                update={"debtor_agent_bic": BICS[n % 3], "debtor_name": f"Debtor {n % 4} Trading"}
            )
            cases.store_alerts(
                session,
                [alert.model_copy(update={"payment": summary})],
                NOW + timedelta(hours=n),
            )


SEARCHES: tuple[dict[str, Any], ...] = (
    {"bank": "RAFBIQBA"},
    {"bank": "kurdiqba", "severity": "high"},
    {"bank": "BABI"},  # shorter than 8: a prefix
    {"party": "debtor 2"},
    {"party": "TRADING", "rule": "OFAC-SDN"},
    {"opened_from": NOW + timedelta(hours=5), "opened_to": NOW + timedelta(hours=20)},
    {"opened_from": NOW + timedelta(hours=10), "rule": "IRAN-NEXUS", "status": "open"},
    {"payment_id": "S07"},
    {"payment_id": "S07", "rule": "IRAN-NEXUS"},
)


def _expected(session: Session, filters: dict[str, Any]) -> list[int]:
    rules: dict[int, set[str]] = {}
    for case_id, rule in session.execute(select(AlertRow.case_id, AlertRow.rule)):
        rules.setdefault(case_id, set()).add(rule)

    def keeps(c: Case) -> bool:
        bank = filters.get("bank", "").upper()
        party = filters.get("party", "").casefold()
        return (
            (
                not bank
                or any(
                    (b or "").startswith(bank) for b in (c.debtor_agent_bic, c.creditor_agent_bic)
                )
            )
            and (
                not party
                or party
                in (c.debtor_name or "").casefold() + "|" + (c.creditor_name or "").casefold()
            )
            and filters.get("rule") in (None, *rules.get(c.id, set()))
            and filters.get("status", c.status) == c.status
            and filters.get("severity", c.severity) == c.severity
            and filters.get("payment_id", c.payment_id) == c.payment_id
            and filters.get("opened_from", c.opened_at) <= c.opened_at
            and (filters.get("opened_to") is None or c.opened_at < filters["opened_to"])
        )

    found = [c for c in session.execute(select(Case)).scalars() if keeps(c)]
    return [c.id for c in sorted(found, key=lambda c: (-c.severity_rank, c.opened_at, c.id))]


def assert_searches_hold(sessions: sessionmaker[Session], cap: int) -> None:
    with sessions() as session:
        for filters in SEARCHES:
            expected = _expected(session, filters)
            assert expected, filters  # each search matches something
            for offset in (0, 3):
                page = cases.list_cases(session, **filters, limit=3, offset=offset)
                assert [c.case_id for c in page.cases] == expected[offset : offset + 3], filters
                if len(expected) > cap:
                    assert (page.total, page.exact) == (cap, False), filters
                else:
                    assert (page.total, page.exact) == (len(expected), True), filters


def test_searches_list_what_a_plain_filter_lists(sessions: sessionmaker[Session]) -> None:
    _varied(sessions)
    assert_searches_hold(sessions, cases.COUNT_CAP)


def test_searches_past_the_cap_list_the_same_pages(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _varied(sessions)
    monkeypatch.setattr(cases, "COUNT_CAP", 4)
    assert_searches_hold(sessions, 4)
