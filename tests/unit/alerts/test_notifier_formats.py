"""Channel payloads are pure functions of a group of alerts: grouping, counts, masking, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.notifier.formats import (
    ALERTNAME,
    SLACK_MAX_ALERTS,
    WEBHOOK_FORMATS,
    Links,
    alertmanager_alerts,
    bank_of,
    email_message,
    group_alerts,
    split_group,
)
from lists.files import default_context
from rules.engine import screen_payment
from schemas.alert import Alert
from screening.alerts import alerts_for
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
        "payment_id": "P-0",
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
    text = str(WEBHOOK_FORMATS[fmt](group))
    assert all(a.alert_id in text for a in alerts)
    assert "IQ98***" in text
    for alert in alerts:
        assert alert.payment.debtor_account is None or "*" in alert.payment.debtor_account


def test_a_group_larger_than_a_message_is_split_into_parts_that_itemise_every_alert() -> None:
    alerts = banned_alerts(45)
    (group,) = group_alerts(alerts)
    parts = split_group(group, 20)
    assert [p.count for p in parts] == [20, 20, 5]
    assert [(p.part, p.parts) for p in parts] == [(1, 3), (2, 3), (3, 3)]
    assert parts[1].title == "20 CBI-USD-BAN alerts (block, critical, part 2 of 3)"
    bodies = [WEBHOOK_FORMATS["generic"](p) for p in parts]
    itemised = [a["alert_id"] for b in bodies for a in b["alerts"]]
    assert itemised == [a.alert_id for a in alerts]
    assert [i for b in bodies for i in b["alert_ids"]] == itemised
    assert split_group(group, None) == [group] and split_group(group, 45) == [group]


def test_slack_stays_within_block_kit_limits() -> None:
    (group,) = group_alerts(banned_alerts(60))
    parts = split_group(group, SLACK_MAX_ALERTS)
    for part in parts:
        body = WEBHOOK_FORMATS["slack"](part)
        assert len(body["blocks"]) <= 50 and len(body["blocks"]) == part.count + 2
        assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")
    assert sum(p.count for p in parts) == 60


def test_email_lists_ids_in_a_header_and_the_body() -> None:
    alerts = banned_alerts(3)
    (group,) = group_alerts(alerts)
    msg = email_message(group, "dw@bank.test", ["ops@bank.test", "cco@bank.test"])
    assert msg["Subject"] == "[dinarwatch] 3 CBI-USD-BAN alerts (block, critical)"
    assert msg["To"] == "ops@bank.test, cco@bank.test"
    assert str(msg["X-Dinarwatch-Alert-Ids"]).split() == group.alert_ids
    body = msg.get_content()
    assert all(a.payment.payment_id in body for a in alerts)


def _rendered(alerts: list[Alert], links: Links) -> dict[str, list[str]]:
    """Per channel, the text each alert's notification shows (the message that carries it)."""
    (group,) = group_alerts(alerts)
    out: dict[str, list[str]] = {}
    for fmt, render in WEBHOOK_FORMATS.items():
        out[fmt] = [str(render(part, links)) for part in split_group(group, 1)]
    out["alertmanager"] = [str(doc) for doc in alertmanager_alerts(group, None, links)]
    out["email"] = [
        email_message(part, "dw@bank.test", ["ops@bank.test"], links).get_content()
        for part in split_group(group, 1)
    ]
    return out


@pytest.mark.parametrize("desk", [None, "https://desk.bank.test/cases/{alert_id}"])
def test_every_channel_shows_what_a_person_needs_for_each_alert(desk: str | None) -> None:
    alerts = banned_alerts(3)
    links = Links(desk, "dw.payments.raw")
    for channel, texts in _rendered(alerts, links).items():
        assert len(texts) == len(alerts), channel
        for alert, text in zip(alerts, texts, strict=True):
            p = alert.payment
            assert alert.rule in text and "critical" in text, channel
            assert p.payment_id in text and str(p.amount) in text, channel
            assert "IQ98" in text and "0123" in text and "IQ98***" in text, channel
            assert "AE07***" in text, channel
            assert "cbi-usd-ban:cbi-2024-02-04-ashur" in text, channel
            assert "Ashur International Bank for Investment" in text, channel
            if desk:
                assert f"https://desk.bank.test/cases/{alert.alert_id}" in text, channel
            else:
                assert (
                    "dinarwatch replay --topic dw.payments.raw --from 2025-04-01T09:20:00" in text
                )
                assert "--to 2025-04-01T10:01:00" in text, channel


def test_desk_url_without_placeholder_gets_the_alert_id_appended() -> None:
    (alert,) = banned_alerts(1)
    assert (
        Links("https://desk.test/case/").link(alert) == f"https://desk.test/case/{alert.alert_id}"
    )
    assert Links("https://d.test/?p={payment_id}").link(alert) == "https://d.test/?p=P-0"


def test_bank_is_the_listed_bank_when_the_agent_has_no_bic() -> None:
    ctx = default_context()
    payment = make_payment(payment_id="P-H", debtor_agent={"bic": None, "name": "Al-Huda Bank"})
    alerts = alerts_for(payment, screen_payment(payment, ctx, AT), AT)
    cbi = next(a for a in alerts if a.rule == "CBI-USD-BAN")
    assert cbi.payment.debtor_agent_bic is None
    assert bank_of(cbi) == "Al-Huda Bank"
    (doc,) = alertmanager_alerts(group_alerts([cbi])[0], None)
    assert doc["labels"]["bank"] == "Al-Huda Bank"
