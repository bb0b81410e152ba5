from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from desk import audit
from desk.db.models import AuditRow


def _three_rows(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        audit.append(
            session,
            actor="amal",
            action="disposition",
            target="case:1",
            before={"status": "open"},
            after={"status": "closed"},
        )
        audit.append(
            session,
            actor="samir",
            action="approve",
            target="case:1",
            before=None,
            after={"status": "released"},
        )
        audit.append(session, actor="amal", action="comment", target="case:2", after="ok")


def test_intact_chain_verifies(sessions: sessionmaker[Session]) -> None:
    _three_rows(sessions)
    with sessions() as session:
        report = audit.verify(session)
        rows = session.query(AuditRow).order_by(AuditRow.id).all()
    assert report.intact and report.rows == 3
    assert report.head == rows[-1].hash
    assert rows[0].prev_hash == audit.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


def test_changed_row_is_found(sessions: sessionmaker[Session]) -> None:
    _three_rows(sessions)
    with sessions.begin() as session:
        session.execute(update(AuditRow).where(AuditRow.id == 2).values(actor="amal"))
    with sessions() as session:
        report = audit.verify(session)
    assert (report.bad_id, report.rows) == (2, 1)
    assert "does not match its hash" in (report.problem or "")


def test_rehashed_row_breaks_the_next_link(sessions: sessionmaker[Session]) -> None:
    """A forger who recomputes the changed row's hash still breaks row 3's prev_hash."""
    _three_rows(sessions)
    with sessions.begin() as session:
        row = session.get(AuditRow, 2)
        assert row is not None
        row.actor = "amal"
        row.hash = audit._hash_of(row)
    with sessions() as session:
        report = audit.verify(session)
    assert report.bad_id == 3
    assert "prev_hash" in (report.problem or "")


def test_removed_row_is_found(sessions: sessionmaker[Session]) -> None:
    _three_rows(sessions)
    with sessions.begin() as session:
        session.execute(delete(AuditRow).where(AuditRow.id == 2))
    with sessions() as session:
        report = audit.verify(session)
    assert report.bad_id == 2
    assert "missing" in (report.problem or "")


def test_hash_covers_time_and_payloads() -> None:
    base = dict(
        row_id=1,
        at="2025-01-01T00:00:00.000000Z",
        actor="a",
        action="x",
        target="case:1",
        before="null",
        after='{"s":1}',
        prev_hash=audit.GENESIS,
    )
    digest = audit.row_hash(**base)  # type: ignore[arg-type]
    for key, other in [
        ("at", "2025-01-01T00:00:00.000001Z"),
        ("after", '{"s":2}'),
        ("before", "{}"),
        ("target", "case:2"),
    ]:
        assert audit.row_hash(**{**base, key: other}) != digest  # type: ignore[arg-type]


def test_times_are_utc_text(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        row = audit.append(
            session, actor="a", action="x", target="t", at=datetime(2025, 3, 8, 12, 0, tzinfo=UTC)
        )
    assert row.at == "2025-03-08T12:00:00.000000Z"
