"""IRAN-ENERGY: a payment for electricity or gas whose beneficiary is Iranian.

Iraq imports Iranian gas and electricity. Until the US let the waiver lapse (2025-03-08, a pack
setting) Iraq could pay for them into restricted escrow accounts at the Trade Bank of Iraq: such a
payment is a review (was it the escrow route?) and IRAN-NEXUS yields to it, because blocking a
licensed payment is as wrong as passing an unlicensed one. From the lapse on it is a block.
The boundary is exclusive: value_date < waiver_lapse is under the waiver.

Energy: the purpose code is one of `purpose_codes` (ELEC, GASB) or the remittance information
contains an energy keyword (English by whole word, Arabic/Persian inside words, both from the
pack). Beneficiary: creditor, ultimate creditor and creditor agent (`beneficiary_fields`) - an
Iranian bank receiving the money makes the beneficiary Iranian even when the creditor's own
country is blank. "Iranian" is IRAN-NEXUS's test (rules/iran.py), so the two rules agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rules.context import ScreeningContext, mark_retro
from rules.iran import (
    IranSignal,
    holder_signals,
    iran_plan,
    mentions,
    nexus_finding,
)
from rules.listmatch import in_currency_scope
from rules.mentions import Subject
from rules.pack import EnergySettings
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "IRAN-ENERGY"


def check_iran_energy(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """One finding per Iranian beneficiary field of an electricity/gas payment."""
    plan = iran_plan(ctx, RULE_ID, EnergySettings, payment)
    if plan is None or not in_currency_scope(plan.settings, payment):
        return []
    settings = plan.settings
    energy = energy_reason(payment, settings)
    if energy is None:
        return []
    fields = set(settings.beneficiary_fields)
    findings = []
    for who, signals in holder_signals(payment, plan.test, ctx, fields, scope=plan.scope):
        if signals:
            findings.append(mark_retro(_finding(payment, settings, energy, who, signals), payment))
    return findings


def energy_reason(payment: Payment, settings: EnergySettings) -> str | None:
    """Why the payment is for electricity or gas ("purpose_code ELEC", "keyword غاز"), or None."""
    codes = settings.purpose_codes
    if payment.purpose_code and payment.purpose_code.upper() in codes:
        return f"purpose_code {payment.purpose_code.upper()}"
    keywords = settings.energy_keywords
    found = mentions([payment.remittance_info or ""], keywords)
    return f"keyword {found}" if found else None


def waiver_lapse(settings: EnergySettings) -> date:
    return settings.waiver_lapse


def _finding(
    payment: Payment,
    settings: EnergySettings,
    energy: str,
    who: Subject,
    signals: Sequence[IranSignal],
) -> Finding:
    lapse = waiver_lapse(settings)
    under_waiver = payment.value_date < lapse
    if under_waiver:
        action, severity = settings.action_before_lapse, settings.severity_before_lapse
    else:
        action, severity = settings.action_from_lapse, settings.severity_from_lapse
    base = nexus_finding(RULE_ID, settings, who, signals, payment)
    if base.action.rank < settings.action.rank:
        # The beneficiary is Iranian only by a name the evidence cannot pin: review at most.
        action = min(action, base.action, key=lambda a: a.rank)
    waiver = (
        f"value date {payment.value_date} is before the waiver lapsed on {lapse}: review that it "
        f"went to the restricted escrow at the Trade Bank of Iraq; IRAN-NEXUS yields to this"
        if under_waiver
        else f"value date {payment.value_date} is on or after the waiver lapsed on {lapse}: no "
        f"waiver covers it"
    )
    return base.model_copy(
        update={
            "action": action,
            "severity": severity,
            "legal_source": "; ".join(
                s for s in (base.legal_source, f"Iraq electricity/gas waiver lapsed {lapse}") if s
            ),
            "explanation": (
                f"Payment for energy ({energy}) to an Iranian beneficiary in {base.field}: "
                f"{base.evidence['signals']}; {waiver}."
            ),
            "evidence": {
                **base.evidence,
                "energy": energy,
                "waiver": "in force" if under_waiver else "lapsed",
            },
        }
    )
