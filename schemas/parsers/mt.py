"""SWIFT MT103 / MT202 / MT202COV (FIN blocks 1-5) -> Payment.

No maintained PyPI package parses these into structured parties and agents (the `mt103` package,
last released 2020, is a single regex for MT103 only that rejects common block-3 tags; the 2026
`pacs008-loader-mt103` is alpha and MT103-only), so this is a small hand-written tokenizer:
blocks -> fields (tag, value, line number) -> typed values. It is strict about what the Payment
needs (20, 32A, ordering and beneficiary party) and lenient about the rest, and it never
evaluates anything: the worst input costs one linear scan.

Harmless quirks of real traffic are read and recorded, one line each, in the payment's
`parse_warnings` (which the decision carries): a text block closed `-}}` or by a bare `}`, a
block 1 without its `F01` prefix or with a BIC where the logical terminal belongs, lower-case
headers, field tags or currency codes, an output block 2 cut short after the sender's address,
empty blocks 3/5. Whitespace (CRLF or LF, blank lines, trailing spaces, an indented `-}`) is
not a quirk and is not recorded. Only what leaves a payment unreadable raises ParseError.

Mapping choices (full tables in docs/parsers.md):
- payment_id = field 20 (the sender's reference; MT has no end-to-end id), uetr = block 3 {121:};
- created_at: an output message (block 2 'O') carries the sender's input time and date (MIR):
  used as UTC, since FIN does not carry the sender's offset; an input message ('I') carries no
  time at all, so created_at is the value date at 00:00Z. extra `created_at_source` says which;
- sender (block 2 MIR for output, block 1 for input) = instructing_agent, receiver =
  instructed_agent; absent 52a -> the sender is the debtor agent, absent 57a -> the receiver is
  the creditor agent (the MT rule);
- 53a/54a/55a/56a and /INS/ in field 72 go to intermediary_agents with their tag as `role`;
  options B/C that carry only an account or a location identify no bank: kept in extra;
- MT202: ordering (52a or sender) and beneficiary (58a) institutions are the debtor/creditor
  parties, named by their BIC; MT202COV: sequence B's customers are debtor/creditor (as in the
  MT103 the cover belongs to) and every sequence-A bank is in the chain with an 'A/' role.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from schemas.parsers.errors import ParseError, build_payment
from schemas.payment import MessageType, Payment

_BLOCK_ID = re.compile(r"\{([0-9A-Z]{1,3}):")
_SUBBLOCK = re.compile(r"\{([0-9A-Za-z]{1,3}):([^{}]*)\}")
_BRACE = re.compile(r"[{}]")
_BRACES = re.compile(r"\}+")
_FIELD_TAG = re.compile(r"^:(\d{2}[A-Za-z]?):")
_BLOCK1_PREFIX = re.compile(r"^[FAL]\d{2}")
_LOGICAL_TERMINAL = re.compile(r"^[A-Z0-9]{12}(?:\d{10})?$")
_BIC_AS_TERMINAL = re.compile(r"^([A-Z0-9]{8})([A-Z0-9]{3})?(?:\d{10})?$")
_LOGICAL_TERMINAL_PREFIX = re.compile(r"^[A-Z0-9]{12}")
_BLOCK2_OUT = re.compile(r"^O(\d{3})(\d{4})(\d{6})([A-Z0-9]{12})(\d{10})?")
_BLOCK2_IN = re.compile(r"^I(\d{3})([A-Z0-9]{12})")
_AMOUNT_32 = re.compile(r"^(\d{6})([A-Za-z]{3})(\d{1,15},\d{0,})$")
_AMOUNT_33 = re.compile(r"^([A-Za-z]{3})(\d{1,15},\d{0,})$")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_IDENTIFIER = re.compile(r"^/(?:[CD]/)?(.*)$")
_NUMBERED = re.compile(r"^([1-8])/(.*)$")
_SUPPORTED = {"103": MessageType.MT103, "202": MessageType.MT202}
_MAX_FIELDS = 500
_LINE = 35
"""Characters per line of a text field (35x); wrapped text is rejoined by this width."""


@dataclass(frozen=True)
class MtField:
    """One block-4 field: tag like '50K', value with '\\n' between lines, 1-based line number."""

    tag: str
    value: str
    line: int

    def where(self) -> str:
        return f":{self.tag}: (line {self.line})"


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
    """Quirks read past (see the module docstring); they reach the decision."""


_WARNING = "!"
"""Pseudo block id the tokenizer uses to hand a warning to the message being grouped."""


# --------------------------------------------------------------------------- tokenizer


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


def _tokenize(text: str) -> list[tuple[str, Any, int]]:
    """Split FIN text into top-level blocks: (id, str | dict | (body, line), line)."""
    blocks: list[tuple[str, Any, int]] = []
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
            after = next(b[0] for b in reversed(blocks) if b[0] != _WARNING)
            note = f"line {line}: {count} extra '}}' after block {after} ignored"
            blocks.append((_WARNING, note, line))
            continue
        match = _BLOCK_ID.match(text, pos)
        if match is None:
            raise ParseError("mt-structure", f"line {line}: expected '{{n:' block")
        block_id, pos = match.group(1), match.end()
        content: Any
        if pos < len(text) and text[pos] == "{":
            content, pos = _read_subblocks(text, pos, block_id)
        elif block_id == "4":
            body, pos, quirk = _read_text_block(text, pos, line)
            content = (body, line)  # the body starts on the line of '{4:'
            if quirk:
                blocks.append((_WARNING, f"line {line + body.count(chr(10))}: {quirk}", line))
        else:
            end = text.find("}", pos)
            if end < 0:
                raise ParseError("mt-structure", f"line {line}: block {block_id} not closed")
            content, pos = text[pos:end], end + 1
        blocks.append((block_id, content, line))


def _trim(line: str) -> str:
    """Drop trailing blanks that are not content. A field line holds at most 35 characters,
    and a full one (35) continues into the next line without a space (70, names in 52D/59):
    blanks past column 35 are padding, and a shorter line's trailing blanks end a phrase
    anyway. Blanks inside the 35 columns of a full line are kept: they are text."""
    if len(line) > _LINE and not line[_LINE:].strip():
        return line[:_LINE]
    return line if len(line) == _LINE else line.rstrip(" \t")


def _fields(body: str, first_line: int, warnings: list[str]) -> list[MtField]:
    """Block 4 body -> fields; lines that do not start a tag continue the previous field.

    No field line may start with ':' in FIN, so ':32a:' can only be a tag written in lower case.
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


def _group(blocks: list[tuple[str, Any, int]]) -> list[MtMessage]:
    """Group blocks into messages (each starts at block 1); ACK/NAK blocks attach to the next."""
    messages: list[MtMessage] = []
    ack: dict[str, str] = {}
    pending: list[str] = []  # warnings met before the message they belong to starts
    current: MtMessage | None = None
    for block_id, content, line in blocks:
        if block_id == _WARNING:
            (pending if current is None else current.warnings).append(content)
            continue
        if block_id == "1":
            if not isinstance(content, str):
                raise ParseError("mt-structure", f"line {line}: block 1 must be plain text")
            is_ack = content.strip().upper().startswith("F21")
            current = None if is_ack else MtMessage(content, "", ack=ack, warnings=pending)
            if current is not None:
                messages.append(current)
                ack, pending = {}, []
            continue
        if current is None:
            if block_id == "4" and isinstance(content, dict):
                ack = content
                continue
            raise ParseError("mt-structure", f"line {line}: block {block_id} before block 1")
        _attach(current, block_id, content, line)
    return messages


def _attach(message: MtMessage, block_id: str, content: Any, line: int) -> None:
    if block_id == "2" and isinstance(content, str):
        message.block2 = content
    elif block_id == "3" and isinstance(content, dict):
        message.block3 = content
    elif block_id == "4" and isinstance(content, tuple):
        body, first_line = content
        message.fields = _fields(body, first_line, message.warnings)
    elif block_id in ("5", "S") and isinstance(content, dict):
        message.block5.update(content)
    elif block_id in ("3", "5", "S") and isinstance(content, str) and not content.strip():
        message.warnings.append(f"line {line}: empty block {block_id} ignored")
    else:
        raise ParseError("mt-structure", f"line {line}: unexpected block {block_id}")


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


# --------------------------------------------------------------------------- headers


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


def _header_agents(
    message: MtMessage,
) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Message type, sender and receiver agents, and created_at facts from blocks 1 and 2."""
    terminal = _block1_terminal(message)
    block2 = _header_text(message.block2, "2", message.warnings)
    out = _BLOCK2_OUT.match(block2)
    if out is not None:
        if out.group(5) is None:
            message.warnings.append("block 2 lacks the MIR session and sequence number")
        sender = {"bic": _lt_to_bic(out.group(4)), "role": "block2"}
        receiver = {"bic": _lt_to_bic(terminal), "role": "block1"}
        facts = {"direction": "output", "input_time": out.group(2), "input_date": out.group(3)}
        return out.group(1), sender, receiver, facts
    inp = _BLOCK2_IN.match(block2)
    if inp is None:
        raise ParseError("mt-structure", f"block 2 malformed: {message.block2[:30]!r}")
    sender = {"bic": _lt_to_bic(terminal), "role": "block1"}
    receiver = {"bic": _lt_to_bic(inp.group(2)), "role": "block2"}
    return inp.group(1), sender, receiver, {"direction": "input"}


def _yymmdd(value: str, where: str) -> date:
    """SWIFT YYMMDD; years 00-79 are 20YY and 80-99 are 19YY (the usual FIN convention)."""
    try:
        yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:6])
        return date(2000 + yy if yy < 80 else 1900 + yy, mm, dd)
    except ValueError:
        raise ParseError("mt-field", f"{where}: invalid date {value!r}") from None


def _created_at(facts: dict[str, Any], value_date: date) -> tuple[datetime, str]:
    if facts["direction"] == "output":
        day = _yymmdd(facts["input_date"], "block 2 MIR date")
        hh, mi = int(facts["input_time"][:2]), int(facts["input_time"][2:])
        if hh < 24 and mi < 60:
            return datetime(day.year, day.month, day.day, hh, mi, tzinfo=UTC), "block2"
    return datetime(value_date.year, value_date.month, value_date.day, tzinfo=UTC), "32A"


# --------------------------------------------------------------------------- field values


def _decimal_text(value: str) -> str:
    """'1814,28' -> '1814.28', '19999,' -> '19999' (the model makes the Decimal)."""
    whole, _, cents = value.partition(",")
    return f"{whole}.{cents}" if cents else whole


def _currency(code: str, fld: MtField, warnings: list[str]) -> str:
    if not code.isupper():
        warnings.append(f"{fld.where()}: currency {code!r} in lower case")
    return code.upper()


def _amount_32a(fld: MtField, warnings: list[str]) -> tuple[date, str, str]:
    match = _AMOUNT_32.match(fld.value.strip())
    if match is None:
        raise ParseError("mt-field", f"{fld.where()}: expected YYMMDD + currency + amount")
    value_date = _yymmdd(match.group(1), fld.where())
    return value_date, _currency(match.group(2), fld, warnings), _decimal_text(match.group(3))


def _identifier(lines: list[str]) -> tuple[str | None, list[str]]:
    """Split an optional '/account' or '//clearing' first line from the remaining lines."""
    if lines and lines[0].startswith("/"):
        match = _IDENTIFIER.match(lines[0])
        ident = match.group(1).strip() if match else lines[0]
        return ident or None, lines[1:]
    return None, lines


def _check_bic(value: str, fld: MtField) -> str:
    bic = value.strip().upper()
    if not _BIC.match(bic):
        raise ParseError("mt-field", f"{fld.where()}: invalid BIC {value.strip()!r}")
    return bic


def _bic_country(bic: str | None) -> str | None:
    return bic[4:6] if bic and bic[4:6].isalpha() else None


def _agent(fld: MtField | None, role: str | None = None) -> dict[str, Any] | None:
    """Options A (BIC) and D (name and address) identify a bank; B/C (account, location) don't."""
    if fld is None:
        return None
    ident, lines = _identifier(fld.value.split("\n"))
    option = fld.tag[2:] or "-"
    data: dict[str, Any] = {"role": role}
    if ident and ident.startswith("/"):
        data["clearing_id"] = ident.lstrip("/")
    elif ident:
        data["account"] = ident
    if option == "A":
        if not lines:
            raise ParseError("mt-field", f"{fld.where()}: option A needs a BIC line")
        data["bic"] = _check_bic(lines[0], fld)
    elif option == "D" and lines and lines[0].strip():
        name, rest = _run_on_name(lines)
        data["name"] = name
        data["address"] = [line.strip() for line in rest if line.strip()]
    else:
        return None
    return {k: v for k, v in data.items() if v not in (None, [])}


def _run_on_name(lines: list[str]) -> tuple[str, list[str]]:
    """Option D: a name that fills its 35-character line continues on the next line (banks
    split long names that way); the lines after the name are the address."""
    name = lines[0].rstrip()
    used = 1
    while len(lines[used - 1]) >= 35 and used < len(lines):
        name += lines[used].rstrip()
        used += 1
    return name.strip(), lines[used:]


def _numbered_party(lines: list[str]) -> dict[str, Any]:
    """50F/59F: '1/' name, '2/' address, '3/CC/town' country and town; the rest as details."""
    names: list[str] = []
    address: list[str] = []
    details: list[str] = []
    country: str | None = None
    run_on = False  # the previous '1/' line was full (33 chars after '1/'): no space
    for line in lines:
        match = _NUMBERED.match(line)
        if match is None:
            (names if names and not address else details).append(line.strip())
            continue
        number, text = match.group(1), match.group(2).strip()
        if number == "1":
            if run_on and names:
                names[-1] += match.group(2)
            else:
                names.append(match.group(2))
            run_on = len(match.group(2)) >= 33
        elif number == "2":
            address.append(text)
        elif number == "3":
            country, _, town = text.partition("/")
            if town:
                address.append(town)
        else:
            details.append(f"{number}/{text}")
    return {
        "name": " ".join(n.strip() for n in names if n.strip()),
        "address": address,
        "country": (country or "").upper() or None,
        "details": details,
    }


def _party(fld: MtField, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """50A/F/K, 59/59A/59F: the ordering or beneficiary customer (or an institution via A)."""
    lines = fld.value.split("\n")
    option = fld.tag[2:]
    data: dict[str, Any]
    if option == "F" and lines and not lines[0].startswith("/"):
        data = {"identifier": lines[0].strip(), **_numbered_party(lines[1:])}
    else:
        ident, rest = _identifier(lines)
        if option == "F":
            data = {"account": ident, **_numbered_party(rest)}
        elif option == "A":
            if not rest:
                raise ParseError("mt-field", f"{fld.where()}: option A needs a BIC line")
            bic = _check_bic(rest[0], fld)
            data = {"account": ident, "bic": bic, "name": bic, "country": _bic_country(bic)}
        else:
            named = [line.strip() for line in rest if line.strip()]
            data = {"account": ident, "name": named[0] if named else None, "address": named[1:]}
    if not data.get("name"):
        data["name"] = data.get("account") or data.get("identifier")
        data["name_missing"] = True
    data["field"] = fld.tag
    data.update(extra or {})
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def _institution(
    fld: MtField | None, fallback: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ordering/beneficiary institution as (party, agent); the header BIC when absent."""
    agent = _agent(fld) or dict(fallback)
    agent.pop("role", None)
    bic = agent.get("bic")
    party = {
        "name": agent.get("name") or bic,
        "bic": bic,
        "account": agent.get("account"),
        "country": _bic_country(bic),
        "address": agent.get("address", []),
        "field": fld.tag if fld else fallback.get("role"),
    }
    return {k: v for k, v in party.items() if v not in (None, [])}, agent


def _field72_agents(fld: MtField | None, role: str) -> list[dict[str, Any]]:
    """'/INS/' in field 72 names an instructing institution (BIC or name): a bank to screen."""
    if fld is None:
        return []
    found: list[dict[str, Any]] = []
    code, text = None, ""
    for line in [*fld.value.split("\n"), "/END/"]:
        if line.startswith("//") and code:
            text += " " + line[2:].strip()
            continue
        if code == "INS" and text.strip():
            value = text.strip()
            agent = {"bic": value} if _BIC.match(value) else {"name": value}
            found.append({**agent, "role": role})
        parts = line.split("/", 2)
        code, text = (
            (parts[1], parts[2]) if line.startswith("/") and len(parts) == 3 else (None, "")
        )
    return found


# --------------------------------------------------------------------------- messages


class _Fields:
    """Lookup over an ordered field list by tag family ('50' matches 50A, 50F, 50K)."""

    def __init__(self, fields: list[MtField]) -> None:
        self.fields = fields

    def first(self, family: str, options: str = "") -> MtField | None:
        for fld in self.fields:
            if fld.tag[:2] == family and (not options or fld.tag[2:] in options):
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


def _field70(fld: MtField | None) -> tuple[str | None, str | None]:
    """Field 70 -> (end-to-end reference from a leading '/ROC/' line, remittance text).

    The lines are hard-wrapped at 35 columns: a full line continues into the next without a
    space, a shorter one ends a phrase (joined with a space).
    """
    if fld is None:
        return None, None
    lines = fld.value.split("\n")
    roc = None
    if lines[0].startswith("/ROC/"):
        roc, lines = lines[0][5:].strip() or None, lines[1:]
    if not lines:
        return roc, None
    out = lines[0]
    for previous, line in itertools.pairwise(lines):
        out += line if len(previous) >= 35 else " " + line
    return roc, out.strip() or None


def _instructed_amount(fld: MtField | None, warnings: list[str]) -> dict[str, Any]:
    if fld is None:
        return {}
    match = _AMOUNT_33.match(fld.value.strip())
    if match is None:
        raise ParseError("mt-field", f"{fld.where()}: expected currency + amount")
    return {
        "instructed_currency": _currency(match.group(1), fld, warnings),
        "instructed_amount": _decimal_text(match.group(2)),
    }


def _common(message: MtMessage, fields: _Fields) -> dict[str, Any]:
    mt, sender, receiver, facts = _header_agents(message)
    reference = fields.require("20", "", "sender's reference")
    value_date, currency, amount = _amount_32a(
        fields.require("32", "A", "value date/amount"), message.warnings
    )
    created_at, source = _created_at(facts, value_date)
    data: dict[str, Any] = {
        "payment_id": reference.value.strip(),
        "uetr": message.block3.get("121"),
        "created_at": created_at,
        "created_at_source": source,
        "value_date": value_date,
        "currency": currency,
        "amount": amount,
        "instructing_agent": sender,
        "instructed_agent": receiver,
        "sender_reference": reference.value.strip(),
        "related_reference": fields.text("21"),
        "bank_operation_code": fields.text("23B"),
        "instruction_codes": fields.all_values("23E"),
        "time_indications": fields.all_values("13C"),
        "charges": fields.text("71A"),
        "sender_to_receiver_info": fields.text("72"),
        "regulatory_reporting": fields.text("77B"),
        "service_type": message.block3.get("119"),
        "user_reference": message.block3.get("108"),
        "direction": facts["direction"],
        "mt": mt,
    }
    if message.ack:
        data["network_ack"] = message.ack.get("451")
    return data


def _chain(fields: _Fields, families: tuple[str, ...], prefix: str = "") -> list[dict[str, Any]]:
    found = []
    for family in families:
        fld = fields.first(family)
        agent = _agent(fld, prefix + fld.tag) if fld else None
        if agent is not None:
            found.append(agent)
        elif fld is not None:
            found.append({"unidentified": True, "role": prefix + fld.tag, "value": fld.value})
    return found


def _split_chain(chain: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Agents that name a bank vs. account/location-only ones (kept in extra, not screened)."""
    banks = [a for a in chain if not a.get("unidentified")]
    other = [{"role": a["role"], "value": a["value"]} for a in chain if a.get("unidentified")]
    return banks, other


def _mt103(message: MtMessage, fields: _Fields) -> dict[str, Any]:
    data = _common(message, fields)
    chain, unidentified = _split_chain(_chain(fields, ("53", "54", "55", "56")))
    end_to_end, remittance = _field70(fields.first("70"))
    data.update(
        payment_id=end_to_end or data["payment_id"],
        end_to_end_id=end_to_end,
        message_type=MessageType.MT103,
        debtor=_party(fields.require("50", "AFK", "ordering customer")),
        creditor=_party(fields.require("59", "", "beneficiary customer")),
        debtor_agent=_agent(fields.first("52")) or data["instructing_agent"],
        creditor_agent=_agent(fields.first("57")) or data["instructed_agent"],
        intermediary_agents=chain + _field72_agents(fields.first("72"), "72/INS"),
        unidentified_agents=unidentified,
        remittance_info=remittance,
        **_instructed_amount(fields.first("33", "B"), message.warnings),
    )
    return data


def _mt202(message: MtMessage, fields: _Fields) -> dict[str, Any]:
    data = _common(message, fields)
    debtor, debtor_agent = _institution(fields.first("52"), data["instructing_agent"])
    creditor_fld = fields.require("58", "AD", "beneficiary institution")
    creditor, _ = _institution(creditor_fld, {})
    chain, unidentified = _split_chain(_chain(fields, ("53", "54", "56")))
    data.update(
        message_type=MessageType.MT202,
        debtor=debtor,
        creditor=creditor,
        debtor_agent=debtor_agent,
        creditor_agent=_agent(fields.first("57")) or data["instructed_agent"],
        intermediary_agents=chain + _field72_agents(fields.first("72"), "72/INS"),
        unidentified_agents=unidentified,
    )
    return data


def _mt202cov(message: MtMessage, fields: _Fields) -> dict[str, Any]:
    split = next((i for i, f in enumerate(fields.fields) if f.tag[:2] == "50"), None)
    if split is None:
        raise ParseError("mt-field", ":50a: missing (MT202COV sequence B ordering customer)")
    seq_a, seq_b = _Fields(fields.fields[:split]), _Fields(fields.fields[split:])
    data = _common(message, seq_a)
    chain_a = _chain(seq_a, ("52", "53", "54", "56", "57", "58"), "A/")
    chain_b = _chain(seq_b, ("56",), "B/")
    banks, unidentified = _split_chain(chain_a + chain_b)
    ordering = _agent(seq_b.first("52"))
    underlying_end_to_end, remittance = _field70(seq_b.first("70"))
    data.update(
        underlying_end_to_end_id=underlying_end_to_end,
        message_type=MessageType.MT202COV,
        debtor=_party(seq_b.require("50", "AFK", "sequence B ordering customer")),
        creditor=_party(seq_b.require("59", "", "sequence B beneficiary customer")),
        debtor_agent=ordering or _agent(seq_a.first("52")) or data["instructing_agent"],
        creditor_agent=_agent(seq_b.first("57"))
        or _agent(seq_a.first("58"))
        or data["instructed_agent"],
        intermediary_agents=banks
        + _field72_agents(seq_a.first("72"), "A/72/INS")
        + _field72_agents(seq_b.first("72"), "B/72/INS"),
        unidentified_agents=unidentified,
        remittance_info=remittance,
        cover=True,
        underlying_sender_to_receiver_info=seq_b.text("72"),
        **_instructed_amount(seq_b.first("33", "B"), message.warnings),
    )
    return data


def _to_dict(message: MtMessage) -> dict[str, Any]:
    mt_match = re.match(r"^[IO](\d{3})", message.block2.strip().upper())
    mt = mt_match.group(1) if mt_match else "?"
    if mt not in _SUPPORTED:
        raise ParseError("mt-unsupported", f"MT{mt} is not a supported payment message")
    fields = _Fields(message.fields)
    if not message.fields:
        raise ParseError("mt-structure", "no block 4 (text) fields")
    if mt == "103":
        data = _mt103(message, fields)
    elif message.block3.get("119", "").strip().upper() == "COV":
        data = _mt202cov(message, fields)
    else:
        data = _mt202(message, fields)
    data["parse_warnings"] = message.warnings
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("not-utf8", f"byte {exc.start}: {exc.reason}") from None


def parse_mt_all(raw: bytes) -> list[Payment]:
    """Every MT103/MT202/MT202COV in a FIN text or RJE batch, one Payment each."""
    messages = split_mt_messages(_decode(raw))
    if not messages:
        raise ParseError("mt-structure", "no FIN user message (block 1) found")
    return [build_payment(_to_dict(message)) for message in messages]


def parse_mt(raw: bytes) -> Payment:
    """The single MT103/MT202/MT202COV in raw (a leading ACK/NAK service message is skipped)."""
    messages = split_mt_messages(_decode(raw))
    if len(messages) != 1:
        raise ParseError(
            "multi-transaction" if messages else "mt-structure",
            f"{len(messages)} FIN user messages in one payload; use parse_messages",
        )
    return build_payment(_to_dict(messages[0]))
