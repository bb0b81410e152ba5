"""Real alert records for desk tests, made by the product's own alerts_for()."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.alert import Alert
from schemas.common import Action, Severity
from schemas.decision import Decision, Finding
from screening.alerts import alerts_for
from tests.factories import make_payment

RAISED = datetime(2025, 4, 1, 9, 30, 5, tzinfo=UTC)


def finding(
    rule: str = "OFAC-SDN",
    entry_id: str | None = "sdn-12345",
    match_method: str = "name",
    severity: Severity = Severity.HIGH,
    action: Action = Action.REVIEW,
) -> Finding:
    return Finding(
        rule=rule,
        action=action,
        severity=severity,
        field="creditor",
        matched="Gulf Horizon Trading LLC",
        entry_id=entry_id,
        list_name="ofac-sdn",
        list_version="2025-03-31",
        legal_source="OFAC SDN",
        score=0.91,
        match_method=match_method,
        explanation="creditor name resembles a listed entity",
    )


def decision_for(payment_id: str, *findings: Finding) -> Decision:
    return Decision(
        payment_id=payment_id,
        decision=max((f.action for f in findings), key=lambda a: a.rank, default=Action.PASS),
        findings=list(findings),
        rule_pack="iraq",
        rule_pack_version="test-1",
        evaluated_at=RAISED,
    )


def make_alerts(payment_id: str = "E2E-0001", *findings: Finding) -> list[Alert]:
    found = findings or (finding(),)
    payment = make_payment(payment_id=payment_id)
    return alerts_for(payment, decision_for(payment_id, *found), RAISED)
