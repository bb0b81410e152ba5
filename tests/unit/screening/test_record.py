from datetime import UTC, datetime

from lists.files import default_context
from rules.engine import screen_payment
from schemas.masking import mask_account
from screening.alerts import alert_id, alerts_for
from tests.factories import make_payment

AT = datetime(2025, 4, 1, 10, tzinfo=UTC)


def test_iban_is_masked_but_recognisable() -> None:
    assert mask_account("IQ20RAFB00100000000001") == "IQ20**************0001"
    assert mask_account("123456789012") == "********9012"
    assert mask_account("12345") == "***45"
    assert mask_account(None) is None


def test_alert_id_is_deterministic_and_distinguishes_inputs() -> None:
    assert alert_id("P1", "CBI-USD-BAN", "v1") == alert_id("P1", "CBI-USD-BAN", "v1")
    ids = {
        alert_id("P1", "CBI-USD-BAN", "v1"),
        alert_id("P2", "CBI-USD-BAN", "v1"),
        alert_id("P1", "OFAC-SDN", "v1"),
        alert_id("P1", "CBI-USD-BAN", "v2"),
    }
    assert len(ids) == 4


def test_one_alert_per_rule_with_all_its_findings_and_masked_accounts() -> None:
    ctx = default_context()
    payment = make_payment(
        debtor_agent={"bic": "AIBIIQBA"}, creditor_agent={"name": "Southern Islamic Bank"}
    )
    decision = screen_payment(payment, ctx, AT)
    (alert,) = alerts_for(payment, decision, AT)
    assert alert.rule == "CBI-USD-BAN"
    assert len(alert.findings) == 2
    assert alert.alert_id == alert_id(payment.payment_id, "CBI-USD-BAN", ctx.pack.version)
    assert alert.payment.debtor_account == "IQ98***************0123"
    assert payment.debtor.account and payment.debtor.account not in alert.model_dump_json()


def test_a_clean_payment_raises_no_alert() -> None:
    ctx = default_context()
    payment = make_payment()
    assert alerts_for(payment, screen_payment(payment, ctx, AT), AT) == []
