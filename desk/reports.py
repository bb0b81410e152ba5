"""What the desk reports about itself: case gauges for Prometheus, computed from the database
at scrape time (so every desk process reports the same truth), and the audit export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk import audit, counts
from desk.actions import Disposition
from desk.cases import SEVERITY_RANK, CaseStatus
from desk.db.models import AlertRow, Case, CaseAction, ExceptionRow
from desk.exceptions import ACTIVE
from desk.metrics import DeskMetrics
from desk.sla import DEFAULT_SLA
from schemas.common import Severity

AUDIT_COLUMNS = ("id", "at", "actor", "action", "target", "before", "after", "prev_hash", "hash")


WAITING = (CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.PENDING_APPROVAL)
"""Statuses in which a case waits for someone: what the SLA measures."""


def refresh_case_metrics(
    session: Session,
    metrics: DeskMetrics,
    now: datetime,
    sla: Mapping[Severity, timedelta] | None = None,
) -> None:
    """Set the case gauges from the database (every desk process reports the same truth)."""
    limits = sla or DEFAULT_SLA
    for level, limit in limits.items():
        metrics.sla_seconds.labels(level.value).set(limit.total_seconds())
        breached = session.execute(
            select(func.count())
            .select_from(Case)
            .where(
                Case.status.in_(WAITING),
                # the rank, not the name: (status, severity_rank, opened_at) is an index prefix
                Case.severity_rank == SEVERITY_RANK[level],
                Case.opened_at < now - limit,
            )
        ).scalar_one()
        metrics.sla_breached.labels(level.value).set(breached)
    metrics.cases.clear()
    for (status, severity), count in counts.by_status_and_severity(session).items():
        metrics.cases.labels(status, severity).set(count)
    metrics.oldest_open_case_age.clear()
    for severity, oldest in session.execute(
        select(Case.severity, func.min(Case.opened_at))
        .where(Case.status.in_((CaseStatus.OPEN, CaseStatus.ESCALATED)))
        .group_by(Case.severity)
    ):
        # min() keeps the column's type, so the value comes back tz-aware UTC on both backends
        metrics.oldest_open_case_age.labels(severity).set((now - oldest).total_seconds())
    metrics.dispositions.clear()
    dispositions = [d.value for d in Disposition]
    for rule, kind, count in session.execute(
        select(AlertRow.rule, CaseAction.kind, func.count())
        .join(CaseAction, CaseAction.case_id == AlertRow.case_id)
        .where(CaseAction.kind.in_(dispositions))
        .group_by(AlertRow.rule, CaseAction.kind)
    ):
        metrics.dispositions.labels(rule, kind).set(count)
    metrics.active_exceptions.set(
        session.execute(
            select(func.count())
            .select_from(ExceptionRow)
            .where(ExceptionRow.status == ACTIVE, ExceptionRow.expires_at > now)
        ).scalar_one()
    )


def audit_jsonl(session: Session) -> Iterator[bytes]:
    """One JSON object per row, every column (hashes included, so the export can be
    re-verified without the database)."""
    for row in audit.rows(session):
        yield orjson.dumps({c: getattr(row, c) for c in AUDIT_COLUMNS}) + b"\n"


def audit_csv(session: Session) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(AUDIT_COLUMNS)
    for row in audit.rows(session):
        writer.writerow([getattr(row, c) for c in AUDIT_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
