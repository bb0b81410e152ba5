from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas.codec import dumps, loads
from schemas.payment import Agent, Payment
from tests.factories import make_payment, payment_doc


def test_amount_is_decimal_even_from_a_float() -> None:
    payment = make_payment(amount=9500.1)
    assert payment.amount == Decimal("9500.1")
    assert isinstance(payment.amount, Decimal)


def test_amount_serialises_as_a_decimal_string() -> None:
    assert b'"amount":"9500.00"' in dumps(make_payment())


def test_created_at_is_normalised_to_utc() -> None:
    payment = make_payment(created_at="2025-04-01T12:30:00+03:00")
    assert payment.created_at == datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
    assert payment.created_at.utcoffset().total_seconds() == 0


def test_naive_timestamp_is_rejected() -> None:
    with pytest.raises(ValidationError, match="created_at"):
        make_payment(created_at="2025-04-01T09:30:00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_bad_amounts_are_rejected(amount: str) -> None:
    with pytest.raises(ValidationError, match="amount"):
        make_payment(amount=amount)


@pytest.mark.parametrize(
    "field", ["payment_id", "debtor", "creditor_agent", "value_date", "currency"]
)
def test_required_fields(field: str) -> None:
    doc = payment_doc()
    doc.pop(field)
    with pytest.raises(ValidationError, match=field):
        Payment.model_validate(doc)


def test_unknown_fields_are_kept_and_round_trip() -> None:
    payment = make_payment(channel="branch-17", debtor={"name": "X", "kyc_tier": 2})
    assert payment.extra == {"channel": "branch-17"}
    again = loads(Payment, dumps(payment))
    assert again.extra == {"channel": "branch-17"}
    assert again.debtor.extra == {"kyc_tier": 2}
    assert again == payment


def test_agent_needs_a_bic_or_a_name() -> None:
    with pytest.raises(ValidationError, match="BIC or a name"):
        Agent.model_validate({"country": "IQ"})


def test_countries_derive_from_bic_and_iban() -> None:
    payment = make_payment()
    assert payment.debtor_agent.country == "IQ"
    assert payment.creditor_agent.country == "AE"
    assert payment.debtor.country == "IQ"
    assert payment.creditor.country == "AE"


def test_bic_is_upper_cased_and_validated() -> None:
    assert Agent.model_validate({"bic": "aibiiqba"}).bic == "AIBIIQBA"
    with pytest.raises(ValidationError):
        Agent.model_validate({"bic": "NOT A BIC"})


def test_agent_chain_names_every_position() -> None:
    payment = make_payment(
        instructing_agent={"bic": "RAFBIQBA"}, instructed_agent={"bic": "CITIUS33"}
    )
    fields = [field for field, _ in payment.agent_chain()]
    assert fields == [
        "debtor_agent",
        "creditor_agent",
        "intermediary_agents[0]",
        "instructing_agent",
        "instructed_agent",
    ]
