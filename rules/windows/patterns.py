"""USD-STRUCTURING and USD-FANOUT: which window contents make a pattern, and the finding.

A window is (t - span, t]: payments strictly less than `window_hours` apart are "within" it.
Patterns are found scanning entries in event-time order; each match is the window ending at one
entry, so the first match of a burst is its earliest completion, and its anchor (first member)
does not depend on arrival order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from rules.pack import FanoutSettings, RulePack, RuleSettings, StructuringSettings
from rules.windows.state import WindowEntry, usd
from schemas.decision import Finding
from schemas.masking import mask_account
from schemas.payment import Payment

TRANSIT_DEFAULT = ("AE", "TR", "LB", "SY", "OM", "JO")
_S = TypeVar("_S", bound=RuleSettings)


class Counted(Protocol):
    """What a pattern's relevance test reads: a WindowEntry, or a payment's facts
    (rules.windows.state.PaymentFacts) before any entry is built."""

    @property
    def currency(self) -> str: ...

    @property
    def amount(self) -> Decimal: ...

    @property
    def beneficiary_country(self) -> str | None: ...


@dataclass(frozen=True)
class WindowSettings:
    """Timing shared by every windowed rule."""

    span: timedelta
    allowed_lateness: timedelta

    @classmethod
    def from_pack(cls, pack: RulePack) -> WindowSettings:
        # Runs for every payment that touches a window: the two rules are read directly
        # rather than through a list of hours (a few microseconds a payment).
        hours: float | None = None
        for rule in (STRUCTURING.rule, FANOUT.rule):
            found = pack.settings(rule)
            if found is not None:
                own = _window_hours(found)
                hours = own if hours is None or own > hours else hours
        return cls(
            _hours(24 if hours is None else hours), _hours(pack.window_allowed_lateness_hours)
        )


@dataclass(frozen=True)
class Match:
    members: tuple[WindowEntry, ...]
    why: str


def _structuring_settings(settings: RuleSettings) -> StructuringSettings:
    return _as(settings, StructuringSettings)


def _fanout_settings(settings: RuleSettings) -> FanoutSettings:
    return _as(settings, FanoutSettings)


def _as(settings: RuleSettings, model: type[_S]) -> _S:
    """The settings as the rule's model (a pack built in code may hold the common model)."""
    if isinstance(settings, model):
        return settings
    return model.model_validate(settings.model_dump(exclude_unset=True))


def _window_hours(settings: RuleSettings) -> float:
    if isinstance(settings, (StructuringSettings, FanoutSettings)):
        return settings.window_hours
    return 24.0


def _hours(value: float) -> timedelta:
    """`timedelta(hours=value)`: equal, and four times faster for whole hours (the usual
    settings), since timedelta's keyword arguments are slow and this runs three times for each
    payment that touches a window."""
    if isinstance(value, int) or value.is_integer():
        return timedelta(0, int(value) * 3600)
    return timedelta(hours=value)


def _currencies(settings: RuleSettings) -> Sequence[str]:
    return settings.currencies or _USD_ONLY


_USD_ONLY = ("USD",)


def _windows(
    entries: tuple[WindowEntry, ...],
    qualifies: Callable[[WindowEntry], bool],
    span: timedelta,
    minimum: int = 1,
) -> Iterator[tuple[WindowEntry, ...]]:
    """Per qualifying entry (event-time order): the qualifying entries within span before it,
    when they are at least `minimum` (a shorter window can make no pattern, so it is not
    built: most windows hold one or two payments)."""
    chosen = [e for e in entries if qualifies(e)]
    if len(chosen) < minimum:
        return
    start = 0
    for end, last in enumerate(chosen):
        while last.created_at - chosen[start].created_at >= span:
            start += 1
        if end + 1 - start >= minimum:
            yield tuple(chosen[start : end + 1])


def _structuring_qualifies(e: Counted, s: RuleSettings) -> bool:
    if e.currency not in (s.currencies or _USD_ONLY):
        return False  # most traffic: the band is not worth computing
    # Runs twice for every payment (rules.windows.windowed): the band is computed inline.
    typed = s if isinstance(s, StructuringSettings) else _structuring_settings(s)
    threshold = typed.threshold
    return threshold * typed.lower_ratio <= e.amount <= threshold * typed.upper_ratio


def _structuring(
    entries: tuple[WindowEntry, ...], s: RuleSettings, span: timedelta
) -> Iterator[Match]:
    typed = _structuring_settings(s)
    minimum = typed.min_count
    if len(entries) < minimum:
        return  # most windows hold one or two payments: nothing to compute
    low, high = typed.threshold * typed.lower_ratio, typed.threshold * typed.upper_ratio
    currencies = _currencies(s)

    def qualifies(e: WindowEntry) -> bool:
        return e.currency in currencies and low <= e.amount <= high

    for window in _windows(entries, qualifies, span, minimum):
        if len(window) >= minimum:
            yield Match(
                window, f"{len(window)} payments between {low:f} and {high:f} {currencies[0]}"
            )


def _fanout_qualifies(e: Counted, s: RuleSettings) -> bool:
    if e.currency not in (s.currencies or _USD_ONLY):
        return False
    typed = s if isinstance(s, FanoutSettings) else _fanout_settings(s)
    return e.beneficiary_country in typed.jurisdictions


def _fanout(entries: tuple[WindowEntry, ...], s: RuleSettings, span: timedelta) -> Iterator[Match]:
    typed = _fanout_settings(s)
    minimum = typed.min_beneficiaries
    # A fan-out needs more than one beneficiary: one large payment is not a fan-out.
    sum_minimum = typed.min_beneficiaries_for_sum
    # Either pattern needs at least this many beneficiaries, so at least this many payments.
    fewest = min(minimum, sum_minimum)
    if len(entries) < fewest:
        return  # most windows hold one or two payments: nothing to compute
    transit = tuple(typed.jurisdictions)
    ceiling = typed.max_usd_sum
    currencies = _currencies(s)

    def qualifies(e: WindowEntry) -> bool:
        # `_fanout_qualifies`, with the settings read once per window rather than per entry.
        return e.currency in currencies and e.beneficiary_country in transit

    for window in _windows(entries, qualifies, span, fewest):
        beneficiaries = {e.beneficiary for e in window}
        total = usd(window)
        if len(beneficiaries) >= minimum:
            yield Match(
                window, f"{len(beneficiaries)} distinct beneficiaries in {'/'.join(transit)}"
            )
        elif total > ceiling and len(beneficiaries) >= sum_minimum:
            yield Match(window, f"USD {total:f} to {'/'.join(transit)} exceeds {ceiling:f}")


@dataclass(frozen=True)
class Pattern:
    rule: str
    find: Callable[[tuple[WindowEntry, ...], RuleSettings, timedelta], Iterator[Match]]
    relevant: Callable[[Counted, RuleSettings], bool]

    def finding(
        self, payment: Payment, match: Match, settings: RuleSettings, pack: RulePack
    ) -> Finding:
        """The finding for the payment that completed (or redelivered into) the pattern."""
        debtor = mask_account(payment.debtor.account) or payment.debtor.name
        members = match.members
        hours = (members[-1].created_at - members[0].created_at).total_seconds() / 3600
        return Finding(
            rule=self.rule,
            action=settings.action,
            severity=settings.severity,
            field="debtor",
            matched=debtor,
            entry_id=f"episode:{members[0].payment_id}",
            list_name=None,
            score=1.0,
            match_method="window",
            explanation=(
                f"debtor {debtor}: {match.why} within {hours:.1f} h "
                f"(window {pack.name} {pack.version}); payments: "
                + ", ".join(
                    f"{m.payment_id} {m.amount:f} {m.currency} at {m.created_at:%Y-%m-%dT%H:%M:%SZ}"
                    for m in members
                )
            ),
            evidence={
                "anchor_payment_id": members[0].payment_id,
                "payment_ids": " ".join(m.payment_id for m in members),
                "amounts": " ".join(f"{m.amount:f}" for m in members),
                "times": " ".join(f"{m.created_at:%Y-%m-%dT%H:%M:%SZ}" for m in members),
                "usd_sum": f"{usd(members):f}",
            },
        )


STRUCTURING = Pattern("USD-STRUCTURING", _structuring, _structuring_qualifies)
FANOUT = Pattern("USD-FANOUT", _fanout, _fanout_qualifies)


def find_patterns(
    pattern: Pattern,
    entries: tuple[WindowEntry, ...],
    settings: RuleSettings,
    window: WindowSettings,
) -> Iterator[Match]:
    return pattern.find(entries, settings, pattern_span(settings, window))


def pattern_span(settings: RuleSettings, window: WindowSettings) -> timedelta:
    """How far back one windowed rule counts: its own window hours, within the span every
    windowed rule shares (what the desk's debtor panel shows, too)."""
    return min(_hours(_window_hours(settings)), window.span)
