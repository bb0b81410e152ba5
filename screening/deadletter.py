"""Dead-letter records: the original bytes, untouched, with headers that say why and whence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

MAX_DETAIL = 2000
HEADER_PREFIX = "dinarwatch-"


@dataclass(frozen=True)
class Rejection:
    """Why a record could not be screened."""

    reason: str
    detail: str


def dead_letter_headers(
    rejection: Rejection,
    original: Sequence[tuple[str, bytes]] | None,
    *,
    topic: str,
    partition: int,
    offset: int,
    rejected_at: datetime,
) -> list[tuple[str, bytes]]:
    """The original headers first (so tracing ids survive), then ours."""
    ours = {
        "reason": rejection.reason,
        "detail": rejection.detail[:MAX_DETAIL],
        "source-topic": topic,
        "source-partition": str(partition),
        "source-offset": str(offset),
        "rejected-at": rejected_at.isoformat(),
    }
    kept = [(k, v) for k, v in (original or []) if not k.startswith(HEADER_PREFIX)]
    return kept + [(HEADER_PREFIX + k, v.encode("utf-8", "replace")) for k, v in ours.items()]


def headers_as_dict(
    headers: Sequence[tuple[str, bytes]] | dict[str, bytes] | None,
) -> dict[str, str]:
    """Decode headers for reading DLQ records (tools and tests)."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    return {k: (v or b"").decode("utf-8", "replace") for k, v in items}
