"""UtcDatetime: an aware timestamp whose UTC instant falls outside years 1-9999 is a validation
error (pydantic reports it with the field), not an OverflowError raised through the parser."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.payment import Payment
from tests.factories import payment_doc


@pytest.mark.parametrize("created_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_out_of_range_utc_instant_is_a_validation_error(created_at: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Payment.model_validate(payment_doc(created_at=created_at))
    (error,) = raised.value.errors()
    assert error["loc"] == ("created_at",) and "outside the years 1-9999" in error["msg"]


def test_in_range_offsets_still_normalise_to_utc() -> None:
    payment = Payment.model_validate(payment_doc(created_at="2025-04-01T12:30:00+03:00"))
    assert payment.created_at.isoformat() == "2025-04-01T09:30:00+00:00"
