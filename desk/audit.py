"""The audit trail: every desk action appended with who, when, what it touched, before and after,
chained by hash so that a changed or removed row is found by `dinarwatch desk verify-audit`.

Row n carries `prev_hash` = hash of row n-1 (row 1 carries GENESIS) and
`hash` = sha256 of the canonical JSON of its other columns (sorted keys, no spaces, UTF-8).
Ids run 1, 2, 3, ... without gaps, so a removed row breaks the id sequence and the chain.
What the chain alone cannot show is the removal of the *last* rows: keep the head hash that
`verify-audit` prints somewhere the database's administrators cannot write (a ticket, a
signed e-mail, a WORM store) and compare it on the next run (`--expect-head`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desk.db.models import AuditRow

GENESIS = "0" * 64
"""The prev_hash of the first row."""

_LOCK_KEY = 0x64657361  # "desa": the advisory lock that serialises appends on PostgreSQL


def canonical(value: Any) -> str:
    """The one JSON spelling of a value that hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def row_hash(
    *,
    row_id: int,
    at: str,
    actor: str,
    action: str,
    target: str,
    before: str,
    after: str,
    prev_hash: str,
) -> str:
    document = {
        "id": row_id,
        "at": at,
        "actor": actor,
        "action": action,
        "target": target,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(document).encode("utf-8")).hexdigest()


def _hash_of(row: AuditRow) -> str:
    return row_hash(
        row_id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
    )


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> AuditRow:
    """Add one row to the chain inside the caller's transaction (it commits with the action it
    records, or not at all). On PostgreSQL a transaction-scoped advisory lock serialises
    writers; SQLite has one writer at a time anyway; the unique prev_hash catches the rest."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = session.execute(select(AuditRow).order_by(AuditRow.id.desc()).limit(1)).scalar()
    when = (at or datetime.now(UTC)).astimezone(UTC)
    row = AuditRow(
        id=1 if last is None else last.id + 1,
        at=when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        actor=actor,
        action=action,
        target=target,
        before=canonical(before),
        after=canonical(after),
        prev_hash=GENESIS if last is None else last.hash,
    )
    row.hash = _hash_of(row)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    """What verify found: rows checked, the head hash, and the first bad row (None: intact)."""

    rows: int
    head: str
    bad_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.bad_id is None


def rows(session: Session, batch: int = 5000) -> Iterator[AuditRow]:
    """Every row in id order, read in batches (verify and the exports walk the whole table)."""
    after = 0
    while True:
        chunk = (
            session.execute(
                select(AuditRow).where(AuditRow.id > after).order_by(AuditRow.id).limit(batch)
            )
            .scalars()
            .all()
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id


def verify(session: Session) -> ChainReport:
    """Walk the chain from row 1; stop at the first row whose hash, predecessor or id is wrong."""
    expected_id, prev, count = 1, GENESIS, 0
    for row in rows(session):
        if row.id != expected_id:
            return ChainReport(
                count, prev, expected_id, f"row {expected_id} is missing (next row is {row.id})"
            )
        if row.prev_hash != prev:
            return ChainReport(count, prev, row.id, "its prev_hash is not the previous row's hash")
        if _hash_of(row) != row.hash:
            return ChainReport(count, prev, row.id, "its content does not match its hash")
        prev, count, expected_id = row.hash, count + 1, expected_id + 1
    return ChainReport(count, prev)


def contains_hash(session: Session, digest: str) -> bool:
    """Whether a row with this hash is in the table (for a head recorded earlier)."""
    return session.execute(select(AuditRow.id).where(AuditRow.hash == digest)).first() is not None
