"""Channel payloads are pure functions of a group of alerts: grouping, counts, masking, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.notifier.formats import (
    ALERTNAME,
    WEBHOOK_FORMATS,
    alertmanager_alerts,
    email_message,
    group_alerts,
)
from alerts.record import alerts_for
from rules.defaults import default_context
from rules.engine import screen_payment
from schemas.alert import Alert
from tests.factories import make_payment

AT = datetime(2025, 4, 1, 10, tzinfo=UTC)


def banned_alerts(count: int) -> list[Alert]:
    ctx = default_context()
    out = []
    for i in range(count):
        payment = make_payment(payment_id=f"P-{i}", debtor_agent={"bic": "AIBIIQBA"})
        out.extend(alerts_for(payment, screen_payment(payment, ctx, AT), AT))
    return out


def test_a_burst_of_one_rule_is_one_group_with_a_count() -> None:
    alerts = banned_alerts(5)
    (group,) = group_alerts(alerts)
    assert group.count == 5 and group.rule == "CBI-USD-BAN"
    assert group.title == "5 CBI-USD-BAN alerts (block, critical)"
    assert group.alert_ids == [a.alert_id for a in alerts]


def test_alertmanager_alerts_carry_routing_labels_and_evidence() -> None:
    (group,) = group_alerts(banned_alerts(2))
    docs = alertmanager_alerts(group, "http://grafana/d/ops")
    assert len(docs) == 2
    labels = docs[0]["labels"]
    assert labels["alertname"] == ALERTNAME
    assert labels | {"alert_id": ""} == {
        "alertname": ALERTNAME,
        "rule": "CBI-USD-BAN",
        "severity": "critical",
        "action": "block",
        "bank": "AIBIIQBA",
        "currency": "USD",
        "alert_id": "",
    }
    assert docs[0]["labels"]["alert_id"] != docs[1]["labels"]["alert_id"]
    assert docs[0]["annotations"]["payment_id"] == "P-0"
    assert "cbi" in docs[0]["annotations"]["evidence"]
    assert docs[0]["generatorURL"] == "http://grafana/d/ops"


@pytest.mark.parametrize("fmt", sorted(WEBHOOK_FORMATS))
def test_every_webhook_format_names_every_alert_id_and_masks_accounts(fmt: str) -> None:
    alerts = banned_alerts(30)
    (group,) = group_alerts(alerts)
    text = str(WEBHOOK_FORMATS[fmt](group, 5))
    assert all(a.alert_id in text for a in alerts)
    assert "IQ98***" in text or fmt != "generic"
    for alert in alerts:
        assert alert.payment.debtor_account is None or "*" in alert.payment.debtor_account


def test_generic_payload_itemises_at_most_max_listed() -> None:
    (group,) = group_alerts(banned_alerts(30))
    body = WEBHOOK_FORMATS["generic"](group, 5)
    assert body["count"] == 30 and len(body["alerts"]) == 5 and body["truncated"] == 25
    assert len(body["alert_ids"]) == 30


def test_slack_stays_within_block_kit_limits() -> None:
    (group,) = group_alerts(banned_alerts(60))
    body = WEBHOOK_FORMATS["slack"](group, 100)
    assert len(body["blocks"]) <= 50 and body["text"].startswith("dinarwatch: 60")


def test_email_lists_ids_in_a_header_and_the_body() -> None:
    alerts = banned_alerts(3)
    (group,) = group_alerts(alerts)
    msg = email_message(group, "dw@bank.test", ["ops@bank.test", "cco@bank.test"])
    assert msg["Subject"] == "[dinarwatch] 3 CBI-USD-BAN alerts (block, critical)"
    assert msg["To"] == "ops@bank.test, cco@bank.test"
    assert str(msg["X-Dinarwatch-Alert-Ids"]).split() == group.alert_ids
    body = msg.get_content()
    assert all(a.payment.payment_id in body for a in alerts)
