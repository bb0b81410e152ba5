"""observe(): add a payment to its debtor's window, evaluate the windowed rules, prune.

Order independence: patterns are found scanning the window in event-time (created_at) order,
so payments that arrive out of order within the allowed lateness yield the same pattern,
anchored at the same earliest payment; an episode that already alerted suppresses overlapping
ones, so a late payment cannot raise a second alert for the same pattern.
Idempotence: observing a payment already in the window (a redelivery after a crash) returns
the findings it got the first time and leaves the state unchanged.
"""

from __future__ import annotations

from datetime import datetime

from rules.pack import RulePack
from rules.windows.patterns import (
    FANOUT,
    STRUCTURING,
    Pattern,
    WindowSettings,
    find_patterns,
)
from rules.windows.state import DebtorWindow, Episode, WindowEntry, entry_for, facts_of
from schemas.decision import Finding
from schemas.payment import Payment

PATTERNS: tuple[Pattern, ...] = (STRUCTURING, FANOUT)
_NO_STATE = DebtorWindow()
"""A debtor the window does not hold yet (immutable, so one instance serves every call)."""


def observe(
    window: DebtorWindow | None, payment: Payment, pack: RulePack
) -> tuple[DebtorWindow | None, list[Finding]]:
    """The new window state and the windowed findings for `payment`.

    Returns the very `window` object it was given when the payment changes nothing (most
    traffic), so a caller can skip the store write with an identity check.
    """
    if window is None and not windowed(payment, pack):
        # Most traffic: no state and a payment no windowed rule counts (nothing to build).
        return window, []
    state = _NO_STATE if window is None else window
    settings = WindowSettings.from_pack(pack)
    known = state.entry(payment.payment_id)
    if known is not None:
        return window, _redelivered(state, known, payment, pack, settings)
    if window is not None and not windowed(payment, pack):
        return window, []
    if _too_late(state, payment, settings):
        return window, []
    entries = tuple(sorted((*state.entries, entry_for(payment)), key=_order))
    episodes = list(state.episodes)
    findings: list[Finding] = []
    fired: list[str] = []
    for pattern in PATTERNS:
        rule_settings = pack.settings(pattern.rule)
        if rule_settings is None:
            continue
        for match in find_patterns(pattern, entries, rule_settings, settings):
            if _already_alerted(episodes, pattern.rule, match.members, settings):
                continue
            first, last = match.members[0], match.members[-1]
            episodes.append(
                Episode(
                    rule=pattern.rule,
                    anchor=first.payment_id,
                    first_at=first.created_at,
                    last_at=last.created_at,
                )
            )
            findings.append(pattern.finding(payment, match, rule_settings, pack))
            fired.append(f"{pattern.rule}@{first.payment_id}")
    if fired:
        entries = tuple(
            e.model_copy(update={"fired": tuple(fired)})
            if e.payment_id == payment.payment_id
            else e
            for e in entries
        )
    watermark = (
        payment.created_at if state.watermark is None else max(state.watermark, payment.created_at)
    )
    return _pruned(entries, tuple(episodes), watermark, settings), findings


def windowed(payment: Payment, pack: RulePack) -> bool:
    """Whether `payment` can touch window state at all: callers skip the state lookup when not
    (most traffic: non-USD, or neither near the threshold nor to a transit jurisdiction).

    Any windowed rule that could ever count the payment makes it relevant; others leave the
    state alone, which spares the worker a table write per payment. Runs twice for every
    payment (the caller's state lookup, then `observe`), so it reads the pack's rules directly
    (what `RulePack.settings` returns: present and enabled)."""
    facts = facts_of(payment)
    rules = pack.rules
    for pattern in PATTERNS:
        found = rules.get(pattern.rule)
        if found is not None and found.enabled and pattern.relevant(facts, found):
            return True
    return False


def _order(entry: WindowEntry) -> tuple[object, str]:
    return (entry.created_at, entry.payment_id)


def _too_late(state: DebtorWindow, payment: Payment, settings: WindowSettings) -> bool:
    """Payments older than watermark - span - allowed lateness are not windowed (their
    neighbours may already be pruned); they are still screened by the stateless rules."""
    if state.watermark is None:
        return False
    return payment.created_at < state.watermark - settings.span - settings.allowed_lateness


def _already_alerted(
    episodes: list[Episode], rule: str, members: tuple[WindowEntry, ...], settings: WindowSettings
) -> bool:
    first, last = members[0].created_at, members[-1].created_at
    return any(
        e.rule == rule and first < e.last_at + settings.span and last > e.first_at - settings.span
        for e in episodes
    )


def _pruned(
    entries: tuple[WindowEntry, ...],
    episodes: tuple[Episode, ...],
    watermark: datetime,
    settings: WindowSettings,
) -> DebtorWindow:
    """The new state without what fell behind the watermark (one model built, not two)."""
    horizon = watermark - settings.span - settings.allowed_lateness
    return DebtorWindow(
        entries=tuple(e for e in entries if e.created_at >= horizon),
        episodes=tuple(e for e in episodes if e.last_at >= horizon - settings.span),
        watermark=watermark,
    )


def _redelivered(
    state: DebtorWindow,
    entry: WindowEntry,
    payment: Payment,
    pack: RulePack,
    settings: WindowSettings,
) -> list[Finding]:
    """The findings a payment got the first time: same rule, same anchor, same members."""
    findings = []
    for pattern in PATTERNS:
        rule_settings = pack.settings(pattern.rule)
        anchors = {f.split("@", 1)[1] for f in entry.fired if f.startswith(pattern.rule + "@")}
        if not anchors or rule_settings is None:
            continue
        for match in find_patterns(pattern, state.entries, rule_settings, settings):
            if match.members[0].payment_id in anchors:
                findings.append(pattern.finding(payment, match, rule_settings, pack))
                break
    return findings
