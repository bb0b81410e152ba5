"""Untrusted XML bytes -> an lxml element tree, safely.

The bytes must be UTF-8 and may not carry a DOCTYPE (no DTD means no entity expansion: no
billion laughs, no XXE), and lxml runs with entity resolution, DTD loading and network access
off and huge_tree off (libxml2's depth and size limits stay on).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from schemas.parsers.errors import ParseError, decode_utf8

Element = Any
"""lxml ships no type stubs: elements are typed loosely, values are typed at the edges."""

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class _SafeParser(threading.local):
    """One hardened lxml parser per thread (lxml parser objects must not be shared)."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            dtd_validation=False,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            encoding="utf-8",
        )


_LOCAL = _SafeParser()


def safe_parser() -> Any:
    """This thread's hardened parser (also used to read the XSD files)."""
    return _LOCAL.parser


def parse_xml_safely(raw: bytes) -> Element:
    """Parse untrusted XML bytes into an element tree, refusing DTDs and non-UTF-8 input."""
    decode_utf8(raw)
    if _DOCTYPE.search(raw):
        raise ParseError("xml-forbidden-dtd", "DOCTYPE/ENTITY declarations are not accepted")
    try:
        root = etree.fromstring(raw, _LOCAL.parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError("xml-invalid", f"line {exc.lineno}: {exc.msg}") from None
    except (ValueError, etree.LxmlError) as exc:
        raise ParseError("xml-invalid", str(exc)[:200]) from None
    if root is None:
        raise ParseError("xml-invalid", "no root element")
    if root.getroottree().docinfo.doctype:
        raise ParseError("xml-forbidden-dtd", "DOCTYPE declarations are not accepted")
    return root
