"""The transactional outbox for `alerts.dispositions` and `exceptions`.

An effective action writes its event to the `outbox` table in its own transaction (a
disposition or an approved release/block for `alerts.dispositions`; an exception that became
active, was revoked or expired for the compacted `exceptions` topic the workers follow); `flush`
sends what is unsent, in order, and marks each record once the broker acknowledged it. A broker
that is away delays events, never loses them: the next flush (after the next action, and on
every `desk ingest` poll) sends them. Delivery is at least once; consumers dedupe on
(case_id, type, at).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from desk.db.models import OutboxMessage
from infra.topics import DISPOSITIONS

log = logging.getLogger("dinarwatch.desk.outbox")


class Publisher(Protocol):
    """Sends one record and returns once the broker acknowledged it (raises otherwise)."""

    def publish(self, topic: str, key: bytes, value: bytes) -> None: ...


def enqueue(
    session: Session,
    *,
    key: str,
    payload: dict[str, Any],
    at: datetime,
    topic: str = DISPOSITIONS,
) -> None:
    """Add one record for `topic` (a logical name: the prefix is added when sent)."""
    session.add(OutboxMessage(topic=topic, key=key, payload=payload, created_at=at))


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))
    ).scalar_one()


def flush(sessions: sessionmaker[Session], publisher: Publisher, batch: int = 500) -> int:
    """Send unsent records in id order; stops at the first failure (order is kept). Returns
    the number sent."""
    sent = 0
    with sessions() as session:
        rows = (
            session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        for row in rows:
            try:
                publisher.publish(
                    row.topic,
                    row.key.encode("utf-8"),
                    orjson.dumps({"event_id": row.id, **row.payload}),
                )
            except Exception as exc:
                log.warning("outbox: %s record %s not sent yet (%s)", row.topic, row.id, exc)
                break
            row.published_at = datetime.now(UTC)
            session.commit()
            sent += 1
    return sent
