"""The desk's tables. One schema for PostgreSQL and SQLite, created only by Alembic migrations
(desk/db/migrations), never by `metadata.create_all`, so both backends run the same DDL history.

Timestamps are tz-aware UTC (`UtcDateTime`): SQLite keeps no zone, so values are stored as UTC
and read back with UTC attached. The audit table keeps its time and payloads as text, exactly
the bytes its hash covers, so no backend can normalise them under the hash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """A tz-aware UTC timestamp on both backends (naive values are refused, not guessed)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the desk stores tz-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class User(Base):
    """A person (password, argon2 hash) or a machine (tokens only, no password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class Token(Base):
    """An API token: only its SHA-256 is stored (the token is 256 random bits, so a fast hash
    is enough; argon2 is for passwords people choose)."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginSession(Base):
    """A browser session after a password login: the cookie's and the CSRF token's SHA-256
    are stored, never the values."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Every password login, kept for the rate limit and for the auditor."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    ok: Mapped[bool]

    __table_args__ = (Index("ix_login_attempts_name_at", "name", "at"),)


class Case(Base):
    """One per payment: every alert of the payment belongs to it."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    severity_rank: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[str | None] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_json: Mapped[dict[str, Any] | None]
    payment_json: Mapped[dict[str, Any] | None]
    opened_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    # from the alert's payment summary, for queue filters (accounts stay masked in payment_json)
    debtor_name: Mapped[str | None] = mapped_column(String(300))
    creditor_name: Mapped[str | None] = mapped_column(String(300))
    debtor_agent_bic: Mapped[str | None] = mapped_column(String(11), index=True)
    creditor_agent_bic: Mapped[str | None] = mapped_column(String(11), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(24, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    value_date: Mapped[date | None] = mapped_column(Date)
    uetr: Mapped[str | None] = mapped_column(String(36), index=True)


# The queue's order (most severe first, then oldest): read in index order, a page costs its
# 50 rows whatever the number of cases (migration 0006, bench/bench_desk_queue.py).
Index("ix_cases_queue", Case.severity_rank.desc(), Case.opened_at, Case.id)
Index("ix_cases_status_queue", Case.status, Case.severity_rank.desc(), Case.opened_at, Case.id)
# The debtor's recent cases on the case page (migration 0007).
Index("ix_cases_debtor_recent", Case.debtor_name, Case.opened_at.desc())
# Cases by bank, the institution part of the agents' BICs (migration 0009, desk.cases.bic8).
Index("ix_cases_debtor_bank", func.substr(Case.debtor_agent_bic, 1, 8))
Index("ix_cases_creditor_bank", func.substr(Case.creditor_agent_bic, 1, 8))
# A user's cases in queue order (migration 0009).
Index(
    "ix_cases_assignee_queue", Case.assignee_id, Case.severity_rank.desc(), Case.opened_at, Case.id
)


class CaseRule(Base):
    """A rule that raised at least one alert of a case, with the case's status, severity and
    age copied in, so the queue filtered by rule reads its page in index order (migration 0009:
    kept by triggers, never written by the desk's code)."""

    __tablename__ = "case_rules"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(50), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    severity_rank: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime]


Index(
    "ix_case_rules_queue",
    CaseRule.rule,
    CaseRule.severity_rank.desc(),
    CaseRule.opened_at,
    CaseRule.case_id,
)
Index(
    "ix_case_rules_status_queue",
    CaseRule.rule,
    CaseRule.status,
    CaseRule.severity_rank.desc(),
    CaseRule.opened_at,
    CaseRule.case_id,
)


class CaseCount(Base):
    """Cases per (status, severity, rule), `rule` '' counting every case once: the queue's
    total for those filters without counting cases (migration 0009, desk/counts.py). Written
    only by `counts.fold`, from `case_count_deltas`."""

    __tablename__ = "case_counts"

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    severity: Mapped[str] = mapped_column(String(10), primary_key=True)
    rule: Mapped[str] = mapped_column(String(50), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CaseCountDelta(Base):
    """+1/-1 rows appended by triggers in the transaction that changes a case (insert only, so
    ingest and analysts never wait on each other for a shared counter row); folded into
    `case_counts` by `counts.fold`."""

    __tablename__ = "case_count_deltas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(50))
    n: Mapped[int] = mapped_column(Integer)


class AlertRow(Base):
    """An alert as it arrived on the `alerts` topic (masked accounts only)."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    rule: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    raised_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
    alert_json: Mapped[dict[str, Any]]


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class CaseAction(Base):
    """A disposition (takes effect at once) or a proposal (release / confirm-block) that takes
    effect only when a different user with the supervisor role approves it."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    proposed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
    prior_status: Mapped[str | None] = mapped_column(String(20))
    """The case's status before a proposal, restored when the proposal is rejected."""


class ExceptionRow(Base):
    """A good-guy exception: this party is not this list entry for this rule, until expiry."""

    __tablename__ = "exceptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(50))
    party_fingerprint: Mapped[str] = mapped_column(String(300))
    entry_id: Mapped[str] = mapped_column(String(200))
    list_name: Mapped[str | None] = mapped_column(String(100))
    list_version: Mapped[str | None] = mapped_column(String(100))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    """Content hash of the list entry when approved (rules.suppression.entry_content_hash)."""
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.alert_id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_exceptions_match", "rule", "party_fingerprint", "entry_id"),)


class OutboxMessage(Base):
    """A record for a Kafka topic, written in the same transaction as the action it reports,
    so a committed disposition is never lost when the broker is away; sent, then marked."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)


class AuditRow(Base):
    """One action, chained: `hash` = sha256(canonical JSON of every other column), and
    `prev_hash` is the previous row's hash (unique, so two writers cannot fork the chain)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("prev_hash", name="uq_audit_prev_hash"),)
