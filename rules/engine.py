"""Screen one payment: run every enabled rule, resolve precedence, combine into a decision."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from rules.cbi import check_cbi_usd_ban
from rules.context import ScreeningContext
from rules.energy import check_iran_energy
from rules.fincen import check_fincen_311
from rules.iran import check_iran_nexus
from rules.militia import check_militia_front
from rules.more_lists import (
    check_eu_sanctions,
    check_ofac_nonsdn,
    check_opensanctions,
    check_uk_sanctions,
)
from rules.pack import RulePack
from rules.sdn import check_ofac_sdn, check_un_sanctions
from rules.suppression import suppress
from rules.vessel import check_oil_vessel
from schemas.common import Action
from schemas.decision import Decision, Finding, strongest
from schemas.payment import Payment

Rule = Callable[[Payment, ScreeningContext], list[Finding]]
"""A rule is a pure function of the payment and the context."""

STATELESS_RULES: Sequence[Rule] = (
    check_cbi_usd_ban,
    check_fincen_311,
    check_ofac_sdn,
    check_un_sanctions,
    check_eu_sanctions,
    check_uk_sanctions,
    check_ofac_nonsdn,
    check_opensanctions,
    check_iran_nexus,
    check_iran_energy,
    check_militia_front,
    check_oil_vessel,
)


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
    # One memo per screening: the rules share what they read out of the payment.
    shared = ctx.for_payment(payment)
    findings = [f for rule in rules for f in rule(payment, shared)]
    findings.extend(extra_findings)
    findings = apply_precedence(findings, ctx.pack)
    findings.sort(key=_finding_order)
    findings, suppressed = suppress(findings, payment, ctx.exceptions, ctx.lists, evaluated_at)
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
        parse_warnings=list(payment.parse_warnings),
        suppressed_findings=suppressed or None,
    )


def apply_precedence(findings: Sequence[Finding], pack: RulePack) -> list[Finding]:
    """Drop the findings of rules that yield to another rule's finding on the same payment.

    A rule's pack settings may say `yields_to: {OTHER-RULE: [review]}`: when OTHER-RULE found
    something with one of those actions, this rule's findings are withdrawn. The default pack
    uses it for IRAN-NEXUS, which yields to IRAN-ENERGY's review under the electricity waiver.
    Kept as data so that a what-if pack can change the precedence without code.
    """
    present = {(f.rule, f.action) for f in findings}
    return [f for f in findings if not _yields(f.rule, present, pack)]


def _yields(rule: str, present: set[tuple[str, Action]], pack: RulePack) -> bool:
    settings = pack.settings(rule)
    table: Mapping[str, Sequence[Action]] = settings.yields_to if settings else {}
    return any((other, a) in present for other, actions in table.items() for a in actions)


def _finding_order(f: Finding) -> tuple[str, str, str, float, str, str]:
    # Total order: same input and same lists give byte-identical decisions.
    return (f.rule, f.field, f.entry_id or "", -f.score, f.matched, f.match_method or "")
