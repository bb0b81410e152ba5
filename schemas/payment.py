"""The canonical payment (contract version 1): what payments.raw accepts and every parser makes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.common import Money, UtcDatetime

CONTRACT_VERSION = 1


class MessageType(StrEnum):
    """The wire format a payment arrived in."""

    JSON = "json"
    PACS008 = "pacs.008"
    PACS009 = "pacs.009"
    MT103 = "mt103"
    MT202 = "mt202"
    MT202COV = "mt202cov"


class _Open(BaseModel):
    """Unknown fields are kept (in model_extra) and round-trip, never break parsing."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)

    @property
    def extra(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def _country_from_code(code: str | None, start: int) -> str | None:
    if code and len(code) >= start + 2 and code[start : start + 2].isalpha():
        return code[start : start + 2].upper()
    return None


class Party(_Open):
    """A debtor, creditor or ultimate party. Needs a name."""

    name: str = Field(min_length=1)
    account: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    address: list[str] = Field(default_factory=list)
    bic: str | None = None

    @model_validator(mode="after")
    def _derive_country(self) -> Party:
        # An IBAN's first two letters are its country: use them when the sender gave none.
        if self.country is None and self.account:
            iban_country = _country_from_code(self.account.replace(" ", ""), 0)
            if iban_country and self.account[2:4].isdigit():
                object.__setattr__(self, "country", iban_country)
        return self


class Agent(_Open):
    """A bank in the payment chain. Needs a BIC or a name."""

    bic: str | None = Field(default=None, pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")
    name: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    clearing_id: str | None = None

    @field_validator("bic", mode="before")
    @classmethod
    def _upper_bic(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _needs_bic_or_name(self) -> Agent:
        if not self.bic and not self.name:
            raise ValueError("an agent needs a BIC or a name")
        if self.country is None and self.bic:
            object.__setattr__(self, "country", _country_from_code(self.bic, 4))
        return self


_INTERMEDIARY = tuple(f"intermediary_agents[{i}]" for i in range(8))


class Payment(_Open):
    """One payment instruction in canonical form, whatever format it arrived in."""

    payment_id: str = Field(min_length=1, max_length=140)
    uetr: str | None = None
    created_at: UtcDatetime
    value_date: date
    amount: Money = Field(gt=Decimal(0))
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    debtor: Party
    debtor_agent: Agent
    creditor: Party
    creditor_agent: Agent
    intermediary_agents: list[Agent] = Field(default_factory=list)
    instructing_agent: Agent | None = None
    instructed_agent: Agent | None = None
    ultimate_debtor: Party | None = None
    ultimate_creditor: Party | None = None
    purpose_code: str | None = None
    remittance_info: str | None = None
    source: str | None = None
    message_type: MessageType = MessageType.JSON
    parse_warnings: list[str] = Field(
        default_factory=list,
        description="Harmless departures from the wire format that the parser read past "
        "(e.g. an MT text block closed '-}}'), one line each; the decision repeats them",
    )

    def agent_chain(self) -> list[tuple[str, Agent]]:
        """Every bank that touches the payment, with the field it sits in (for evidence)."""
        chain: list[tuple[str, Agent]] = [
            ("debtor_agent", self.debtor_agent),
            ("creditor_agent", self.creditor_agent),
        ]
        # Several rules ask for the chain of every payment: the usual field names are not
        # formatted again each time.
        for i, agent in enumerate(self.intermediary_agents):
            field = _INTERMEDIARY[i] if i < len(_INTERMEDIARY) else f"intermediary_agents[{i}]"
            chain.append((field, agent))
        if self.instructing_agent is not None:
            chain.append(("instructing_agent", self.instructing_agent))
        if self.instructed_agent is not None:
            chain.append(("instructed_agent", self.instructed_agent))
        return chain

    def parties(self) -> list[tuple[str, Party]]:
        """Every party (non-bank or institution-as-party), with its field name."""
        found: list[tuple[str, Party]] = [("debtor", self.debtor), ("creditor", self.creditor)]
        if self.ultimate_debtor is not None:
            found.append(("ultimate_debtor", self.ultimate_debtor))
        if self.ultimate_creditor is not None:
            found.append(("ultimate_creditor", self.ultimate_creditor))
        return found
