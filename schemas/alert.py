"""The alert record on the `alerts` topic: one per (payment, rule) whose action is review/block."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from schemas.common import Action, Money, Severity, UtcDatetime
from schemas.decision import Finding


class PaymentSummary(BaseModel):
    """What an analyst needs to recognise the payment; account numbers are masked."""

    model_config = ConfigDict(frozen=True)

    payment_id: str
    uetr: str | None = None
    amount: Money
    currency: str
    value_date: date
    created_at: UtcDatetime
    debtor_name: str
    debtor_account: str | None = None
    debtor_agent_bic: str | None = None
    creditor_name: str
    creditor_account: str | None = None
    creditor_agent_bic: str | None = None
    message_type: str | None = None
    # the rest of the chain, so a reviewer sees every party and agent (banks by BIC, else name)
    ultimate_debtor_name: str | None = None
    ultimate_creditor_name: str | None = None
    intermediary_agents: tuple[str, ...] = ()
    instructing_agent: str | None = None
    instructed_agent: str | None = None


class Alert(BaseModel):
    """A (payment, rule) alert; alert_id is stable across replays under the same rule pack."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    rule: str
    action: Action
    severity: Severity
    findings: list[Finding]
    payment: PaymentSummary
    rule_pack: str
    rule_pack_version: str
    raised_at: UtcDatetime
