"""Block 4 of a FIN message: its text cut into fields (tag, value, line) and looked up by tag.

A field starts with ':tag:' at the start of a line; every other line continues the field
before it. Nothing here knows what a field means (that is parties, values and payments).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from schemas.parsers.errors import ParseError

_FIELD_TAG = re.compile(r"^:(\d{2}[A-Za-z]?):")
_MAX_FIELDS = 500
LINE = 35
"""Characters per line of a text field (35x); wrapped text is rejoined by this width."""


class MtField(NamedTuple):
    """One block-4 field: tag like '50K', value with '\\n' between lines, 1-based line number.

    A NamedTuple: a message has a few dozen fields and a frozen dataclass costs twice as much
    to build."""

    tag: str
    value: str
    line: int

    def where(self) -> str:
        return f":{self.tag}: (line {self.line})"


def _trim(line: str) -> str:
    """Drop trailing blanks that are not content. A field line holds at most 35 characters,
    and a full one (35) continues into the next line without a space (70, names in 52D/59):
    blanks past column 35 are padding, and a shorter line's trailing blanks end a phrase
    anyway. Blanks inside the 35 columns of a full line are kept: they are text."""
    if len(line) > LINE and not line[LINE:].strip():
        return line[:LINE]
    return line if len(line) == LINE else line.rstrip(" \t")


def read_fields(body: str, first_line: int, warnings: list[str]) -> list[MtField]:
    """Block 4 body -> fields; lines that do not start a tag continue the previous field.

    No field line may start with ':' in FIN, so ':32a:' can only be a tag written in lower case
    (read, with a note in `warnings`).
    """
    found: list[tuple[str, list[str], int]] = []
    lower: list[str] = []
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        match = _FIELD_TAG.match(line)
        if match:
            tag = match.group(1)
            if tag != tag.upper():
                lower.append(f":{tag}: (line {number})")
            found.append((tag.upper(), [_trim(line[match.end() :])], number))
        elif found:
            found[-1][1].append(_trim(line))
        elif line.strip():
            raise ParseError("mt-structure", f"line {number}: text before the first field tag")
        if len(found) > _MAX_FIELDS:
            raise ParseError("mt-structure", f"more than {_MAX_FIELDS} fields in block 4")
    if lower:
        warnings.append("field tags in lower case: " + ", ".join(lower))
    return [MtField(tag, "\n".join(lines).rstrip("\n"), n) for tag, lines, n in found]


class FieldList:
    """Lookup over an ordered field list by tag family ('50' matches 50A, 50F, 50K)."""

    def __init__(self, fields: list[MtField]) -> None:
        self.fields = fields
        # A message is looked up a dozen times by family: index it once, in field order.
        self._families: dict[str, list[MtField]] = {}
        for fld in fields:
            self._families.setdefault(fld.tag[:2], []).append(fld)

    def first(self, family: str, options: str = "") -> MtField | None:
        for fld in self._families.get(family, ()):
            if not options or fld.tag[2:] in options:
                return fld
        return None

    def text(self, tag: str) -> str | None:
        for fld in self.fields:
            if fld.tag == tag:
                return fld.value.strip() or None
        return None

    def all_values(self, tag: str) -> list[str]:
        return [fld.value.strip() for fld in self.fields if fld.tag == tag]

    def require(self, family: str, options: str, what: str) -> MtField:
        found = self.first(family, options)
        if found is None:
            raise ParseError("mt-field", f":{family}{options[:1]}: missing ({what})")
        return found

    def split_at(self, family: str) -> tuple[FieldList, FieldList] | None:
        """The fields before and from the first of `family` (MT202COV's sequences A and B)."""
        index = next((i for i, f in enumerate(self.fields) if f.tag[:2] == family), None)
        if index is None:
            return None
        return FieldList(self.fields[:index]), FieldList(self.fields[index:])
