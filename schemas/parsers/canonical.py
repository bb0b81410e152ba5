"""The typed field sets a parser hands to the canonical Payment model, shared by MT and XML.

Parsers fill plain dicts and validate once at the end (errors.build_payment): one validation
pass is faster than building nested models, and the error then names the canonical field. These
TypedDicts list every key a parser writes, so mypy checks each write and read; a key the model
does not declare lands in the model's extras, in the order it was written (which is why the
assembling functions write keys in a fixed order: the payment's JSON is byte-stable).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TypedDict, TypeVar

from schemas.payment import MessageType


class AgentFields(TypedDict, total=False):
    """A bank (Agent): a BIC or a name, plus what identifies it in the message."""

    bic: str | None
    name: str | None
    country: str | None
    clearing_id: str | None
    account: str | None
    lei: str | None
    other_id: str | None
    address: list[str]
    branch_id: str | None
    role: str | None
    """Where the bank sits in the message (an MT field tag, an XML element path)."""


class PartyFields(TypedDict, total=False):
    """A debtor, creditor or ultimate party (Party); institutions acting as parties too."""

    name: str | None
    account: str | None
    country: str | None
    address: list[str]
    bic: str | None
    clearing_id: str | None
    lei: str | None
    identifier: str | None
    """MT 50F/59F: the party identifier line (e.g. 'CUST/IQ/BANK/123')."""
    identifiers: list[str]
    """ISO 20022: LEI and other organisation or private ids."""
    details: list[str]
    """MT 50F/59F: numbered lines other than name, address and country/town."""
    name_missing: bool | None
    """The message named no one: the party is named by its account or id instead."""
    field: str | None
    """MT: the field tag the party was read from."""


class PaymentFields(TypedDict, total=False):
    """The Payment's own fields plus the extras both message families carry."""

    payment_id: str | None
    uetr: str | None
    created_at: datetime | None
    value_date: date | None
    amount: str | None
    currency: str | None
    debtor: PartyFields | None
    creditor: PartyFields | None
    debtor_agent: AgentFields | None
    creditor_agent: AgentFields | None
    intermediary_agents: list[AgentFields]
    instructing_agent: AgentFields | None
    instructed_agent: AgentFields | None
    ultimate_debtor: PartyFields | None
    ultimate_creditor: PartyFields | None
    purpose_code: str | None
    remittance_info: str | None
    message_type: MessageType
    parse_warnings: list[str]
    end_to_end_id: str | None
    instructed_amount: str | None
    instructed_currency: str | None
    cover: bool


_Fields = TypeVar("_Fields", bound=Mapping[str, object])

_EMPTY: tuple[object, ...] = (None, [], "")
_ABSENT: tuple[object, ...] = (None, [])


def compact(fields: _Fields, *, keep_empty_text: bool = False) -> _Fields:
    """The same fields without empty values, so the model's defaults and derivations apply.

    `keep_empty_text` keeps '' (an MT agent's '//' clearing line with no code is kept as it
    was written, and the model then judges it).
    """
    empty = _ABSENT if keep_empty_text else _EMPTY
    # A TypedDict minus some of its optional keys is still that TypedDict (an ignore rather
    # than typing.cast: this runs a few times per message, and cast is a function call).
    return {k: v for k, v in fields.items() if v not in empty}  # type: ignore[return-value]


def institution_as_party(bank: AgentFields, account: str | None) -> PartyFields:
    """A bank acting as debtor or creditor (MT202, pacs.009), as a party named by its name or,
    when it has none, its BIC. Not compacted: the caller adds its own keys first."""
    bic = bank.get("bic")
    return {
        "name": bank.get("name") or bic,
        "bic": bic,
        "account": account,
        "country": bank.get("country") or bic_country(bic),
        "address": bank.get("address", []),
    }


def bic_country(bic: str | None) -> str | None:
    """The country of a BIC (its letters 5-6), when they are letters."""
    if bic and len(bic) >= 6 and bic[4:6].isalpha():
        return bic[4:6].upper()
    return None
