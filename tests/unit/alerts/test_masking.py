"""Issue #9: full account numbers and IBANs only on payments.decisions, never in alerts or
notifications (every channel's rendering), and masking never changes an alert id."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from alerts.notifier.formats import (
    WEBHOOK_FORMATS,
    alertmanager_alerts,
    email_message,
    group_alerts,
)
from alerts.notifier.retry import H_ERROR, Parked
from lists.files import default_context
from rules.engine import screen_payment
from schemas.alert import Alert
from schemas.common import Action, Severity
from schemas.decision import Decision, Finding
from screening.alerts import alert_id, alerts_for
from tests.factories import make_payment

AT = datetime(2025, 4, 1, 10, tzinfo=UTC)
IR_IBAN = "IR062960000000100324200001"  # IR + 24 digits, valid checksum
IR_MASKED = "IR06" + "*" * 18 + "0001"
ACCOUNT_NO = "0012345678901"  # a domestic account number with no IBAN


def renderings(alerts: list[Alert]) -> dict[str, str]:
    """Everything each channel would send for these alerts, as text."""
    out: dict[str, str] = {}
    for group in group_alerts(alerts):
        out[f"alertmanager {group.rule}"] = orjson.dumps(
            alertmanager_alerts(group, "http://grafana.test")
        ).decode()
        for fmt, render in WEBHOOK_FORMATS.items():
            out[f"{fmt} {group.rule}"] = orjson.dumps(render(group)).decode()
        msg = email_message(group, "dw@bank.test", ["ops@bank.test"])
        out[f"email {group.rule}"] = msg.as_string() + msg.get_content()
    return out


def iranian_payment_alerts() -> tuple[Decision, list[Alert], str]:
    # The creditor has no name and no BIC in the bank message, so the parser named it after
    # its account; the debtor's name is an account number too.
    payment = make_payment(
        creditor={"name": IR_IBAN, "account": IR_IBAN},
        debtor={"name": ACCOUNT_NO, "account": ACCOUNT_NO},
    )
    ctx = default_context()
    decision = screen_payment(payment, ctx, AT)
    return decision, alerts_for(payment, decision, AT), ctx.pack.version


def test_iranian_iban_is_full_in_the_decision_and_masked_in_alerts_and_every_channel() -> None:
    decision, alerts, version = iranian_payment_alerts()
    assert IR_IBAN in decision.model_dump_json()
    nexus = next(a for a in alerts if a.rule == "IRAN-NEXUS")
    (finding,) = (f for f in nexus.findings if f.field == "creditor")
    assert finding.matched == IR_MASKED and finding.match_method == "iban"
    assert IR_MASKED in finding.explanation and IR_MASKED in finding.evidence["signals"]
    assert nexus.payment.creditor_name == IR_MASKED
    assert nexus.payment.creditor_account == IR_MASKED
    assert nexus.payment.debtor_name == "*********8901"
    # masking never changes the alert id (the dedupe key and the replay comparison's join key)
    assert nexus.alert_id == alert_id(decision.payment_id, "IRAN-NEXUS", version)

    for alert in alerts:
        doc = alert.model_dump_json()
        assert IR_IBAN not in doc and ACCOUNT_NO not in doc, alert.rule
    rendered = renderings(alerts)
    assert {name.split()[0] for name in rendered} == {"alertmanager", "email", *WEBHOOK_FORMATS}
    for name, text in rendered.items():
        assert IR_IBAN not in text, name
        assert ACCOUNT_NO not in text, name
        assert IR_IBAN[:24] not in text, name  # not even most of it
    assert any(IR_MASKED in text for text in rendered.values())


def test_renderers_mask_an_alert_that_arrives_unmasked() -> None:
    """Belt and braces: an alert from a worker that did not mask (or parked before masking
    existed) is masked at render time, in every channel."""
    decision, alerts, _ = iranian_payment_alerts()
    full = [f for f in decision.findings if f.rule == "IRAN-NEXUS"]
    unmasked = [
        a.model_copy(
            update={
                "findings": full,
                "payment": a.payment.model_copy(
                    update={
                        "creditor_name": IR_IBAN,
                        "creditor_account": IR_IBAN,
                        "debtor_name": ACCOUNT_NO,
                        "debtor_account": ACCOUNT_NO,
                    }
                ),
            }
        )
        for a in alerts
        if a.rule == "IRAN-NEXUS"
    ]
    assert IR_IBAN in unmasked[0].model_dump_json()
    for name, text in renderings(unmasked).items():
        assert IR_IBAN not in text and ACCOUNT_NO not in text, name


def test_a_parked_alerts_error_header_is_masked() -> None:
    parked = Parked(("webhook",), 1, 0.0, f"http://hook answered 400: bad account {IR_IBAN}")
    (error,) = (v for k, v in parked.headers() if k == H_ERROR)
    assert IR_IBAN.encode() not in error and IR_MASKED.encode() in error


def test_numeric_payment_references_in_a_windowed_finding_stay_readable() -> None:
    """A window finding names its payments; numeric references are ids to look up, not
    accounts, and the anchor decides the alert id: both survive masking unchanged."""
    payment = make_payment(payment_id="20250401000017")
    ids = "20250401000011 20250401000014 20250401000017"
    finding = Finding(
        rule="USD-STRUCTURING",
        action=Action.REVIEW,
        severity=Severity.HIGH,
        field="debtor",
        matched="0123456789",
        entry_id="episode:20250401000011",
        score=1.0,
        match_method="window",
        explanation=f"debtor 0123456789: 3 payments below 10000 USD; payments: {ids}",
        evidence={"anchor_payment_id": "20250401000011", "payment_ids": ids},
    )
    decision = Decision(
        payment_id=payment.payment_id,
        decision=Action.REVIEW,
        findings=[finding],
        rule_pack="default",
        rule_pack_version="2025.1",
        evaluated_at=AT,
        value_date=date(2025, 4, 1),
    )
    (alert,) = alerts_for(payment, decision, AT)
    (masked,) = alert.findings
    assert alert.alert_id == alert_id("20250401000011", "USD-STRUCTURING", "2025.1")
    assert masked.matched == "******6789"
    assert masked.explanation == f"debtor ******6789: 3 payments below 10000 USD; payments: {ids}"
    assert masked.evidence == finding.evidence
    assert masked.entry_id == finding.entry_id
