"""Parser for the project's own built-in lists (rules/data/*.yaml, one list per file).

A built-in list file is facts with a source per entry: `list`, `title`, `updated` (the list's
published date, part of its version), `defaults` (fields every entry shares) and `entries`. Names
in original script are also added to `names`, because the name index only reads `names` and
Arabic/Persian spellings must match Arabic/Persian payment text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from rules.lists.base import ReferenceList
from schemas.listentry import ListEntry

FINCEN_311_LIST = "fincen-311"
IRAN_BANKS_LIST = "iran-banks"
MILITIA_LIST = "militia-fronts"
JURISDICTIONS_LIST = "sanctioned-jurisdictions"

BUILTIN_FILES: dict[str, str] = {
    FINCEN_311_LIST: "fincen_311.yaml",
    IRAN_BANKS_LIST: "iran_banks.yaml",
    MILITIA_LIST: "militia_fronts.yaml",
    JURISDICTIONS_LIST: "jurisdictions.yaml",
}

_LIST_FIELDS = ("bics", "countries", "programs", "currency_scope")
_PROVENANCE = ("sdn_ent_num", "bic_source", "iban_source", "remarks")


def parse_builtin_list(name: str, text: str) -> ReferenceList:
    """One built-in list from its file's text (lists/files.py reads the packaged file)."""
    doc: dict[str, Any] = yaml.safe_load(text)
    if doc["list"] != name:
        raise ValueError(
            f"{BUILTIN_FILES.get(name, name)} holds list {doc['list']!r}, not {name!r}"
        )
    defaults: dict[str, Any] = doc.get("defaults", {})
    entries = [_entry({**defaults, **raw}, name) for raw in doc["entries"]]
    return ReferenceList.build(
        name,
        entries,
        title=doc.get("title", ""),
        published=_as_date(doc.get("updated")),
        source=f"built-in: rules/data/{BUILTIN_FILES.get(name, name)}",
    )


def _entry(raw: dict[str, Any], list_name: str) -> ListEntry:
    original = [str(n) for n in raw.get("names_original_script", [])]
    names = list(dict.fromkeys([*(str(n) for n in raw["names"]), *original]))
    branches: list[dict[str, Any]] = list(raw.get("branches", []))
    bics = list(
        dict.fromkeys(str(b).upper() for b in [*raw.get("bics", []), *(x["bic"] for x in branches)])
    )
    return ListEntry(
        entry_id=str(raw["id"]),
        list_name=list_name,
        kind=str(raw.get("kind", "entity")),
        names=names,
        names_original_script=original,
        bics=bics,
        iban_bank_codes=list(
            dict.fromkeys(
                [
                    *(str(c) for c in raw.get("iban_bank_codes", [])),
                    *(b[:4] for b in bics if b[4:6] == "IQ"),
                ]
            )
        ),
        countries=[str(c) for c in raw.get("countries", [])],
        programs=[str(p) for p in raw.get("programs", [])],
        currency_scope=[str(c) for c in raw.get("currency_scope", [])],
        listed_from=_as_date(raw.get("listed_from")),
        listed_until=_as_date(raw.get("listed_until")),
        date_confidence=_words(raw.get("date_confidence")),
        legal_source=_words(raw["legal_source"]) or "",
        source_urls=[str(u) for u in raw.get("sources", [])],
        remarks=_provenance(raw),
    )


def _provenance(raw: dict[str, Any]) -> str | None:
    parts = []
    if raw.get("sdn_ent_num"):
        parts.append(f"OFAC SDN ent_num {raw['sdn_ent_num']}")
    if raw.get("bic_source"):
        parts.append(f"BIC source: {raw['bic_source']}")
    if raw.get("iban_source"):
        parts.append(f"IBAN bank code source: {raw['iban_source']}")
    for branch in raw.get("branches", []):
        parts.append(
            f"branch BIC {branch['bic']} ({branch.get('name', '')}, {branch.get('city', '')}): "
            f"{branch['source']}"
        )
    if raw.get("remarks"):
        parts.append(_words(raw["remarks"]) or "")
    return "; ".join(parts) or None


def _words(value: object) -> str | None:
    return " ".join(str(value).split()) if value is not None else None


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
