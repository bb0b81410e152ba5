"""The alert record on the `alerts` topic: one per (payment, rule) whose action is review/block."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

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


class RetroOrigin(BaseModel):
    """Why a retro alert exists: a list version designated a party the payment involved after
    the payment was screened (delta re-screening, docs/rescreen.md)."""

    model_config = ConfigDict(frozen=True)

    list_name: str
    list_version: str = Field(description="The list version whose delta raised the alert")
    listed_from: date | None = Field(
        default=None, description="The earliest listing date of the entries found, if known"
    )
    original_decision: Action = Field(description="The decision the payment got when screened")
    original_evaluated_at: UtcDatetime
    original_rule_pack_version: str


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
    retro: RetroOrigin | None = Field(
        default=None, description="Set on alerts raised by re-screening stored payments"
    )
