"""Turn a decision into alert records: one per (payment, rule) whose action is review/block."""

from __future__ import annotations

import hashlib
from datetime import datetime
from itertools import groupby

from schemas.alert import Alert, PaymentSummary
from schemas.common import Action
from schemas.decision import Decision, Finding, strongest
from schemas.masking import account_tokens, mask_account, mask_text
from schemas.payment import Agent, Party, Payment


def alert_id(payment_id: str, rule: str, rule_pack_version: str) -> str:
    """Deterministic: the same payment under the same rules gives the same id (dedupe key)."""
    digest = hashlib.sha256(f"{payment_id}\x1f{rule}\x1f{rule_pack_version}".encode())
    return digest.hexdigest()[:32]


def summarize(payment: Payment) -> PaymentSummary:
    """The payment as an analyst sees it in an alert, accounts masked (a party without a name
    may be named after its account, so names are masked like free text)."""
    return PaymentSummary(
        payment_id=payment.payment_id,
        uetr=payment.uetr,
        amount=payment.amount,
        currency=payment.currency,
        value_date=payment.value_date,
        created_at=payment.created_at,
        debtor_name=mask_text(payment.debtor.name),
        debtor_account=mask_account(payment.debtor.account),
        debtor_agent_bic=payment.debtor_agent.bic,
        creditor_name=mask_text(payment.creditor.name),
        creditor_account=mask_account(payment.creditor.account),
        creditor_agent_bic=payment.creditor_agent.bic,
        message_type=payment.message_type.value,
        ultimate_debtor_name=_party_name(payment.ultimate_debtor),
        ultimate_creditor_name=_party_name(payment.ultimate_creditor),
        intermediary_agents=tuple(_agent_label(a) for a in payment.intermediary_agents),
        instructing_agent=_agent_label(payment.instructing_agent)
        if payment.instructing_agent
        else None,
        instructed_agent=_agent_label(payment.instructed_agent)
        if payment.instructed_agent
        else None,
    )


def _party_name(party: Party | None) -> str | None:
    return mask_text(party.name) if party is not None else None


def _agent_label(agent: Agent) -> str:
    """A bank as a reviewer recognises it: its BIC, else its (masked) name."""
    return agent.bic or mask_text(agent.name or "")


def alerts_for(payment: Payment, decision: Decision, raised_at: datetime) -> list[Alert]:
    """The alerts a decision raises, sorted by rule so output order is stable."""
    actionable = [f for f in decision.findings if f.action is not Action.PASS]
    if not actionable:
        return []
    summary = summarize(payment)
    alerts = []
    for rule, group in groupby(sorted(actionable, key=_rule_key), key=lambda f: f.rule):
        findings = list(group)
        alerts.append(
            Alert(
                # The id comes from the full findings, so masking can never change it.
                alert_id=alert_id(_subject(payment, findings), rule, decision.rule_pack_version),
                rule=rule,
                action=strongest(findings),
                severity=max(findings, key=lambda f: _SEVERITY_RANK[f.severity]).severity,
                findings=[mask_finding(f, _payment_ids(payment, f)) for f in findings],
                payment=summary,
                rule_pack=decision.rule_pack,
                rule_pack_version=decision.rule_pack_version,
                raised_at=raised_at,
            )
        )
    return alerts


def mask_finding(finding: Finding, keep: frozenset[str] = frozenset()) -> Finding:
    """The finding as the alerts topic carries it: account numbers and IBANs in its matched
    value, explanation and evidence masked (the decision keeps them in full). Tokens in `keep`
    (the payment references the finding names) stay readable."""
    masked = {
        "matched": mask_text(finding.matched, keep),
        "explanation": mask_text(finding.explanation, keep),
        "evidence": {k: mask_text(v, keep) for k, v in finding.evidence.items()},
    }
    if all(getattr(finding, k) == v for k, v in masked.items()):
        return finding
    return finding.model_copy(update=masked)


def _payment_ids(payment: Payment, finding: Finding) -> frozenset[str]:
    """The account-like tokens of the payment references a finding names (a numeric payment id
    is a reference an analyst looks up, not an account number)."""
    ids = [payment.payment_id, *finding.evidence.get("payment_ids", "").split()]
    anchor = finding.evidence.get("anchor_payment_id")
    if anchor:
        ids.append(anchor)
    return frozenset(token for pid in ids for token in account_tokens(pid))


def _subject(payment: Payment, findings: list[Finding]) -> str:
    """The payment an alert is about. A windowed pattern is about its earliest payment (the
    episode's anchor), whichever payment completed it, so the id does not depend on arrival
    order between a live worker and a replay."""
    anchors = sorted(
        f.evidence["anchor_payment_id"] for f in findings if f.match_method == "window"
    )
    return anchors[0] if anchors else payment.payment_id


def _rule_key(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule, finding.field, finding.entry_id or "")


_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
