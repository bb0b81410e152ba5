"""Cases per status, severity and rule without counting cases: the queue's totals and the case
gauges at a million cases.

Triggers (migration 0009) append +1/-1 rows to `case_count_deltas` in the very transaction
that opens a case, changes its status or severity, or files its first alert of a rule; `fold`
moves them into `case_counts`. A total is the sum of the matching rows of both tables, read in
one statement (one snapshot), so it is exact at every moment, folded or not; folding only
keeps the delta table short. Rule '' counts every case once; rule X counts the cases with an
alert of X.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from desk.db.models import AlertRow, Case, CaseCount, CaseCountDelta, CaseRule

ALL_RULES = ""
"""The `rule` of the rows that count every case once."""

FOLD_LOCK = 0x64657363  # PostgreSQL advisory lock id: one fold at a time ("desc")

Key = tuple[str, str, str]


def _both() -> Any:
    """`case_counts` and the not yet folded deltas, as one row source."""
    return union_all(
        select(CaseCount.status, CaseCount.severity, CaseCount.rule, CaseCount.n),
        select(
            CaseCountDelta.status, CaseCountDelta.severity, CaseCountDelta.rule, CaseCountDelta.n
        ),
    ).subquery("counted")


def total(
    session: Session,
    *,
    status: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
) -> int:
    """The number of cases with this status, severity and rule (None: any)."""
    rows = _both()
    where: list[ColumnElement[bool]] = [rows.c.rule == (rule or ALL_RULES)]
    if status is not None:
        where.append(rows.c.status == status)
    if severity is not None:
        where.append(rows.c.severity == severity)
    found = session.execute(select(func.coalesce(func.sum(rows.c.n), 0)).where(and_(*where)))
    return int(found.scalar_one())


def by_status_and_severity(session: Session) -> dict[tuple[str, str], int]:
    """Every case counted by (status, severity), zero rows left out (the case gauge)."""
    rows = _both()
    found = session.execute(
        select(rows.c.status, rows.c.severity, func.sum(rows.c.n))
        .where(rows.c.rule == ALL_RULES)
        .group_by(rows.c.status, rows.c.severity)
    )
    return {(status, severity): int(n) for status, severity, n in found if n}


def rules(session: Session) -> list[str]:
    """Every rule with an alert, sorted."""
    rows = _both()
    found = session.execute(
        select(rows.c.rule)
        .where(rows.c.rule != ALL_RULES)
        .group_by(rows.c.rule)
        .having(func.sum(rows.c.n) > 0)
        .order_by(rows.c.rule)
    )
    return list(found.scalars())


def fold(session: Session) -> int:
    """Move the committed deltas into `case_counts`; returns how many were moved.

    DELETE ... RETURNING takes exactly the rows it removes (a delta committed meanwhile stays
    for the next fold); counters are then upserted in key order. On PostgreSQL one fold runs
    at a time (advisory lock, skipped when busy); SQLite has one writer anyway."""
    if session.get_bind().dialect.name == "postgresql":
        got = session.execute(select(func.pg_try_advisory_xact_lock(FOLD_LOCK))).scalar_one()
        if not got:
            return 0
    moved = session.execute(
        CaseCountDelta.__table__.delete().returning(  # type: ignore[attr-defined]
            CaseCountDelta.status, CaseCountDelta.severity, CaseCountDelta.rule, CaseCountDelta.n
        )
    ).all()
    sums: Counter[Key] = Counter()
    for status, severity, rule, n in moved:
        sums[(status, severity, rule)] += n
    for (status, severity, rule), n in sorted(sums.items()):
        if n:
            _add(session, status, severity, rule, n)
    return len(moved)


def _add(session: Session, status: str, severity: str, rule: str, n: int) -> None:
    from desk.cases import _insert  # one dialect switch for ON CONFLICT

    statement = _insert(session, CaseCount).values(status=status, severity=severity, rule=rule, n=n)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["status", "severity", "rule"],
            set_={"n": CaseCount.n + statement.excluded.n},
        )
    )


def recounted(session: Session) -> dict[Key, int]:
    """The counts computed from the cases and alerts themselves (slow: for tests and checks)."""
    per_case = select(Case.status, Case.severity, literal(ALL_RULES), func.count()).group_by(
        Case.status, Case.severity
    )
    rules = select(AlertRow.case_id, AlertRow.rule).distinct().subquery()
    per_rule = (
        select(Case.status, Case.severity, rules.c.rule, func.count())
        .join(rules, rules.c.case_id == Case.id)
        .group_by(Case.status, Case.severity, rules.c.rule)
    )
    return {
        (s, v, r): int(n) for part in (per_case, per_rule) for s, v, r, n in session.execute(part)
    }


def kept(session: Session) -> dict[Key, int]:
    """The counts as the tables hold them (folded and not), zero rows left out."""
    rows = _both()
    found = session.execute(
        select(rows.c.status, rows.c.severity, rows.c.rule, func.sum(rows.c.n)).group_by(
            rows.c.status, rows.c.severity, rows.c.rule
        )
    )
    return {(s, v, r): int(n) for s, v, r, n in found if n}


def stale_case_rules(session: Session) -> int:
    """Rule rows that differ from what the cases and alerts say (copied status, severity or
    age out of date, a rule row without its alert, an alert's rule without its row): 0 when
    the triggers kept up. Reads every row: for tests and checks."""
    expected = {
        (case_id, rule, status, severity, rank, opened_at)
        for case_id, rule, status, severity, rank, opened_at in session.execute(
            select(
                Case.id,
                AlertRow.rule,
                Case.status,
                Case.severity,
                Case.severity_rank,
                Case.opened_at,
            )
            .join(AlertRow, AlertRow.case_id == Case.id)
            .distinct()
        )
    }
    held = {
        (r.case_id, r.rule, r.status, r.severity, r.severity_rank, r.opened_at)
        for r in session.execute(select(CaseRule)).scalars()
    }
    return len(expected ^ held)
