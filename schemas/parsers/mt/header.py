"""Blocks 1 and 2: the message type, the sending and receiving banks and the sender's time.

An output message (block 2 'O') carries the sender's input time and date (MIR), used as UTC
since FIN does not carry the sender's offset; an input message ('I') carries no time at all.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal, NamedTuple

from schemas.parsers.canonical import AgentFields
from schemas.parsers.errors import ParseError
from schemas.parsers.mt.blocks import MtMessage
from schemas.parsers.mt.values import yymmdd

_BLOCK1_PREFIX = re.compile(r"^[FAL]\d{2}")
_LOGICAL_TERMINAL = re.compile(r"^[A-Z0-9]{12}(?:\d{10})?$")
_BIC_AS_TERMINAL = re.compile(r"^([A-Z0-9]{8})([A-Z0-9]{3})?(?:\d{10})?$")
_LOGICAL_TERMINAL_PREFIX = re.compile(r"^[A-Z0-9]{12}")
_BLOCK2_OUT = re.compile(r"^O(\d{3})(\d{4})(\d{6})([A-Z0-9]{12})(\d{10})?")
_BLOCK2_IN = re.compile(r"^I(\d{3})([A-Z0-9]{12})")
_MESSAGE_TYPE = re.compile(r"^[IO](\d{3})")


class Header(NamedTuple):
    """What blocks 1 and 2 say: message type, sender and receiver, the sender's input time."""

    mt: str
    sender: AgentFields
    receiver: AgentFields
    direction: Literal["output", "input"]
    input_time: str | None = None
    """HHMM of the sender's input (output messages only)."""
    input_date: str | None = None
    """YYMMDD of the sender's input (output messages only)."""


def message_type(message: MtMessage) -> str:
    """The three digits of block 2 ('103', '202'), or '?' when block 2 has none."""
    match = _MESSAGE_TYPE.match(message.block2.strip().upper())
    return match.group(1) if match else "?"


def _lt_to_bic(lt: str) -> str:
    """A 12-char logical terminal is BIC8 + terminal letter + branch; 'XXX' means no branch."""
    branch = lt[9:12]
    return lt[:8] if branch == "XXX" else lt[:8] + branch


def _header_text(raw: str, block_id: str, warnings: list[str]) -> str:
    """A header block's text without spaces, in upper case (lower case is read, with a note)."""
    text = raw.strip()
    if text != text.upper():
        warnings.append(f"block {block_id} in lower case")
    return text.upper()


def _block1_terminal(message: MtMessage) -> str:
    """The 12-character logical terminal of block 1 ('F01' + LT + session + sequence).

    Read past, with a warning: a missing 'F01' prefix, and a BIC8/BIC11 where the LT belongs
    (the terminal letter left out), which becomes BIC8 + 'X' + branch.
    """
    text = _header_text(message.block1, "1", message.warnings)
    rest = text[3:] if _BLOCK1_PREFIX.match(text) else text
    if rest is text:
        message.warnings.append("block 1 lacks its application and service id 'F01'")
    if _LOGICAL_TERMINAL.match(rest):
        return rest[:12]
    bic = _BIC_AS_TERMINAL.match(rest)
    if bic is not None:
        message.warnings.append(
            f"block 1 names BIC {bic.group(1) + (bic.group(2) or '')} without a terminal code"
        )
        return bic.group(1) + "X" + (bic.group(2) or "XXX")
    if _LOGICAL_TERMINAL_PREFIX.match(rest):
        return rest[:12]
    raise ParseError("mt-structure", f"block 1 malformed: {message.block1[:30]!r}")


def read_header(message: MtMessage) -> Header:
    """Blocks 1 and 2; their quirks go to the message's warnings."""
    terminal = _block1_terminal(message)
    block2 = _header_text(message.block2, "2", message.warnings)
    out = _BLOCK2_OUT.match(block2)
    if out is not None:
        if out.group(5) is None:
            message.warnings.append("block 2 lacks the MIR session and sequence number")
        sender: AgentFields = {"bic": _lt_to_bic(out.group(4)), "role": "block2"}
        receiver: AgentFields = {"bic": _lt_to_bic(terminal), "role": "block1"}
        return Header(out.group(1), sender, receiver, "output", out.group(2), out.group(3))
    inp = _BLOCK2_IN.match(block2)
    if inp is None:
        raise ParseError("mt-structure", f"block 2 malformed: {message.block2[:30]!r}")
    sender = {"bic": _lt_to_bic(terminal), "role": "block1"}
    receiver = {"bic": _lt_to_bic(inp.group(2)), "role": "block2"}
    return Header(inp.group(1), sender, receiver, "input")


def created_at(header: Header, value_date: date) -> tuple[datetime, str]:
    """The sender's input time (source 'block2'), else the value date at 00:00Z ('32A')."""
    if header.input_date is not None and header.input_time is not None:
        day = yymmdd(header.input_date, "block 2 MIR date")
        hh, mi = int(header.input_time[:2]), int(header.input_time[2:])
        if hh < 24 and mi < 60:
            return datetime(day.year, day.month, day.day, hh, mi, tzinfo=UTC), "block2"
    return datetime(value_date.year, value_date.month, value_date.day, tzinfo=UTC), "32A"
