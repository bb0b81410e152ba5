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
        hours = [
            _window_hours(s)
            for rule in (STRUCTURING.rule, FANOUT.rule)
            if (s := pack.settings(rule)) is not None
        ]
        return cls(
            timedelta(hours=max(hours, default=24)),
            timedelta(hours=pack.window_allowed_lateness_hours),
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
    if isinstance(settings, StructuringSettings | FanoutSettings):
        return settings.window_hours
    return 24.0


def _currencies(settings: RuleSettings) -> Sequence[str]:
    return settings.currencies or _USD_ONLY


_USD_ONLY = ("USD",)


def _windows(
    entries: tuple[WindowEntry, ...], qualifies: Callable[[WindowEntry], bool], span: timedelta
) -> Iterator[tuple[WindowEntry, ...]]:
    """Per qualifying entry (event-time order): the qualifying entries within span before it."""
    chosen = [e for e in entries if qualifies(e)]
    start = 0
    for end, last in enumerate(chosen):
        while last.created_at - chosen[start].created_at >= span:
            start += 1
        yield tuple(chosen[start : end + 1])


def _structuring_band(s: RuleSettings) -> tuple[Decimal, Decimal]:
    typed = _structuring_settings(s)
    low = typed.threshold * typed.lower_ratio
    return low, typed.threshold * typed.upper_ratio


def _structuring_qualifies(e: Counted, s: RuleSettings) -> bool:
    if e.currency not in _currencies(s):
        return False  # most traffic: the band is not worth computing
    low, high = _structuring_band(s)
    return low <= e.amount <= high


def _structuring(
    entries: tuple[WindowEntry, ...], s: RuleSettings, span: timedelta
) -> Iterator[Match]:
    low, high = _structuring_band(s)
    minimum = _structuring_settings(s).min_count
    currencies = _currencies(s)

    def qualifies(e: WindowEntry) -> bool:
        return e.currency in currencies and low <= e.amount <= high

    for window in _windows(entries, qualifies, span):
        if len(window) >= minimum:
            yield Match(
                window, f"{len(window)} payments between {low:f} and {high:f} {currencies[0]}"
            )


def _transit(s: RuleSettings) -> tuple[str, ...]:
    return tuple(_fanout_settings(s).jurisdictions)


def _fanout_qualifies(e: Counted, s: RuleSettings) -> bool:
    return (
        e.currency in _currencies(s) and e.beneficiary_country in _fanout_settings(s).jurisdictions
    )


def _fanout(entries: tuple[WindowEntry, ...], s: RuleSettings, span: timedelta) -> Iterator[Match]:
    transit = _transit(s)
    typed = _fanout_settings(s)
    minimum = typed.min_beneficiaries
    ceiling = typed.max_usd_sum
    # A fan-out needs more than one beneficiary: one large payment is not a fan-out.
    sum_minimum = typed.min_beneficiaries_for_sum

    currencies = _currencies(s)

    def qualifies(e: WindowEntry) -> bool:
        # `_fanout_qualifies`, with the settings read once per window rather than per entry.
        return e.currency in currencies and e.beneficiary_country in transit

    for window in _windows(entries, qualifies, span):
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
    span = timedelta(hours=_window_hours(settings))
    return pattern.find(entries, settings, min(span, window.span))
