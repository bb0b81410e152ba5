"""Safe XML reading for list loaders: bytes -> root element, or a one-line ListFormatError.

Every loader parses with un.safe_parser (no entities, no DTD, no network). The official files
put their elements in a default namespace (OFAC, EU) or none (UK, UN); the helpers match on
local names so a publisher's namespace change does not empty a list silently.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from rules.lists.errors import ListFormatError
from rules.lists.un import safe_parser


def parse_root(data: bytes, file: str, root_tag: str) -> etree._Element:
    """The document's root, which must be `root_tag` (local name); else ListFormatError."""
    if not data.strip():
        raise ListFormatError(f"{file} is empty")
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise ListFormatError(f"{file} is not well-formed XML ({error})") from None
    if local(root) != root_tag:
        raise ListFormatError(
            f"{file} is not the expected format: root <{local(root)}>, expected <{root_tag}>"
        )
    return root


def local(node: etree._Element) -> str:
    """The element's tag without its namespace."""
    tag = node.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(node: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children named `name` (any namespace)."""
    return (child for child in node if local(child) == name)


def child(node: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down `path` of local names, or None."""
    current = node
    for name in path:
        if current is None:
            return None
        current = next(children(current, name), None)
    return current


def descendants(node: etree._Element, name: str) -> Iterator[etree._Element]:
    """Every element named `name` below `node` (any namespace), in document order."""
    found: Iterator[etree._Element] = node.iter(f"{{*}}{name}", name)
    return found


def text(node: etree._Element | None, *path: str) -> str | None:
    """Whitespace-normalised text of the element down `path`, or None when absent or blank."""
    found = child(node, *path) if path else node
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def texts(node: etree._Element, name: str) -> list[str]:
    """Non-blank texts of every `name` element below `node`, in order, without repeats."""
    values = (" ".join((n.text or "").split()) for n in descendants(node, name))
    return list(dict.fromkeys(v for v in values if v))


def raw_xml(node: etree._Element) -> str:
    """The element as published (serialised by lxml: C speed, ~0.1 ms a record): the raw record
    an auditor can read next to the entry it became."""
    return str(etree.tostring(node, encoding="unicode"))
