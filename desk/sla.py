"""Service levels: how long a case of each severity may wait before someone works it.

A case breaches its SLA while it is open, escalated or pending approval and older than the
limit for its severity. Limits come from DINARWATCH_DESK_SLA_MINUTES
("critical=60,high=240,medium=1440,low=4320", any subset), defaults below.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from infra.errors import ConfigError
from schemas.common import Severity

DEFAULT_SLA = {
    Severity.CRITICAL: timedelta(hours=1),
    Severity.HIGH: timedelta(hours=4),
    Severity.MEDIUM: timedelta(hours=24),
    Severity.LOW: timedelta(hours=72),
}
ENV = "DINARWATCH_DESK_SLA_MINUTES"


def parse_sla(text: str | None) -> dict[Severity, timedelta]:
    """The SLA per severity: defaults overridden by `severity=minutes` pairs."""
    limits = dict(DEFAULT_SLA)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, minutes = part.partition("=")
        try:
            severity = Severity(name.strip().lower())
            value = int(minutes)
            if value <= 0:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"{ENV} entry {part.strip()!r}: write severity=minutes with severity one of "
                "critical, high, medium, low and minutes a positive whole number"
            ) from None
        limits[severity] = timedelta(minutes=value)
    return limits


def from_environment(environ: Mapping[str, str]) -> dict[Severity, timedelta]:
    return parse_sla(environ.get(ENV))
