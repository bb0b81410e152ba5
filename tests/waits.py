"""Wait for a condition against a deadline instead of sleeping a fixed time.

A fixed sleep is either too short on a busy machine (the test fails) or too long everywhere
(the suite crawls). `wait_until` polls and returns as soon as the condition holds; at the
deadline it fails naming what it waited for and the last value it saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(predicate: Callable[[], T], timeout: float, interval: float = 0.2) -> T:
    """Call `predicate` until it returns something truthy or `timeout` seconds pass; return
    its last value (falsy at the deadline). For callers that assert with their own message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        remaining = deadline - time.monotonic()
        if value or remaining <= 0:
            return value
        time.sleep(min(interval, remaining))


def wait_until(
    predicate: Callable[[], T],
    timeout: float,
    what: str,
    interval: float = 0.2,
) -> T:
    """Call `predicate` until it returns something truthy and return that value.

    Raises AssertionError after `timeout` seconds: "timed out after 30 s waiting for <what>
    (last value: ...)". Exceptions from the predicate propagate (a broken probe is a bug,
    not a reason to wait)."""
    value = poll(predicate, timeout, interval)
    if not value:
        raise AssertionError(
            f"timed out after {timeout:g} s waiting for {what} (last value: {value!r})"
        )
    return value


def stays(
    predicate: Callable[[], bool],
    duration: float,
    what: str,
    interval: float = 0.2,
) -> None:
    """Check that `predicate` holds for the whole of `duration` seconds (e.g. "no extra alert
    arrives"): fails at the first poll where it does not, naming `what`."""
    deadline = time.monotonic() + duration
    while True:
        if not predicate():
            raise AssertionError(f"{what} stopped holding")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(interval, remaining))
