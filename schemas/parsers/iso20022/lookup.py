"""Namespaced child lookups ('PmtId/EndToEndId') on lxml elements, absent-safe.

Every lookup takes the message's namespace and tolerates a None element, so a reader can chain
them over optional structures without checking each step.
"""

from __future__ import annotations

from functools import lru_cache

from schemas.parsers.iso20022.safe_xml import Element


@lru_cache(maxsize=8192)
def qualified(ns: str, path: str) -> str:
    """'Strd' -> '{ns}Strd' (for findall)."""
    return "/".join(f"{{{ns}}}{step}" for step in path.split("/"))


@lru_cache(maxsize=8192)
def _steps(ns: str, path: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{step}" for step in path.split("/"))


def find(el: Element, ns: str, path: str) -> Element:
    """First element at a child path; iterchildren per step is ~2x faster than ElementPath."""
    for step in _steps(ns, path):
        if el is None:
            return None
        el = next(el.iterchildren(step), None)
    return el


def text(el: Element, ns: str, path: str) -> str | None:
    """The stripped text at a child path; None when absent or blank."""
    found = find(el, ns, path)
    if found is None or found.text is None:
        return None
    value = str(found.text).strip()
    return value or None


def texts(el: Element, ns: str, path: str) -> list[str]:
    """Every non-blank stripped text at a child path."""
    if el is None:
        return []
    return [
        str(t.text).strip()
        for t in el.findall(qualified(ns, path))
        if t.text and str(t.text).strip()
    ]
