"""Screen one payment: run every enabled rule, combine findings into a decision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rules.cbi import check_cbi_usd_ban
from rules.context import ScreeningContext
from schemas.decision import Decision, Finding, strongest
from schemas.payment import Payment

Rule = Callable[[Payment, ScreeningContext], list[Finding]]
"""A rule is a pure function of the payment and the context."""

STATELESS_RULES: Sequence[Rule] = (check_cbi_usd_ban,)


def screen_payment(
    payment: Payment,
    ctx: ScreeningContext,
    evaluated_at: datetime,
    extra_findings: Sequence[Finding] = (),
    rules: Sequence[Rule] = STATELESS_RULES,
) -> Decision:
    """The decision for `payment`. `evaluated_at` is passed in: the core never reads a clock.

    `extra_findings` carries the windowed rules' output, computed by the caller that owns the
    window state, so that both kinds of finding end up in one decision.
    """
    findings = [f for rule in rules for f in rule(payment, ctx)]
    findings.extend(extra_findings)
    findings.sort(key=lambda f: (f.rule, f.field, f.entry_id or "", -f.score))
    return Decision(
        payment_id=payment.payment_id,
        decision=strongest(findings),
        findings=findings,
        rule_pack=ctx.pack.name,
        rule_pack_version=ctx.pack.version,
        list_versions=ctx.lists.versions(),
        evaluated_at=evaluated_at,
        value_date=payment.value_date,
        currency=payment.currency,
        message_type=payment.message_type.value,
    )
