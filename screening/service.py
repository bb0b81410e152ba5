"""The screening service: what every runtime does with one decoded payment.

The worker (streams/pipeline.py), `dinarwatch screen` and replay (offline/screen.py) all call
`screen_one`, so a payment gets the same window transition, decision (exception suppression
included: rules/suppression.py via the context) and alerts wherever it is screened. Only where
the window state lives differs, behind `WindowStore`: a dict for a file run, the Faust table in
the worker (streams/window_store.py adapts it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rules.context import ScreeningContext
from rules.session import screen_with_window
from rules.windows import DebtorWindow, debtor_key, windowed
from schemas.alert import Alert
from schemas.decision import Decision
from schemas.payment import Payment
from screening.alerts import alerts_for


class WindowStore(Protocol):
    """Per-debtor window state, keyed by rules.windows.debtor_key."""

    def get(self, key: str) -> DebtorWindow | None: ...

    def put(self, key: str, window: DebtorWindow) -> None: ...


class DictWindows:
    """Window state in memory, for one file run (screen, replay, backtest)."""

    __slots__ = ("windows",)

    def __init__(self) -> None:
        self.windows: dict[str, DebtorWindow] = {}

    def get(self, key: str) -> DebtorWindow | None:
        return self.windows.get(key)

    def put(self, key: str, window: DebtorWindow) -> None:
        self.windows[key] = window


@dataclass(frozen=True, slots=True)
class Screened:
    payment: Payment
    decision: Decision
    alerts: list[Alert]


def screen_one(
    payment: Payment, ctx: ScreeningContext, at: datetime, windows: WindowStore
) -> Screened:
    """Screen `payment` as of `at`, reading and updating its debtor's window in `windows`.

    Most payments cannot touch window state (rules.windows.windowed), so the store is neither
    read nor written for them; a payment that leaves the state unchanged is not written back
    (observe returns the very object it was given), which spares the worker a changelog record.
    """
    key = debtor_key(payment) if windowed(payment, ctx.pack) else None
    window = windows.get(key) if key is not None else None
    new_window, decision = screen_with_window(payment, ctx, at, window)
    if key is not None and new_window is not None and new_window is not window:
        windows.put(key, new_window)
    return Screened(payment, decision, alerts_for(payment, decision, at))
