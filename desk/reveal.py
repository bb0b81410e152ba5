"""Revealing a masked account: a supervisor's permission, audited every time it is asked for.

The desk only ever receives masked accounts (alerts carry a masked payment summary). The full
payment lives in the worker's compacted store `payments.screened` (docs/rescreen.md): keyed by
payment id, stamped with the payment's created_at, in the debtor's partition. A reveal finds the
record by time (offsets_for_times at created_at minus a margin on every partition, then a bounded
read forward) and hands back one party's account. Every attempt, granted or refused, is
appended to the hash-chained audit trail with who, when, case, party and reason, and never the
account itself; nothing here logs an account.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from sqlalchemy.orm import Session

from desk import actions, audit
from desk.auth import Actor, Role
from desk.errors import DeskError, Forbidden, Invalid, NotFound
from infra import topics as names
from infra.settings import Settings
from infra.topic_feed import TopicFeed

PARTIES: tuple[str, ...] = ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor")
"""The parties that carry an account (agents are banks, identified by BIC)."""

REVEALERS = frozenset({Role.SUPERVISOR})
"""Who may see a full account: supervisors. Analysts work on the masked payment; the auditor
reads the trail (which records every reveal) and never the accounts."""


class Unavailable(DeskError):
    """The payment store could not be read (broker down, or too slow)."""

    status = 503


class AccountLookup(Protocol):
    def payment(self, payment_id: str, created_at: datetime) -> dict[str, Any]:
        """The full payment as screened; NotFound when the store no longer has it,
        Unavailable when the store cannot be read."""
        ...


@dataclass(frozen=True)
class ScreenedStore:
    """payments.screened, searched by time then by key (a bounded read, never the whole topic)."""

    settings: Settings
    margin: timedelta = timedelta(minutes=15)
    """The read starts at the first record stamped created_at - margin in each partition."""
    late: timedelta = timedelta(hours=2)
    """Records are stamped with created_at but written in arrival order, so a payment that
    reached the worker late sits among records stamped after it: a partition's read stops at
    the first record stamped after created_at + late."""
    max_records: int = 50_000
    """Per partition: the most records read past created_at - margin before giving up."""
    timeout_s: float = 10.0

    def payment(self, payment_id: str, created_at: datetime) -> dict[str, Any]:
        from kafka import TopicPartition
        from kafka.errors import KafkaError

        feed = TopicFeed(self.settings, names.SCREENED, "desk-reveal")
        start_ms = int((created_at - self.margin).timestamp() * 1000)
        stop_ms = int((created_at + self.late).timestamp() * 1000)
        key = payment_id.encode()
        try:
            consumer = feed.sync_consumer(
                "",
                request_timeout_ms=int(self.timeout_s * 1000) + 1000,
                bootstrap_timeout_ms=int(self.timeout_s * 1000),
            )
        except KafkaError as error:
            raise Unavailable(f"the payment store cannot be read: {type(error).__name__}") from None
        try:
            partitions = consumer.partitions_for_topic(feed.topic)
            if not partitions:
                raise NotFound(f"topic {feed.topic} does not exist: nothing can be revealed")
            tps = [TopicPartition(feed.topic, p) for p in sorted(partitions)]
            starts = consumer.offsets_for_times({tp: start_ms for tp in tps})
            ends = consumer.end_offsets(tps)
            live = {tp: found.offset for tp, found in starts.items() if found is not None}
            record = _scan(consumer, live, ends, key, stop_ms, self.max_records, self.timeout_s)
        except KafkaError as error:
            raise Unavailable(f"the payment store cannot be read: {type(error).__name__}") from None
        finally:
            consumer.close()
        if record is None:
            raise NotFound(
                f"payment {payment_id} is not in {feed.topic} (kept "
                f"{names.SCREENED_RETENTION_DAYS} days): its accounts cannot be revealed"
            )
        doc = orjson.loads(record).get("payment")
        if not isinstance(doc, dict):
            raise NotFound(f"the stored record of payment {payment_id} carries no payment")
        return doc


def _scan(
    consumer: Any,
    starts: dict[Any, int],
    ends: dict[Any, int],
    key: bytes,
    stop_ms: int,
    max_records: int,
    timeout_s: float,
) -> bytes | None:
    """The latest value under `key` in the partitions' windows; a partition is done at its end,
    after max_records, or at the first record stamped after stop_ms."""
    todo = {tp for tp, offset in starts.items() if offset < ends.get(tp, 0)}
    if not todo:
        return None
    consumer.assign(sorted(todo, key=lambda tp: tp.partition))
    for tp in todo:
        consumer.seek(tp, starts[tp])
    read = dict.fromkeys(todo, 0)
    found: bytes | None = None
    deadline = time.monotonic() + timeout_s
    while todo:
        if time.monotonic() > deadline:
            raise Unavailable("reading the payment store timed out: try again")
        for tp, batch in consumer.poll(timeout_ms=500).items():
            if tp not in todo:
                continue
            for record in batch:
                read[tp] += 1
                if record.key == key and record.value is not None:
                    found = record.value
                if record.timestamp > stop_ms or read[tp] >= max_records:
                    todo.discard(tp)
                    consumer.pause(tp)
                    break
        for tp in list(todo):
            if consumer.position(tp) >= ends[tp]:
                todo.discard(tp)
        if found is not None:
            return found
    return found


def reveal(
    session: Session,
    actor: Actor,
    case_id: int,
    party: str,
    reason: str,
    lookup: AccountLookup | None,
    at: datetime,
) -> str:
    """One party's full account, for a permitted actor with a reason. The attempt is appended to
    the audit trail in the caller's transaction whatever its outcome: the caller commits even
    when this raises."""
    case = actions.get_case(session, case_id)
    reason = reason.strip()

    def record(outcome: str) -> None:
        audit.append(
            session,
            actor=actor.name,
            action="account.reveal",
            target=f"case:{case.id}",
            after={"party": party, "reason": reason, "outcome": outcome},
            at=at,
        )

    if actor.role not in REVEALERS:
        record("refused: not permitted")
        raise Forbidden("revealing an account needs the supervisor role")
    if party not in PARTIES:
        record("refused: unknown party")
        raise Invalid(f"party must be one of {', '.join(PARTIES)}")
    if not reason:
        record("refused: no reason")
        raise Invalid("give the reason for revealing the account")
    created = (case.payment_json or {}).get("created_at")
    if lookup is None or not created:
        record("failed: no payment store")
        raise Unavailable("this desk has no payment store to reveal accounts from")
    try:
        payment = lookup.payment(case.payment_id, datetime.fromisoformat(created))
    except DeskError as error:
        record(f"failed: {error.message}")
        raise
    holder = payment.get(party)
    account = holder.get("account") if isinstance(holder, dict) else None
    if not account:
        record("failed: no account")
        raise NotFound(f"the payment's {party} has no account")
    record("revealed")
    return str(account)
