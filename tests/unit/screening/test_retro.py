"""screening/retro.py: retro alerts are ordinary alerts with their origin, and their own ids."""

from __future__ import annotations

from datetime import UTC, datetime

from lists.files import load_rule_pack
from rules.lists.delta import list_delta
from rules.rescreen import DeltaScreen
from schemas.alert import Alert
from schemas.codec import dumps
from schemas.common import Action
from screening.alerts import alert_id
from screening.retro import retro_alert_id, retro_alerts
from tests.factories import make_payment
from tests.unit.rules.conftest import small_sdn

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
SCREENED_AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


def raise_for(creditor: str) -> list[Alert]:
    delta = list_delta(None, small_sdn())
    screen = DeltaScreen.build(load_rule_pack(), delta, NOW.date())
    payment = make_payment(
        creditor={"name": creditor, "account": "IQ98BBAG001234567890123"}, value_date="2026-11-30"
    )
    return retro_alerts(
        payment,
        screen.findings(payment, NOW),
        list_version=delta.version,
        original_decision=Action.PASS,
        original_evaluated_at=SCREENED_AT,
        original_rule_pack_version="7",
        rule_pack="iraq",
        rule_pack_version="8",
        raised_at=NOW,
    )


def test_one_alert_per_rule_carrying_its_origin() -> None:
    alerts = raise_for("BANK MELLAT")
    assert [a.rule for a in alerts] == ["OFAC-SDN"]
    alert = alerts[0]
    assert alert.action is Action.BLOCK
    assert alert.retro is not None
    assert alert.retro.list_name == "ofac-sdn"
    assert alert.retro.list_version == small_sdn().version
    assert alert.retro.original_decision is Action.PASS
    assert alert.retro.original_evaluated_at == SCREENED_AT
    assert alert.retro.original_rule_pack_version == "7"
    assert alert.retro.listed_from is None  # the legacy SDN CSV carries no designation dates


def test_id_is_stable_and_never_the_live_alert_id() -> None:
    first, again = raise_for("BANK MELLAT")[0], raise_for("BANK MELLAT")[0]
    assert first.alert_id == again.alert_id
    assert first.alert_id == retro_alert_id("E2E-0001", "OFAC-SDN", ["ofac-sdn-25019"])
    assert first.alert_id != alert_id("E2E-0001", "OFAC-SDN", "8")


def test_accounts_are_masked_and_the_record_round_trips() -> None:
    alert = raise_for("BANK MELLAT")[0]
    text = dumps(alert).decode()
    assert "IQ98BBAG001234567890123" not in text
    assert Alert.model_validate_json(text) == alert
