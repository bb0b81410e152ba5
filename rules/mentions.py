"""What a payment says: every place a list name, bank or account can hide, read without lists.

List rules screen more than the party and agent names:
- each agent's BIC, name and clearing id; each party's name, BIC and account;
- a party name continued on the next line: SWIFT cuts the name line of 50K/59/59F (and a
  pacs.008 <Nm> rendered from it) at 35 characters and the rest of the name opens the first
  address line. When the name fills the line, the name is screened joined with address[0],
  both with a space and glued (the cut may fall inside a word), and marked `continued`;
- free text: the remittance information, each party's address lines (joined by line breaks,
  so a name that wraps across lines is read whole and a line end still ends a name) and
  every string in unknown extra fields (the payment's and each party's or agent's `extra`),
  as `TextMention`s;
- identifiers written in free text: IBANs and BICs;
- names the text itself presents as a party's (`name_spans`): what follows a party marker
  ("on behalf of", "c/o", "for account of", "FAO", "ben:", ...) up to the end of its line or a
  reference ("INV 123"), and the whole of an unknown field that holds a single short line
  (`whole_field`).

This module only reads the payment; rules.listmatch looks what it finds up in the lists.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from rules.matching.normalize import NAME_MEMO_SIZE, SHARED_NAME_MEMO_SIZE
from schemas.masking import mask_account
from schemas.payment import Payment

SWIFT_NAME_LINE = 35
"""The width of a SWIFT name/address line (MT 4*35x, the pacs.008 names rendered from MT)."""

MAX_EXTRA_STRINGS = 64
"""Unknown fields are screened up to this many strings per payment (bounded work per record)."""

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
_BIC = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
_IQ_IBAN = re.compile(r"^IQ\d{2}[A-Z]{4}\d{15}$")
_IR_IBAN = re.compile(r"^IR\d{24}$")


class Subject(NamedTuple):
    """A party or agent of the payment, with the field it sits in (for evidence).

    `continued` marks a party name joined with the address line that continues it (the last
    word of the name line may be cut). `account` and `clearing_id` are identifiers the lists
    can resolve to a bank (an IBAN's bank code, a clearing member id).
    """

    field: str
    name: str | None
    bic: str | None
    is_agent: bool
    account: str | None = None
    clearing_id: str | None = None
    continued: bool = False
    country: str | None = None
    """The country the payment gives (or its IBAN/BIC implies) for this party or agent."""


class TextMention(NamedTuple):
    """A piece of free text a payment carries, with the field path it came from."""

    field: str
    text: str
    whole: bool = False
    """An unknown field's string: the whole of it may be a name (`name_spans`)."""


class BankCode(NamedTuple):
    """A bank identified by the bank code inside an account number or clearing id."""

    country: str
    code: str
    source: str
    """What the code was read from, as evidence: the IBAN (masked) or the clearing id."""
    checked: bool
    """Whether the carrier validated (IBAN checksum and length)."""


def subjects(
    payment: Payment,
    *,
    agents: bool = True,
    parties: bool = True,
    continued: bool = True,
    line_length: int = SWIFT_NAME_LINE,
) -> list[Subject]:
    """The payment's agents (whole chain) and parties (incl. ultimate parties), in field order.

    With `continued`, a party whose name fills the SWIFT line is also screened joined with its
    first address line (see the module docstring). Built afresh on each call: a handful of
    small objects, and the core keeps no state between payments.
    """
    found: list[Subject] = []
    # Built with tuple.__new__ in field order (the NamedTuple's own __new__ is a Python call
    # per subject, and a payment has a dozen).
    if agents:
        for f, a in payment.agent_chain():
            found.append(
                _new(Subject, (f, a.name, a.bic, True, None, a.clearing_id, False, a.country))
            )
    if parties:
        for field, party in payment.parties():
            name, country = party.name, party.country
            found.append(
                _new(Subject, (field, name, party.bic, False, party.account, None, False, country))
            )
            if continued and party.address:
                for joined in continued_names(name, party.address, line_length):
                    found.append(
                        _new(Subject, (field, joined, None, False, None, None, True, country))
                    )
    return found


_new = tuple.__new__


def continued_names(name: str, address: Sequence[str], line_length: int) -> list[str]:
    """`name + " " + address[0]` and `name + address[0]` when the name fills its line.

    A name that ends one character short of the line still counts: the parser strips the
    space the cut fell on, so the continuation then starts a new word. A name longer than the
    line was not cut at it (pacs.008 names run to 140 characters, and the MT parser already
    joins 50F/59F's numbered name lines): its address is an address, screened as text.
    """
    if not address or not line_length - 1 <= len(name) <= line_length or not address[0].strip():
        return []
    rest = address[0].strip()
    return list(dict.fromkeys([f"{name} {rest}", f"{name}{rest}"]))


def text_mentions(payment: Payment) -> list[TextMention]:
    """Remittance information, joined address lines and strings in unknown fields, in order."""
    found: list[TextMention] = []
    if payment.remittance_info and payment.remittance_info.strip():
        found.append(TextMention("remittance_info", payment.remittance_info))
    budget = [MAX_EXTRA_STRINGS]
    for field, party in payment.parties():
        lines = [line for line in party.address if line.strip()]
        if lines:
            found.append(TextMention(f"{field}.address", "\n".join(lines)))
        if party.model_extra:
            found += _strings(f"{field}.extra", party.model_extra, budget)
    for field, agent in payment.agent_chain():
        if agent.model_extra:
            found += _strings(f"{field}.extra", agent.model_extra, budget)
    if payment.model_extra:
        found += _strings("extra", payment.model_extra, budget)
    return found


def _strings(path: str, value: object, budget: list[int], depth: int = 0) -> list[TextMention]:
    """Every non-empty string under `value`, depth-first in key order, within the budget."""
    if budget[0] <= 0 or depth > 4:
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        budget[0] -= 1
        return [TextMention(path, value, True)]
    found: list[TextMention] = []
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            found += _strings(f"{path}.{key}", value[key], budget, depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found += _strings(f"{path}[{i}]", item, budget, depth + 1)
    return found


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def iban_bank_code(account: str | None) -> BankCode | None:
    """The bank code inside an Iraqi or Iranian IBAN, or None for any other account.

    Iraq: IQkk + 4-letter bank code (the bank's BIC's first four letters) + 3-digit branch +
    12-digit account. Iran: IRkk + 22 digits, the first three the bank's code at the Central
    Bank of Iran's clearing. The structure decides; the checksum only grades the evidence (a
    mistyped check digit does not change which bank the account is at).
    """
    if not account:
        return None
    # Memoised: a pure function of the string, asked once per list rule for every account.
    compact = account.replace(" ", "").upper()
    if _IQ_IBAN.match(compact):
        country, code = "IQ", compact[4:8]
    elif _IR_IBAN.match(compact):
        country, code = "IR", compact[4:7]
    else:
        return None
    return BankCode(country, code, mask_account(compact) or "", iban_checksum_ok(compact))


def iban_checksum_ok(compact: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10: the IBAN, rotated and read as digits, is 1 modulo 97.

    The structure (country, length, bank code letters or digits) is checked by the caller's
    pattern; schwifty's own validation costs ~0.2 ms per account, more than the whole rest of a
    payment's list screening, for the same answer on these two formats.
    """
    rotated = compact[4:] + compact[:4]
    return int(rotated.translate(_LETTER_DIGITS)) % 97 == 1


_LETTER_DIGITS = {ord(c): str(int(c, 36)) for c in string.ascii_letters}
"""A=10 ... Z=35: the letters of an IBAN read as digits (digits stay as they are)."""


@lru_cache(maxsize=4096)
def clearing_bank_code(clearing_id: str | None) -> BankCode | None:
    """A bank code in a clearing id `SYSTEM:MEMBER`: an Iraqi 4-letter or Iranian 3-digit code.

    The system prefix must name the country (IQ..., IR...): a bare 3-digit member of another
    system (a US ABA number is 9 digits, but other schemes use short codes) is not Iranian.
    """
    if not clearing_id or ":" not in clearing_id:
        return None
    system, _, member = clearing_id.upper().rpartition(":")
    member = member.strip()
    if system.startswith("IQ") and re.fullmatch(r"[A-Z]{4}", member):
        return BankCode("IQ", member, clearing_id, True)
    if system.startswith("IR") and re.fullmatch(r"\d{3}", member):
        return BankCode("IR", member, clearing_id, True)
    return None


@lru_cache(maxsize=4096)
def clearing_bic(clearing_id: str | None) -> str | None:
    """A BIC written as the member of a clearing id (`BIC:MELIIQBA`, `SWIFT:...`), or None."""
    if not clearing_id:
        return None
    member = clearing_id.upper().rpartition(":")[2].strip()
    return member if _BIC.fullmatch(member) else None


PARTY_MARKERS = (
    "on behalf of",
    "o/b/o",
    "b/o",
    "by order of",
    "c/o",
    "care of",
    "for account of",
    "for the account of",
    "for a/c of",
    "f/a/o",
    "fao",
    "for the attention of",
    "in favour of",
    "in favor of",
)
"""Phrases a payment writes before a party's name in free text. A name right after one is the
whole name the text gives that party, not a run of words that may happen to hold one."""

PARTY_LABELS = (
    "ultimate beneficiary", "ultimate debtor", "ultimate creditor", "beneficiary", "ben",
    "ordering customer", "ordered by", "payee", "attn",
)  # fmt: skip
"""Field labels that name a party when a colon follows them ("BEN: ...", "ATTN: ...")."""

REFERENCE_WORDS = (
    "inv", "invoice", "ref", "reference", "contract", "po", "lc", "order", "proforma", "pi",
    "no", "nr", "against", "for", "payment", "bill",
)  # fmt: skip
"""Words that end a marked name when a number follows them ("INV 1234", "invoice no. 22"):
what follows is the payment's reference, not the name."""

MAX_SPAN_WORDS = 24
"""A name span holds at most this many words (the longest listed names are about this long)."""

_MARKER = re.compile(
    r"(?<![\w/])(?:(?:"
    + "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in PARTY_MARKERS)
    + r")(?![\w/])\s*:?|(?:"
    + "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in PARTY_LABELS)
    + r")\s*:)\s*",
    re.IGNORECASE,
)
_SPAN_END = re.compile(
    r"\s*(?:[;|]|\s/\s|\b(?:"
    + "|".join(REFERENCE_WORDS)
    + r")\b(?=[\s.:#/-]*(?:(?:no|nr)\b[\s.:#/-]*)?\d)|$)",
    re.IGNORECASE,
)


@lru_cache(maxsize=NAME_MEMO_SIZE)
def name_spans(text: str) -> tuple[str, ...]:
    """The names `text` presents as a party's: each run after a party marker, to the end of its
    line or to a reference ("PAYMENT ON BEHALF OF X INV 1234" gives X).

    A span is screened as a whole name (numbers and single words included), which a window of
    free text is not: "DEBBIYE 143 SAL" after "c/o" is that name.
    """
    found: list[str] = []
    for line in text.splitlines():
        for marker in _MARKER.finditer(line):
            rest = line[marker.end() :]
            end = _SPAN_END.search(rest)
            span = rest[: end.start() if end else len(rest)].strip(" ,.:-")
            if span and len(span.split()) <= MAX_SPAN_WORDS:
                found.append(span)
    return tuple(dict.fromkeys(found))


def without_markers(line: str) -> list[str]:
    """The parts of a line between party markers: a marker is no part of a name ("c/o X" is
    not "X Co"), and the name after it starts afresh."""
    return _MARKER.split(line) if _MARKER.search(line) else [line]


def whole_field(text: str) -> tuple[str, ...]:
    """An unknown field's string as a name span when it is one short line: a field the schema
    does not know ("trading_name", "related_party") may well be a name field."""
    line = text.strip()
    if line and "\n" not in line and len(line.split()) <= MAX_SPAN_WORDS:
        return (line,)
    return ()


@lru_cache(maxsize=NAME_MEMO_SIZE)
def identifiers_in_text(text: str) -> tuple[tuple[str, str], ...]:
    """("iban", compact) and ("bic", code) for every IBAN or BIC-shaped code written in `text`.

    Only upper-case codes count: a BIC-shaped English word in capitals ("PAYMENTS") can only
    ever meet a list whose BICs include it, which is how it is looked up. Memoised: every list
    rule asks for the same texts.
    """
    found = [("iban", m.group(1).replace(" ", "")) for m in _IBAN.finditer(text)]
    found += [("bic", m.group(1)) for m in _BIC.finditer(text)]
    return tuple(found)
