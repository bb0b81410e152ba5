"""A reference list is a named, versioned, immutable collection of dated entries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from schemas.listentry import ListEntry


def content_version(entries: Iterable[ListEntry]) -> str:
    """A short content hash: two lists with the same entries have the same version."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.entry_id):
        digest.update(orjson.dumps(entry.content_dump(), option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class ReferenceList:
    """One list (e.g. cbi-usd-ban) at one version."""

    name: str
    version: str
    entries: tuple[ListEntry, ...]
    title: str = ""
    published: date | None = None
    source: str = ""
    manifest: Mapping[str, Any] | None = field(default=None, compare=False)
    """Where this version came from (lists/files.py ListSource as JSON: source, path or
    URL, fetched-at, SHA-256, entries); opaque here, carried to /health, metrics and reports."""

    @classmethod
    def build(
        cls,
        name: str,
        entries: Iterable[ListEntry],
        *,
        title: str = "",
        published: date | None = None,
        source: str = "",
    ) -> ReferenceList:
        """Make a list whose version is `<published>+<content hash>` (hash alone if undated)."""
        frozen = tuple(entries)
        digest = content_version(frozen)
        version = f"{published.isoformat()}+{digest}" if published else digest
        return cls(name, version, frozen, title=title, published=published, source=source)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ListEntry]:
        return iter(self.entries)


@dataclass(frozen=True)
class ListSet:
    """The lists a screening run uses, by name. Immutable: a reload builds a new ListSet."""

    lists: Mapping[str, ReferenceList] = field(default_factory=dict)

    def get(self, name: str) -> ReferenceList | None:
        return self.lists.get(name)

    def versions(self) -> dict[str, str]:
        return {name: lst.version for name, lst in sorted(self.lists.items())}

    def with_list(self, reference_list: ReferenceList) -> ListSet:
        return ListSet({**self.lists, reference_list.name: reference_list})
