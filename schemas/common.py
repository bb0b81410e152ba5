"""Field types shared by every contract: money as Decimal, time as tz-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer


def _to_utc(value: datetime) -> datetime:
    # 0001-01-01T00:00+05:00 is a valid aware datetime whose UTC form is before year 1: a
    # ValueError makes pydantic report it as a validation error instead of raising through.
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("its UTC instant is outside the years 1-9999") from exc


def _decimal_in(value: object) -> object:
    # Floats arrive from careless producers; going through str keeps 9500.1 as 9500.1, not
    # 9500.0999999999994543031789362430572509765625.
    if isinstance(value, float):
        return str(value)
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A tz-aware timestamp, normalised to UTC; naive timestamps are rejected."""

Money = Annotated[
    Decimal,
    BeforeValidator(_decimal_in),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
"""An amount as Decimal, serialised as a plain decimal string ("9500.00")."""


class Action(StrEnum):
    """What a finding asks the bank to do; the decision is the strongest of its findings."""

    PASS = "pass"  # noqa: S105 - an action, not a secret
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]


_ACTION_RANK = {Action.PASS: 0, Action.REVIEW: 1, Action.BLOCK: 2}


class Severity(StrEnum):
    """How urgent an alert is for the ops center."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
