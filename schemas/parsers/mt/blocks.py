"""FIN text -> user messages: the '{n:...}' blocks, RJE '$' separators and ACK/NAK envelopes.

A linear scan: each block is read once, from its id to its closing brace, and never evaluated,
so the worst input costs one pass. What a block's text means is read later (header, fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from schemas.parsers.errors import ParseError
from schemas.parsers.mt.fields import MtField, read_fields

_BLOCK_ID = re.compile(r"\{([0-9A-Z]{1,3}):")
_SUBBLOCK = re.compile(r"\{([0-9A-Za-z]{1,3}):([^{}]*)\}")
_BRACE = re.compile(r"[{}]")
_BRACES = re.compile(r"\}+")


@dataclass
class MtMessage:
    """A FIN message split into its blocks; block 4 as ordered fields."""

    block1: str
    block2: str
    block3: dict[str, str] = field(default_factory=dict)
    fields: list[MtField] = field(default_factory=list)
    block5: dict[str, str] = field(default_factory=dict)
    ack: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """Quirks read past (see the package docstring); they reach the decision."""


class TextBlock(NamedTuple):
    """'{1:F01...}', '{2:O103...}', or an empty '{5:}'."""

    block_id: str
    text: str
    line: int


class TagBlock(NamedTuple):
    """'{3:{108:REF}{121:uuid}}', blocks 5 and S, an ACK's '{4:{177:...}{451:0}}'."""

    block_id: str
    tags: dict[str, str]
    line: int


class TextBody(NamedTuple):
    """Block 4's text, up to (not including) its '-}' end; it starts on the line of '{4:'."""

    body: str
    line: int

    @property
    def block_id(self) -> str:
        return "4"


class Quirk(NamedTuple):
    """A harmless departure met while scanning, handed to the message it belongs to."""

    note: str


Block = TextBlock | TagBlock | TextBody | Quirk


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _read_subblocks(text: str, pos: int, block_id: str) -> tuple[dict[str, str], int]:
    """Read '{tag:value}...}' (blocks 3, 5, S, ACK 4) from pos; return tags and end position."""
    found: dict[str, str] = {}
    while pos < len(text) and text[pos] == "{":
        match = _SUBBLOCK.match(text, pos)
        if match is None:
            raise ParseError("mt-structure", f"line {_line_of(text, pos)}: bad {{{block_id}:}} tag")
        found.setdefault(match.group(1), match.group(2))
        pos = match.end()
    if pos >= len(text) or text[pos] != "}":
        raise ParseError("mt-structure", f"line {_line_of(text, pos)}: block {block_id} not closed")
    return found, pos + 1


def _read_text_block(text: str, pos: int, line: int) -> tuple[str, int, str | None]:
    """Block 4 runs to its first brace, which must be a '}': neither brace is in the SWIFT X
    character set, so it can only be the end. Normally that is a '-}' line of its own; a '-}'
    after the last field's text or a bare '}' is read too, with a warning. A '{' first means
    block 4 never closed. Returns body, end position and the warning (None when normal)."""
    match = _BRACE.search(text, pos)
    if match is None or match.group() == "{":
        raise ParseError("mt-structure", f"line {line}: block 4 has no '-}}' end")
    body = text[pos : match.start()].rstrip(" \t")
    end = match.end()
    if not body.endswith("-"):
        return body, end, "block 4 closed by '}' without '-'"
    body = body[:-1]
    before = body.rstrip(" \t")
    if before and not before.endswith("\n"):
        return body, end, "block 4's '-}' follows the last field on the same line"
    return body, end, None


def _last_block_id(blocks: list[Block]) -> str:
    return next(b.block_id for b in reversed(blocks) if not isinstance(b, Quirk))


def _tokenize(text: str) -> list[Block]:
    """Split FIN text into top-level blocks, with the quirks met on the way."""
    blocks: list[Block] = []
    pos = 0
    # Line numbers are counted on from the previous block, never from the start: recounting
    # made a megabyte of small blocks ('{3:{108:A}}' repeated) take 17 s.
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return blocks
        line, counted = line + text.count("\n", counted, pos), pos
        braces = _BRACES.match(text, pos) if blocks else None
        if braces is not None:  # '-}}': a brace too many after a block
            extra, pos = len(braces.group()), braces.end()
            count = "an" if extra == 1 else str(extra)
            after = _last_block_id(blocks)
            blocks.append(Quirk(f"line {line}: {count} extra '}}' after block {after} ignored"))
            continue
        match = _BLOCK_ID.match(text, pos)
        if match is None:
            raise ParseError("mt-structure", f"line {line}: expected '{{n:' block")
        block_id, pos = match.group(1), match.end()
        if pos < len(text) and text[pos] == "{":
            tags, pos = _read_subblocks(text, pos, block_id)
            blocks.append(TagBlock(block_id, tags, line))
        elif block_id == "4":
            body, pos, quirk = _read_text_block(text, pos, line)
            if quirk:
                blocks.append(Quirk(f"line {line + body.count(chr(10))}: {quirk}"))
            blocks.append(TextBody(body, line))
        else:
            end = text.find("}", pos)
            if end < 0:
                raise ParseError("mt-structure", f"line {line}: block {block_id} not closed")
            blocks.append(TextBlock(block_id, text[pos:end], line))
            pos = end + 1


def _group(blocks: list[Block]) -> list[MtMessage]:
    """Group blocks into messages (each starts at block 1); ACK/NAK blocks attach to the next."""
    messages: list[MtMessage] = []
    ack: dict[str, str] = {}
    pending: list[str] = []  # warnings met before the message they belong to starts
    current: MtMessage | None = None
    for block in blocks:
        if isinstance(block, Quirk):
            (pending if current is None else current.warnings).append(block.note)
            continue
        block_id = block.block_id
        if block_id == "1":
            if not isinstance(block, TextBlock):
                raise ParseError("mt-structure", f"line {block.line}: block 1 must be plain text")
            is_ack = block.text.strip().upper().startswith("F21")
            current = None if is_ack else MtMessage(block.text, "", ack=ack, warnings=pending)
            if current is not None:
                messages.append(current)
                ack, pending = {}, []
            continue
        if current is None:
            if isinstance(block, TagBlock) and block_id == "4":
                ack = block.tags
                continue
            raise ParseError("mt-structure", f"line {block.line}: block {block_id} before block 1")
        _attach(current, block)
    return messages


def _attach(message: MtMessage, block: TextBlock | TagBlock | TextBody) -> None:
    if isinstance(block, TextBody):
        message.fields = read_fields(block.body, block.line, message.warnings)
    elif isinstance(block, TextBlock) and block.block_id == "2":
        message.block2 = block.text
    elif isinstance(block, TagBlock) and block.block_id == "3":
        message.block3 = block.tags
    elif isinstance(block, TagBlock) and block.block_id in ("5", "S"):
        message.block5.update(block.tags)
    elif (
        block.block_id in ("3", "5", "S")
        and isinstance(block, TextBlock)
        and not block.text.strip()
    ):
        message.warnings.append(f"line {block.line}: empty block {block.block_id} ignored")
    else:
        raise ParseError("mt-structure", f"line {block.line}: unexpected block {block.block_id}")


def split_mt_messages(text: str) -> list[MtMessage]:
    """Every user message in a FIN text (RJE '$' separators and ACK service blocks allowed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    messages: list[MtMessage] = []
    for chunk in text.split("$"):
        chunk = chunk.strip()
        if chunk.endswith("{"):  # RJE exports sometimes leave a stray brace before '$'
            chunk = chunk[:-1].rstrip()
        if chunk:
            messages += _group(_tokenize(chunk))
    return messages
