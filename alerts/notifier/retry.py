"""Exponential backoff for delivery attempts, and the headers of a parked alert.

A parked record on `alerts.retry` is the original alert JSON (key: alert_id) plus headers
saying which channels still owe it, how often it was parked and when it may be retried, so a
retry goes only to the channels that failed (an alert already e-mailed is not e-mailed again
because the webhook was down).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.masking import mask_text

H_CHANNELS = "dinarwatch-channels"
H_ATTEMPT = "dinarwatch-park-count"
H_NOT_BEFORE = "dinarwatch-not-before"
H_ERROR = "dinarwatch-last-error"


def backoff(attempt: int, base: float, cap: float) -> float:
    """Wait before attempt `attempt + 1` (attempt counts from 1): base, 2*base, 4*base, ...
    capped, so a receiver that is down is not hammered and one that is back soon is found."""
    return float(min(base * (2 ** max(attempt - 1, 0)), cap))


@dataclass(frozen=True)
class Parked:
    """What a parked record's headers say."""

    channels: tuple[str, ...]
    count: int
    not_before: float
    error: str = ""

    def headers(self) -> list[tuple[str, bytes]]:
        return [
            (H_CHANNELS, ",".join(self.channels).encode()),
            (H_ATTEMPT, str(self.count).encode()),
            (H_NOT_BEFORE, f"{self.not_before:.3f}".encode()),
            # A receiver's error answer may echo what it was sent: mask it like a log line.
            (H_ERROR, mask_text(self.error[:300]).encode("utf-8", "replace")),
        ]

    @classmethod
    def from_headers(
        cls, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...]
    ) -> Parked:
        found = {k: v.decode("utf-8", "replace") for k, v in headers or ()}
        channels = tuple(c for c in found.get(H_CHANNELS, "").split(",") if c)
        return cls(
            channels=channels,
            count=int(found.get(H_ATTEMPT, "1") or 1),
            not_before=float(found.get(H_NOT_BEFORE, "0") or 0),
            error=found.get(H_ERROR, ""),
        )
