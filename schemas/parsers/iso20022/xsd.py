"""The official XSDs: found once per directory, compiled once per message version, applied.

A Document validated against the XSD of its exact version can be read without re-checking its
structure; without that XSD the message is still read (the Payment model checks the fields it
needs) and flagged `schema_validated: false`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from schemas.parsers.errors import ParseError
from schemas.parsers.iso20022.safe_xml import Element, safe_parser

DEFAULT_XSD_DIR = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "iso20022" / "xsd"
)
"""Where the official XSDs live on developer machines and in CI (../shared beside the repo)."""


@lru_cache(maxsize=16)
def _xsd_index(xsd_dir: Path) -> dict[str, Path]:
    """Map 'pacs.008.001.08' -> file for every '<message id>.xsd' under xsd_dir (recursive)."""
    found: dict[str, Path] = {}
    if xsd_dir.is_dir():
        for path in sorted(xsd_dir.rglob("*.xsd")):
            found.setdefault(path.stem, path)
    return found


@lru_cache(maxsize=64)
def load_schema(xsd_dir: Path, message_id: str) -> Any:
    """Compile (once, cached) the XSD for a message id like 'pacs.008.001.08', or None."""
    path = _xsd_index(xsd_dir).get(message_id)
    if path is None:
        return None
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def _element_path(root: Element, lxml_path: str | None) -> str:
    """Turn lxml's '/*/*[2]/*[1]' into '/Document/FIToFICstmrCdtTrf/GrpHdr' for humans."""
    if not lxml_path:
        return "?"
    try:
        found = root.getroottree().xpath(lxml_path)
    except etree.XPathError:
        return lxml_path
    if not found or not isinstance(found[0], etree._Element):
        return lxml_path
    names = [etree.QName(el).localname for el in [found[0], *found[0].iterancestors()]]
    return "/" + "/".join(reversed(names))


def validate(element: Element, message_id: str, xsd_dir: Path) -> bool:
    """Validate element against its XSD; False if no XSD is available, ParseError if invalid."""
    schema = load_schema(xsd_dir, message_id)
    if schema is None:
        return False
    if schema.validate(element):
        return True
    entry = schema.error_log[0]
    where = _element_path(element, entry.path)
    raise ParseError("xml-schema", f"{message_id} line {entry.line} {where}: {entry.message}")
