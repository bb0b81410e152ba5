"""Decide which parser a raw message needs: header first, then a cheap look at the bytes.

Detection only dispatches. Each parser re-checks what it was given (the XML parser reads the
real Document namespace, the MT parser the real block 2), so a sniff fooled by, say, a namespace
string inside a comment still cannot make a message parse as the wrong type.
"""

from __future__ import annotations

import re

from schemas.parsers.errors import ParseError
from schemas.payment import MessageType

_XML_NS = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:(pacs\.00[89])\.\d{3}\.\d{2}")
# Case-insensitive: the MT parser reads lower-case headers (with a parse warning).
_MT_BLOCK2 = re.compile(rb"\{2:\s*[IO](\d{3})", re.IGNORECASE)
_MT_COV = re.compile(rb"\{119:\s*COV\s*\}", re.IGNORECASE)
_MT_ACK = re.compile(
    rb"^\{1:F21[^}]*\}\{4:\{177:[^}]*\}\{451:[01]\}(?:\{405:[^}]*\})?\}\s*", re.IGNORECASE
)
_RJE_LEAD = b"$ \t\r\n"
"""An RJE file may start with its '$' message separator."""
_TYPE_PARAM = re.compile(r"type\s*=\s*\"?([A-Za-z0-9.]+)", re.IGNORECASE)

_XML_TYPES = {"pacs.008": MessageType.PACS008, "pacs.009": MessageType.PACS009}
_MT_TYPES = {
    "mt103": MessageType.MT103,
    "mt202": MessageType.MT202,
    "mt202cov": MessageType.MT202COV,
}


def _family_from_content_type(content_type: str | None) -> str | None:
    """Map a Content-Type header to 'json', 'xml' or 'mt' (None when it tells nothing)."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media.endswith("json"):
        return "json"
    if media.endswith("xml"):
        return "xml"
    if "swift" in media or media.endswith(("mt", "x-fin")):
        return "mt"
    return None


def _type_param(content_type: str | None) -> str | None:
    match = _TYPE_PARAM.search(content_type or "")
    return match.group(1).lower() if match else None


def strip_bom_and_space(raw: bytes) -> bytes:
    """Drop a UTF-8 byte-order mark and leading whitespace, which producers add carelessly."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.lstrip()


def _sniff_family(head: bytes) -> str:
    if head.startswith(b"{1:"):
        return "mt"
    if head.startswith(b"{") or head.startswith(b"["):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    raise ParseError("unknown-format", f"cannot recognise a message starting with {head[:16]!r}")


def _xml_type(raw: bytes, hint: str | None) -> MessageType:
    if hint and hint[:8] in _XML_TYPES:
        return _XML_TYPES[hint[:8]]
    match = _XML_NS.search(raw)
    if match is None:
        raise ParseError(
            "xml-unsupported", "XML without a pacs.008/pacs.009 ISO 20022 Document namespace"
        )
    return _XML_TYPES[match.group(1).decode()]


def _mt_type(raw: bytes, hint: str | None) -> MessageType:
    hint = f"mt{hint}" if hint and hint[:1].isdigit() else hint
    if hint in _MT_TYPES:
        return _MT_TYPES[hint]
    body = _MT_ACK.sub(b"", raw, count=1)
    match = _MT_BLOCK2.search(body)
    if match is None:
        raise ParseError("mt-structure", "no application header block {2:...} found")
    mt = match.group(1).decode()
    if mt == "103":
        return MessageType.MT103
    if mt == "202":
        head = body[: body.find(b"{4:")] if b"{4:" in body else body
        return MessageType.MT202COV if _MT_COV.search(head) else MessageType.MT202
    raise ParseError("mt-unsupported", f"MT{mt} is not a supported payment message")


def detect_format(raw: bytes, content_type: str | None = None) -> MessageType:
    """Return the MessageType of a raw message; raise ParseError when it is none we read."""
    family = _family_from_content_type(content_type)
    head = strip_bom_and_space(raw)
    if family is None:
        family = _sniff_family(head[:16].lstrip(_RJE_LEAD))
    if family == "json":  # most traffic; JSON has no type parameter to read
        return MessageType.JSON
    hint = _type_param(content_type)
    if family == "xml":
        return _xml_type(head, hint)
    return _mt_type(head, hint)
