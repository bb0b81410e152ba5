"""Expiry of exceptions: audited, run by ingest on every poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import audit
from desk.auth import Actor, Role, create_token
from desk.cases import store_alert
from desk.db.models import AuditRow, ExceptionRow, User
from desk.exceptions import approve_exception, expire_due, request_exception
from tests.unit.desk.builders import make_alerts

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)


def _actor(session: Session, name: str, role: Role) -> Actor:
    create_token(session, name, role.value)
    user = session.execute(select(User).where(User.name == name)).scalar_one()
    return Actor(user.id, name, role)


def test_expired_exceptions_are_marked_and_audited(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        amal = _actor(session, "amal", Role.ANALYST)
        samir = _actor(session, "samir", Role.SUPERVISOR)
        [alert] = make_alerts("E2E-0001")
        store_alert(session, alert, NOW)
        ids = []
        for days in (10, 30):
            row = request_exception(
                session,
                amal,
                alert_id=alert.alert_id,
                rule="OFAC-SDN",
                party_fingerprint="gulf horizon trading llc|AE07****3456",
                entry_id="sdn-12345",
                reason="not the listed entity",
                expires_at=NOW + timedelta(days=days),
                at=NOW,
            )
            approve_exception(session, samir, row.id, NOW)
            ids.append(row.id)
    with sessions.begin() as session:
        assert expire_due(session, NOW + timedelta(days=9)) == 0
        assert expire_due(session, NOW + timedelta(days=10)) == 1
        assert expire_due(session, NOW + timedelta(days=10)) == 0  # once only
    with sessions() as session:
        states = dict(session.execute(select(ExceptionRow.id, ExceptionRow.status)).all())
        last = session.execute(select(AuditRow).order_by(AuditRow.id.desc())).scalars().first()
        assert audit.verify(session).intact
    assert states == {ids[0]: "expired", ids[1]: "active"}
    assert last is not None and (last.actor, last.action) == ("desk", "exception.expire")
    assert last.target == f"exception:{ids[0]}"
