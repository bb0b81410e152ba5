"""What the pages show, read from the desk's database (no writes here).

The queue reuses `cases.list_cases` (the API's query), so the page and `GET /api/cases` always
agree on order and filters; the rows are then completed with the payment columns and user
names in one query each.
"""

from __future__ import annotations

import re
import time as time_module
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from desk import cases, counts
from desk.actions import PENDING
from desk.cases import CaseStatus
from desk.db.models import AlertRow, Case, CaseAction, Comment, User
from desk.web.charts import Bar, hbars, stacked_columns

PAGE_SIZE = 50
WAITING = (CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.PENDING_APPROVAL)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def age_text(opened: datetime, now: datetime) -> str:
    """A queue-friendly age: 45 min, 3 h 10 min, 2 d 4 h."""
    minutes = max(int((now - opened).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    text = f"{Decimal(amount):,.2f}"
    return f"{text} {currency}" if currency else text


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    status: str = ""
    rule: str = ""
    severity: str = ""
    bank: str = ""
    assignee: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    page: int = 1

    def query_args(self, **override: Any) -> dict[str, str]:
        """The filters as query parameters (for pagination links), empty ones left out."""
        values = {
            "q": self.q,
            "status": self.status,
            "rule": self.rule,
            "severity": self.severity,
            "bank": self.bank,
            "assignee": self.assignee,
            "opened_from": self.opened_from.isoformat() if self.opened_from else "",
            "opened_to": self.opened_to.isoformat() if self.opened_to else "",
            "page": str(self.page),
        }
        values.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    payment_id: str
    uetr: str | None
    status: str
    severity: str
    rules: list[str]
    age: str
    opened_at: datetime
    debtor: str
    creditor: str
    amount: str
    assignee: str
    breached: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    matched_by: str
    filters: QueueFilters
    pages: int
    rules: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    exact: bool = True
    """False when more than `cases.COUNT_CAP` cases match a search: `total` is then that cap
    and `pages` the pages up to it (or one past the current page)."""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def queue(
    db: Session, filters: QueueFilters, now: datetime, sla: dict[str, timedelta]
) -> QueuePage:
    """A page of the queue. `q` is a payment id, a UETR (a UUID) or part of a party's name,
    tried in that order."""
    assignee_id: int | None = None
    if filters.assignee:
        user_id = db.execute(select(User.id).where(User.name == filters.assignee)).scalar()
        assignee_id = user_id if user_id is not None else -1
    common: dict[str, Any] = {
        "status": filters.status or None,
        "rule": filters.rule or None,
        "severity": filters.severity or None,
        "bank": filters.bank or None,
        "assignee_id": assignee_id,
        "opened_from": _day_start(filters.opened_from) if filters.opened_from else None,
        "opened_to": _day_start(filters.opened_to + timedelta(days=1))
        if filters.opened_to
        else None,
        "limit": PAGE_SIZE,
        "offset": (max(filters.page, 1) - 1) * PAGE_SIZE,
    }
    q = filters.q.strip()
    matched_by = ""
    if not q:
        found = cases.list_cases(db, **common)
    elif _UUID.match(q):
        matched_by = "UETR"
        found = cases.list_cases(db, uetr=q, **common)
    else:
        matched_by = "payment id"
        found = cases.list_cases(db, payment_id=q, **common)
        if found.total == 0:
            matched_by = "party name"
            found = cases.list_cases(db, party=q, **common)
    total, found_cases = found.total, found.cases
    ids = [c.case_id for c in found_cases]
    details = {c.id: c for c in db.execute(select(Case).where(Case.id.in_(ids))).scalars()}
    names = user_names(db, {c.assignee_id for c in found_cases if c.assignee_id})
    rows = []
    for summary in found_cases:
        case = details[summary.case_id]
        limit = sla.get(summary.severity)
        rows.append(
            QueueRow(
                case_id=summary.case_id,
                payment_id=summary.payment_id,
                uetr=case.uetr,
                status=summary.status,
                severity=summary.severity,
                rules=summary.rules,
                age=age_text(summary.opened_at, now),
                opened_at=summary.opened_at,
                debtor=case.debtor_name or "",
                creditor=case.creditor_name or "",
                amount=money(case.amount, case.currency),
                assignee=names.get(summary.assignee_id or 0, ""),
                breached=summary.status in WAITING
                and limit is not None
                and now - summary.opened_at > limit,
            )
        )
    return QueuePage(
        rows=rows,
        total=total,
        matched_by=matched_by,
        filters=filters,
        pages=max(
            (total + PAGE_SIZE - 1) // PAGE_SIZE,
            1
            if found.exact
            else max(filters.page, 1) + (1 if len(found_cases) == PAGE_SIZE else 0),
        ),
        exact=found.exact,
        rules=RULE_NAMES.get(db),
        users=list(db.execute(select(User.name).order_by(User.name)).scalars()),
    )


class _RuleNames:
    """The rules the queue's filter offers: every rule with an alert, from the queue's
    counters (desk/counts.py), read at most once a minute."""

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self.ttl = ttl_seconds
        self._cached: dict[str, tuple[float, list[str]]] = {}

    def get(self, db: Session) -> list[str]:
        key = str(db.get_bind().engine.url)
        now = time_module.monotonic()
        hit = self._cached.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        names = counts.rules(db)
        self._cached[key] = (now, names)
        return names


RULE_NAMES = _RuleNames()


def user_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = db.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in found}


@dataclass
class CaseView:
    case: Case
    payment: dict[str, Any]
    alerts: list[dict[str, Any]]
    comments: list[tuple[str, str, datetime]]
    history: list[dict[str, Any]]
    pending: CaseAction | None
    pending_by: str
    assignee: str
    recent: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    replay_command: str
    age: str


def case_view(db: Session, case: Case, now: datetime) -> CaseView:
    alerts = [
        a.alert_json
        for a in db.execute(
            select(AlertRow).where(AlertRow.case_id == case.id).order_by(AlertRow.rule)
        ).scalars()
    ]
    comment_rows = db.execute(
        select(Comment).where(Comment.case_id == case.id).order_by(Comment.id)
    ).scalars()
    comments_list = list(comment_rows)
    actions = list(
        db.execute(
            select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)
        ).scalars()
    )
    ids = {c.user_id for c in comments_list} | {a.proposed_by for a in actions}
    ids |= {a.decided_by for a in actions if a.decided_by} | (
        {case.assignee_id} if case.assignee_id else set()
    )
    names = user_names(db, ids)
    pending = next((a for a in actions if a.status == PENDING), None)
    payment = case.payment_json or (alerts[0]["payment"] if alerts else {})
    return CaseView(
        case=case,
        payment=payment,
        alerts=alerts,
        comments=[(names.get(c.user_id, "?"), c.body, c.created_at) for c in comments_list],
        history=[
            {
                "kind": a.kind,
                "status": a.status,
                "by": names.get(a.proposed_by, "?"),
                "at": a.proposed_at,
                "decided_by": names.get(a.decided_by, "") if a.decided_by else "",
                "decided_at": a.decided_at,
                "comment": a.comment or "",
            }
            for a in actions
        ],
        pending=pending,
        pending_by=names.get(pending.proposed_by, "?") if pending else "",
        assignee=names.get(case.assignee_id, "") if case.assignee_id else "",
        recent=recent_payments(db, case),
        windows=window_findings(alerts),
        replay_command=replay_command(payment),
        age=age_text(case.opened_at, now),
    )


def recent_payments(db: Session, case: Case, limit: int = 10) -> list[dict[str, Any]]:
    """The debtor's other flagged payments the desk ingested (alerts and review/block
    decisions; a pass never reaches the desk), newest first."""
    if not case.debtor_name:
        return []
    rows = db.execute(
        select(Case)
        .where(Case.debtor_name == case.debtor_name, Case.id != case.id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
    ).scalars()
    return [
        {
            "case_id": r.id,
            "payment_id": r.payment_id,
            "opened_at": r.opened_at,
            "amount": money(r.amount, r.currency),
            "creditor": r.creditor_name or "",
            "decision": r.decision or "",
            "status": r.status,
            "severity": r.severity,
        }
        for r in rows
    ]


def window_findings(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The windowed-pattern findings (structuring, fan-out, ...): their evidence is the
    debtor's window state when the payment was screened."""
    return [
        {"rule": f["rule"], "explanation": f["explanation"], "evidence": f.get("evidence", {})}
        for a in alerts
        for f in a.get("findings", [])
        if f.get("match_method") == "window"
    ]


def replay_command(payment: dict[str, Any]) -> str:
    """`dinarwatch replay` over the topic around the payment: a day before it (the window
    rules need the debtor's earlier payments) to ten minutes after."""
    created = payment.get("created_at")
    if not created:
        return ""
    at = datetime.fromisoformat(str(created).replace("Z", "+00:00")).astimezone(UTC)
    start = (at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (at + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"dinarwatch replay --topic payments.raw --from {start} --to {end} "
        f"--report replay-{re.sub(r'[^A-Za-z0-9._-]', '_', str(payment.get('payment_id', '')))}"
    )


# --- dashboard -----------------------------------------------------------------------------

AGE_BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("< 1 h", timedelta(0), timedelta(hours=1)),
    ("1-4 h", timedelta(hours=1), timedelta(hours=4)),
    ("4-24 h", timedelta(hours=4), timedelta(hours=24)),
    ("1-3 d", timedelta(days=1), timedelta(days=3)),
    ("> 3 d", timedelta(days=3), None),
)


@dataclass
class Dashboard:
    alerts_chart: Any
    age_chart: Any
    flow_chart: Any
    open_total: int
    alerts_total: int
    days: int


def _utc_day(db: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column as 'YYYY-MM-DD', grouped in the database
    (SQLite keeps UTC text, whose first ten characters are the day)."""
    # literals, not bind parameters: PostgreSQL matches a GROUP BY expression to the SELECT's
    # only when they are the same text, and each use would get parameters of its own
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD'")
        )
    return func.substr(column, literal_column("1"), literal_column("10"))


def dashboard(db: Session, now: datetime, days: int = 14) -> Dashboard:
    since = datetime.combine((now - timedelta(days=days - 1)).date(), time.min, tzinfo=UTC)
    day_keys = [(since + timedelta(days=i)).date().isoformat() for i in range(days)]
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    index = {d: i for i, d in enumerate(day_keys)}
    alerts_total = 0
    for rule, day, count in db.execute(
        select(AlertRow.rule, _utc_day(db, AlertRow.raised_at), func.count())
        .where(AlertRow.raised_at >= since)
        .group_by(AlertRow.rule, _utc_day(db, AlertRow.raised_at))
    ):
        slot = index.get(str(day))
        if slot is not None:
            per_rule[rule][slot] += int(count)
            alerts_total += int(count)
    ages = []
    open_total = 0
    for label, low, high in AGE_BUCKETS:
        query = select(func.count()).select_from(Case).where(Case.status.in_(WAITING))
        query = query.where(Case.opened_at <= now - low)
        if high is not None:
            query = query.where(Case.opened_at > now - high)
        count = int(db.execute(query).scalar_one())
        open_total += count
        ages.append(Bar(label, count, str(count)))
    # grouped by the full BIC (indexed), folded to the institution (BIC8) here
    by_bank: dict[str, Decimal] = defaultdict(Decimal)
    for bic, total in db.execute(
        select(Case.debtor_agent_bic, func.sum(Case.amount))
        .where(Case.currency == "USD", Case.debtor_agent_bic.is_not(None), Case.opened_at >= since)
        .group_by(Case.debtor_agent_bic)
    ):
        by_bank[str(bic)[:8]] += Decimal(total or 0)
    flows = sorted(by_bank.items(), key=lambda item: (-item[1], item[0]))[:10]
    return Dashboard(
        alerts_chart=stacked_columns(
            f"Alerts per rule per day, last {days} days",
            day_keys,
            dict(sorted(per_rule.items())),
        ),
        age_chart=hbars("Open cases by age", ages),
        flow_chart=hbars(
            f"USD flagged by sending bank, last {days} days",
            [Bar(b, Decimal(total), money(total, "USD")) for b, total in flows],
        ),
        open_total=open_total,
        alerts_total=alerts_total,
        days=days,
    )
