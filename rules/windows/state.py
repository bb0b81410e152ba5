"""The per-debtor window state: small, serializable, and the same in every runtime."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Money, UtcDatetime
from schemas.payment import Payment


class WindowEntry(BaseModel):
    """What the windowed rules remember of one payment."""

    model_config = ConfigDict(frozen=True)

    payment_id: str
    created_at: UtcDatetime
    amount: Money
    currency: str
    beneficiary: str
    beneficiary_country: str | None = None
    fired: tuple[str, ...] = Field(default=(), description="Windowed rules that fired on it")


class Episode(BaseModel):
    """A pattern that already raised its alert; later payments inside it raise no new one."""

    model_config = ConfigDict(frozen=True)

    rule: str
    anchor: str = Field(description="payment_id of the pattern's earliest payment")
    first_at: UtcDatetime
    last_at: UtcDatetime


class DebtorWindow(BaseModel):
    """One debtor's recent payments (event-time ordered) and the episodes already alerted."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[WindowEntry, ...] = ()
    episodes: tuple[Episode, ...] = ()
    watermark: UtcDatetime | None = Field(default=None, description="Latest created_at seen")

    def entry(self, payment_id: str) -> WindowEntry | None:
        return next((e for e in self.entries if e.payment_id == payment_id), None)


def debtor_key(payment: Payment) -> str:
    """Who 'one debtor' is: the account when known, else the name (normalised by case)."""
    return payment.debtor.account or f"name:{payment.debtor.name.casefold()}"


def entry_for(payment: Payment) -> WindowEntry:
    creditor = payment.ultimate_creditor or payment.creditor
    return WindowEntry(
        payment_id=payment.payment_id,
        created_at=payment.created_at,
        amount=payment.amount,
        currency=payment.currency,
        beneficiary=(creditor.account or creditor.name).casefold(),
        beneficiary_country=creditor.country,
    )


class PaymentFacts(NamedTuple):
    """The three facts that decide whether a windowed rule counts a payment at all.

    Read straight from the payment: most traffic is never windowed, so deciding that must not
    cost a validated WindowEntry (`entry_for`) per payment.
    """

    currency: str
    amount: Decimal
    beneficiary_country: str | None


def facts_of(payment: Payment) -> PaymentFacts:
    """The facts `entry_for(payment)` would hold for the relevance test, without building it."""
    creditor = payment.ultimate_creditor or payment.creditor
    return PaymentFacts(payment.currency, payment.amount, creditor.country)


def usd(entries: tuple[WindowEntry, ...] | list[WindowEntry]) -> Decimal:
    return sum((e.amount for e in entries if e.currency == "USD"), Decimal(0))


def span(first: datetime, last: datetime) -> float:
    return (last - first).total_seconds()
