"""A reference-list entry: a listed bank, person, company or vessel, with dates and a source."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
"""One `__pydantic_fields_set__` per combination of fields given, shared by the entries that
gave it (ListEntry.model_post_init). Each loader gives the same few fields to every entry (four
combinations over the full SDN, the UN list and the built-in lists), so this stays small."""


class ListEntry(BaseModel):
    """One listed subject. Lists are data with dates: an entry applies from listed_from on."""

    # "list" is the contract's field name; in Python it would shadow the builtin, hence the alias.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    entry_id: str
    list_name: str = Field(alias="list", description="The list's name, e.g. cbi-usd-ban")
    kind: str = Field(default="entity", description="bank, entity, individual, vessel, ...")
    names: list[str] = Field(min_length=1, description="Primary name first, then aliases")
    names_original_script: list[str] = Field(default_factory=list)
    bics: list[str] = Field(default_factory=list)
    iban_bank_codes: list[str] = Field(default_factory=list)
    imo_numbers: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    currency_scope: list[str] = Field(
        default_factory=list, description="Currencies the restriction covers; empty means all"
    )
    listed_from: date | None = Field(
        default=None, description="None: in force since before records"
    )
    listed_until: date | None = None
    date_confidence: str | None = None
    legal_source: str
    source_urls: list[str] = Field(default_factory=list)
    remarks: str | None = None
    weak_names: list[str] = Field(
        default_factory=list,
        description="Aliases the source marks weak (low quality): matched by whole-name "
        "equality only, never fuzzily",
    )
    registration_numbers: list[str] = Field(
        default_factory=list, description="Company registration, tax and other identifiers"
    )
    # In memory only (exclude=True): not in the JSON contract nor on the watchlists topic, where
    # a full list's raw records would multiply its size; the fetched file, stored versioned
    # with its SHA-256, is the durable raw record.
    raw: dict[str, Any] | None = Field(
        default=None, exclude=True, description="The source record as published, for audit"
    )

    def content_dump(self) -> dict[str, Any]:
        """The fields that make a list's version. `raw` is left out (a re-published record whose
        screening facts did not change is no new version), and so are weak_names and
        registration_numbers while empty, so lists that never use them keep their versions."""
        dump = self.model_dump(mode="json", exclude={"raw"})
        for optional in ("weak_names", "registration_numbers"):
            if not dump[optional]:
                del dump[optional]
        return dump

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of the fields this entry was given with every entry given the same.

        Pydantic keeps that set per instance (about 730 bytes: 11 MiB over the full SDN and
        UN), although a loader gives every entry the same fields. Sharing it is safe because
        the entry is frozen: pydantic changes the set only on assignment, which a frozen model
        refuses, and `model_copy` gives the copy a set of its own."""
        given = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)

    @property
    def primary_name(self) -> str:
        return self.names[0]

    def in_force_on(self, day: date) -> bool:
        """Whether the restriction applied on `day` (listed_until is exclusive)."""
        started = self.listed_from is None or self.listed_from <= day
        ended = self.listed_until is not None and self.listed_until <= day
        return started and not ended

    def covers_currency(self, currency: str) -> bool:
        return not self.currency_scope or currency in self.currency_scope
