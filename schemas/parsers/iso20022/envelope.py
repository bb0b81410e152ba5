"""Where the payment sits: the pacs Document (bare, or beside an AppHdr in an envelope), its
message kind and version, the validated message element and the business application header."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from schemas.parsers.canonical import AgentFields
from schemas.parsers.errors import ParseError
from schemas.parsers.iso20022.lookup import find, text
from schemas.parsers.iso20022.parties import agent
from schemas.parsers.iso20022.safe_xml import Element
from schemas.parsers.iso20022.xsd import validate

_PACS_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(pacs\.00[89])\.(\d{3}\.\d{2})$")
_HEAD_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:head.001."
ROOT_ELEMENT = {"pacs.008": "FIToFICstmrCdtTrf", "pacs.009": "FICdtTrf"}


class AppHeader(NamedTuple):
    """The head.001 business application header: its sender and receiver banks (Fr/To)."""

    sender: AgentFields | None
    receiver: AgentFields | None
    business_message_id: str | None
    validated: bool


NO_APP_HEADER = AppHeader(None, None, None, False)


class PacsMessage(NamedTuple):
    """A located, validated pacs.008/pacs.009 message: what its transactions share."""

    ns: str
    kind: str
    """'pacs.008' or 'pacs.009'."""
    version: str
    """'001.08' and the like."""
    body: Element
    """FIToFICstmrCdtTrf or FICdtTrf."""
    schema_validated: bool
    app_header: AppHeader


def _is_pacs_document(el: Element) -> bool:
    return str(el.tag).endswith("}Document") and bool(_PACS_NS.match(etree.QName(el).namespace))


def _is_app_header(el: Element) -> bool:
    return str(el.tag).startswith("{" + _HEAD_NS_PREFIX) and str(el.tag).endswith("}AppHdr")


def _locate(root: Element) -> tuple[Element, Element | None]:
    """Find the pacs Document (the root, or inside an AppHdr+Document envelope) and AppHdr.

    Envelopes put both directly under one wrapper element (sometimes one level deeper), so
    only the top two levels are searched: a payload is never scanned as a whole.
    """
    if _is_pacs_document(root):
        return root, None
    near = [
        el
        for child in root.iterchildren(tag=etree.Element)
        for el in (child, *child.iterchildren(tag=etree.Element))
    ]
    documents = [el for el in near if _is_pacs_document(el)]
    if not documents:
        ns = etree.QName(root).namespace or "(none)"
        raise ParseError("xml-unsupported", f"no pacs.008/pacs.009 Document (root namespace {ns})")
    if len(documents) > 1:
        raise ParseError("xml-unsupported", f"{len(documents)} Documents in one message")
    return documents[0], next((el for el in near if _is_app_header(el)), None)


def _app_header(app_hdr: Element, xsd_dir: Path) -> AppHeader:
    """The business application header: validated when its XSD is present; Fr/To as agents."""
    if app_hdr is None:
        return NO_APP_HEADER
    ns = etree.QName(app_hdr).namespace
    validated = validate(app_hdr, ns.rsplit(":", 1)[-1], xsd_dir)
    return AppHeader(
        sender=agent(find(app_hdr, ns, "Fr/FIId"), ns, "AppHdr/Fr"),
        receiver=agent(find(app_hdr, ns, "To/FIId"), ns, "AppHdr/To"),
        business_message_id=text(app_hdr, ns, "BizMsgIdr"),
        validated=validated,
    )


def open_message(root: Element, xsd_dir: Path) -> PacsMessage:
    """Locate the Document, validate it (and the AppHdr) against their XSDs, find the body."""
    document, app_hdr = _locate(root)
    ns = etree.QName(document).namespace
    match = _PACS_NS.match(ns)
    assert match is not None  # _locate only returns pacs Documents
    kind, version = match.group(1), match.group(2)
    validated = validate(document, f"{kind}.{version}", xsd_dir)
    body = find(document, ns, ROOT_ELEMENT[kind])
    if body is None:
        raise ParseError("xml-schema", f"/Document: missing {ROOT_ELEMENT[kind]}")
    return PacsMessage(ns, kind, version, body, validated, _app_header(app_hdr, xsd_dir))
