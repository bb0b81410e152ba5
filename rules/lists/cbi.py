"""Parser for the built-in CBI USD-ban list (rules/data/cbi_usd_ban.yaml)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from rules.lists.base import ReferenceList
from schemas.listentry import ListEntry

CBI_LIST = "cbi-usd-ban"


CBI_FILE = "cbi_usd_ban.yaml"
"""The packaged file (rules/data) that holds the list; lists/files.py reads it."""


def parse_cbi_usd_ban(text: str) -> ReferenceList:
    """Parse the CBI ban file's text into a ReferenceList."""
    doc: dict[str, Any] = yaml.safe_load(text)
    scope = list(doc.get("currency_scope", ["USD"]))
    entries = [
        _entry(raw, batch, doc["list"], scope)
        for batch in doc["batches"]
        for raw in batch["entries"]
    ]
    return ReferenceList.build(
        doc["list"],
        entries,
        title=doc.get("title", ""),
        published=_as_date(doc.get("updated")),
        source="built-in: rules/data/cbi_usd_ban.yaml",
    )


def _entry(
    raw: dict[str, Any], batch: dict[str, Any], list_name: str, scope: list[str]
) -> ListEntry:
    remarks = [f"batch {batch['batch']}"]
    if raw.get("bic_source"):
        remarks.append(f"BIC source: {raw['bic_source']}")
    if raw.get("remarks"):
        remarks.append(str(raw["remarks"]))
    return ListEntry(
        entry_id=raw["id"],
        list_name=list_name,
        kind=raw.get("kind", "bank"),
        names=list(raw["names"]),
        bics=list(raw.get("bics", [])),
        iban_bank_codes=[bic[:4] for bic in raw.get("bics", [])],
        countries=["IQ"],
        currency_scope=scope,
        listed_from=_as_date(batch["listed_from"]),
        date_confidence=str(batch.get("date_confidence", "")).strip() or None,
        legal_source=" ".join(str(batch["legal_source"]).split()),
        source_urls=list(batch.get("sources", [])),
        remarks="; ".join(remarks),
    )


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
