"""Small builders for test payments: a clean USD payment that tests then bend."""

from __future__ import annotations

from typing import Any

from schemas.payment import Payment


def payment_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "payment_id": "E2E-0001",
        "created_at": "2025-04-01T09:30:00Z",
        "value_date": "2025-04-01",
        "amount": "9500.00",
        "currency": "USD",
        "debtor": {"name": "Babel Food Industries", "account": "IQ98BBAG001234567890123"},
        "debtor_agent": {"bic": "BABIIQBA", "name": "Bank of Baghdad"},
        "creditor": {"name": "Gulf Horizon Trading LLC", "account": "AE070331234567890123456"},
        "creditor_agent": {"bic": "EBILAEAD", "name": "Emirates NBD Bank"},
        "intermediary_agents": [{"bic": "CHASUS33", "name": "JPMorgan Chase Bank"}],
    }
    doc.update(changes)
    return doc


def make_payment(**changes: Any) -> Payment:
    return Payment.model_validate(payment_doc(**changes))
