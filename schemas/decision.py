"""Findings and decisions: what the screening core says about one payment, and why."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Action, Severity, UtcDatetime


class Finding(BaseModel):
    """One rule's verdict on one payment, with all the evidence a compliance officer needs."""

    # "list" is the contract's field name; in Python it would shadow the builtin, hence the alias.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    rule: str
    action: Action
    severity: Severity
    field: str = Field(description="Where in the payment the match was found, e.g. debtor_agent")
    matched: str = Field(description="The value in the payment that matched")
    entry_id: str | None = Field(default=None, description="The list entry that was matched")
    entry_name: str | None = None
    list_name: str | None = Field(default=None, alias="list", description="The list's name")
    list_version: str | None = None
    legal_source: str | None = None
    listed_from: date | None = None
    score: float = Field(ge=0.0, le=1.0, description="Match strength, 1.0 for exact identifiers")
    match_method: str | None = Field(default=None, description="bic, name, iban, country, ...")
    retro: bool = Field(default=False, description="Listed after the payment's value date")
    explanation: str
    evidence: dict[str, str] = Field(default_factory=dict)


class SuppressedFinding(Finding):
    """A finding covered by an approved good-guy exception (rules/suppression.py): kept for the
    record, raises no alert and does not count towards the decision."""

    exception_id: str = Field(description="The desk exception that covers this finding")


class Decision(BaseModel):
    """One per payment on payments.decisions; what `dinarwatch screen` prints per line."""

    model_config = ConfigDict(frozen=True)

    payment_id: str
    decision: Action
    findings: list[Finding] = Field(default_factory=list)
    rule_pack: str
    rule_pack_version: str
    list_versions: dict[str, str] = Field(default_factory=dict)
    evaluated_at: UtcDatetime
    value_date: date | None = None
    currency: str | None = None
    message_type: str | None = None
    parse_warnings: list[str] = Field(
        default_factory=list,
        description="The payment's parse warnings: quirks of the message that were read past, "
        "so the payment was screened; a reviewer may want the sender to fix them",
    )
    suppressed_findings: list[SuppressedFinding] | None = Field(
        default=None,
        description="Findings covered by an approved exception: no alert, no effect on the "
        "decision (absent when there are none)",
    )


def strongest(findings: list[Finding]) -> Action:
    """The decision is the strongest action among the findings (block > review > pass)."""
    return max((f.action for f in findings), key=lambda a: a.rank, default=Action.PASS)
