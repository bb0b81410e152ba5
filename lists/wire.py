"""The record format of the compacted `watchlists` topic: how a list or a rule pack travels
from `lists publish` / `lists fetch` to every worker and to the desk.

It lives below the adapters because three of them speak it: the CLI and `lists fetch` write it
(lists/publish.py), the worker reads it (streams/watchlists.py), the desk looks entries up in it
(desk/list_lookup.py). No Kafka here: bytes in, lists out.

Wire format (one record per list or rule pack, latest per key kept by compaction):
  key   `<list name>` (e.g. `cbi-usd-ban`) or `rule-pack:<pack name>`
  value JSON `{"format": "dinarwatch.watchlist/1", "kind": "list" | "rule-pack", ...}`, gzip-
        compressed when larger than COMPRESS_ABOVE bytes (told apart by gzip's magic bytes, so
        small records stay readable with any console consumer). A list carries name, version,
        title, published, source and every entry (ListEntry's JSON), and optionally its
        `manifest` (lists/files.py ListSource: source, URL, fetched-at, SHA-256,
        entries, as `lists fetch` stored it); a rule pack carries its
        YAML text verbatim, because the pack's digest is the hash of that text.
  null  a tombstone: workers drop the override and return to the list (or pack) they loaded
        from their own files and settings.
A list record is self-checking: its version is recomputed from its entries on decode and must
match, so a truncated or hand-edited record is rejected instead of screening with it.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import orjson
from pydantic import ValidationError

from rules.lists.base import ReferenceList
from rules.pack import RulePack, parse_rule_pack
from schemas.listentry import ListEntry

WIRE_FORMAT = "dinarwatch.watchlist/1"
PACK_KEY_PREFIX = "rule-pack:"
COMPRESS_ABOVE = 16 * 1024
MAX_RECORD_BYTES = 16 * 1024 * 1024
"""Largest watchlists record: the topic's max.message.bytes (infra/topics.py) and the
publisher's max_request_size. The full SDN list is ~9 MB of JSON, ~1 MB gzipped."""
FETCH_BYTES = MAX_RECORD_BYTES + 1024 * 1024
CONTENT_TYPE = "application/vnd.dinarwatch.watchlist+json"
_GZIP_MAGIC = b"\x1f\x8b"


class MalformedRecord(ValueError):
    """A watchlists record that cannot be used; the reason is the message."""


def list_key(name: str) -> bytes:
    return name.encode()


def pack_key(name: str) -> bytes:
    return f"{PACK_KEY_PREFIX}{name}".encode()


def encode_list(reference: ReferenceList) -> bytes:
    """A list's record value: compact JSON (defaults left out), gzipped when large."""
    doc = {
        "format": WIRE_FORMAT,
        "kind": "list",
        "name": reference.name,
        "version": reference.version,
        "title": reference.title,
        "published": reference.published.isoformat() if reference.published else None,
        "source": reference.source,
        "entries": [_entry_doc(e) for e in reference.entries],
    }
    manifest = {"manifest": dict(reference.manifest)} if reference.manifest else {}
    return _pack_bytes(orjson.dumps({**doc, **manifest}))  # older readers ignore the manifest


def encode_pack(text: str) -> bytes:
    """A rule pack's record value: its YAML text verbatim (the digest hashes that text)."""
    pack = parse_rule_pack(text)
    doc = {
        "format": WIRE_FORMAT,
        "kind": "rule-pack",
        "name": pack.name,
        "version": pack.version,
        "digest": pack.digest,
        "text": text,
    }
    return _pack_bytes(orjson.dumps(doc))


def decode_record(key: bytes | None, value: bytes) -> ReferenceList | RulePack:
    """The list or pack a record holds; MalformedRecord when it is unusable in any way."""
    try:
        doc = orjson.loads(gzip.decompress(value) if value[:2] == _GZIP_MAGIC else value)
    except (OSError, EOFError, zlib.error, orjson.JSONDecodeError) as exc:
        raise MalformedRecord(f"not JSON (or bad gzip): {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != WIRE_FORMAT:
        raise MalformedRecord(f"unknown format (expected {WIRE_FORMAT!r})")
    try:
        item = _decode_pack(doc) if doc.get("kind") == "rule-pack" else _decode_list(doc)
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise MalformedRecord(f"invalid {doc.get('kind', 'record')}: {exc}") from exc
    expected = item_key(item)
    if key is not None and key != expected:
        raise MalformedRecord(f"key {key!r} does not match its content {expected!r}")
    return item


def item_key(item: ReferenceList | RulePack) -> bytes:
    return pack_key(item.name) if isinstance(item, RulePack) else list_key(item.name)


def _decode_list(doc: Mapping[str, Any]) -> ReferenceList:
    if doc.get("kind") != "list":
        raise ValueError(f"unknown kind {doc.get('kind')!r}")
    published = date.fromisoformat(doc["published"]) if doc.get("published") else None
    entries = [ListEntry.model_validate(e) for e in doc["entries"]]
    reference = ReferenceList.build(
        str(doc["name"]),
        entries,
        title=str(doc.get("title", "")),
        published=published,
        source=str(doc.get("source", "")),
    )
    if reference.version != doc["version"]:
        raise ValueError(
            f"version {doc['version']!r} does not match its entries ({reference.version!r})"
        )
    if isinstance(doc.get("manifest"), dict):
        reference = replace(reference, manifest=doc["manifest"])
    return reference


def _decode_pack(doc: Mapping[str, Any]) -> RulePack:
    pack = parse_rule_pack(str(doc["text"]))
    if pack.digest != doc.get("digest", pack.digest):
        raise ValueError("digest does not match the pack text")
    return pack


def _entry_doc(entry: ListEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def _pack_bytes(raw: bytes) -> bytes:
    return gzip.compress(raw, 9, mtime=0) if len(raw) > COMPRESS_ABOVE else raw


def record_headers(item: ReferenceList | RulePack) -> list[tuple[str, bytes]]:
    """Headers that let an operator see what a record holds without decoding it."""
    return [("content-type", CONTENT_TYPE.encode()), ("version", item.version.encode())]
