"""The record format of the compacted `exceptions` topic: good-guy exceptions from the desk to
the workers.

Below the adapters because two of them speak it: the desk writes it (desk/exceptions.py,
through its outbox), the worker reads it (streams/exceptions_follow.py). No Kafka here.

The desk (desk/exceptions.py) publishes an exception through its outbox when it becomes active,
is revoked or expires. Wire format (latest per key kept by compaction):
  key   the desk's exception id, e.g. `12`
  value JSON `{"format": "dinarwatch.exception/1", "exception_id", "status": "active" |
        "revoked" | "expired", "rule", "entry_id", "list", "party_fingerprint", "entry_hash",
        "expires_at"}` (the outbox adds `event_id`); null (a tombstone) drops the exception.
Only `active` records are held; any other status removes the exception, and an active one past
its `expires_at` covers nothing (rules/suppression.py compares with the screening time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from rules.suppression import ActiveException

WIRE_FORMAT = "dinarwatch.exception/1"
ACTIVE = "active"


class MalformedException(ValueError):
    """An exceptions record that cannot be used; the reason is the message."""


def exception_record(
    *,
    exception_id: int | str,
    status: str,
    rule: str,
    entry_id: str,
    list_name: str | None,
    party_fingerprint: str,
    entry_hash: str | None,
    expires_at: datetime,
) -> dict[str, Any]:
    """The record value (as a dict) the desk publishes for one exception."""
    return {
        "format": WIRE_FORMAT,
        "exception_id": str(exception_id),
        "status": status,
        "rule": rule,
        "entry_id": entry_id,
        "list": list_name,
        "party_fingerprint": party_fingerprint,
        "entry_hash": entry_hash,
        "expires_at": expires_at.isoformat(),
    }


def decode_exception(key: bytes | None, value: bytes) -> ActiveException | None:
    """The active exception a record holds, None for a revoked or expired one."""
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise MalformedException(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != WIRE_FORMAT:
        raise MalformedException(f"unknown format (expected {WIRE_FORMAT!r})")
    exception_id = str(doc.get("exception_id", ""))
    if key is not None and key.decode("utf-8", "replace") != exception_id:
        raise MalformedException(f"key {key!r} does not match exception id {exception_id!r}")
    if doc.get("status") != ACTIVE:
        return None
    try:
        expires_at = datetime.fromisoformat(str(doc["expires_at"]))
        if expires_at.tzinfo is None:
            raise ValueError("expires_at has no time zone")
        return ActiveException(
            exception_id=exception_id,
            rule=str(doc["rule"]),
            entry_id=str(doc["entry_id"]),
            party_fingerprint=str(doc["party_fingerprint"]),
            expires_at=expires_at,
            entry_hash=str(doc["entry_hash"]) if doc.get("entry_hash") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedException(f"invalid exception: {exc}") from exc
