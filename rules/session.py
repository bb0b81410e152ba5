"""Screening with window state: the one function every runtime calls per payment.

The caller owns where the state lives (a Faust table in the worker, a dict offline) and passes
it in and stores what comes back; everything else is decided here, identically everywhere.
"""

from __future__ import annotations

from datetime import datetime

from rules.context import ScreeningContext
from rules.engine import screen_payment
from rules.windows import DebtorWindow, observe
from schemas.decision import Decision
from schemas.payment import Payment


def screen_with_window(
    payment: Payment, ctx: ScreeningContext, evaluated_at: datetime, window: DebtorWindow | None
) -> tuple[DebtorWindow | None, Decision]:
    """The debtor's new window state (unchanged object if untouched) and the decision."""
    new_window, windowed = observe(window, payment, ctx.pack)
    decision = screen_payment(payment, ctx, evaluated_at, extra_findings=windowed)
    if window is None and new_window is not None and _empty(new_window):
        return window, decision  # nothing to store for a debtor the window never held
    return new_window, decision


def _empty(window: DebtorWindow) -> bool:
    """`window == DebtorWindow()`, without building one per payment."""
    return not window.entries and not window.episodes and window.watermark is None
