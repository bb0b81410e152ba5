"""Payment -> SWIFT MT103 in a FIN block 1-5 envelope, as the receiving bank sees it.

Rendered as an *output* message (block 2 'O'): that is what a bank's gateway delivers, and it
carries the sender's input date and time, so created_at survives a round trip (to the minute).
Text is transliterated to ASCII and limited to the SWIFT X character set, and every field keeps
its line and length limits, so any valid Payment renders to a well-formed MT103. What MT103
cannot carry (purpose code, ultimate parties, agent names next to a BIC) is listed in
docs/parsers.md. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from normality import ascii_text

from schemas.payment import Agent, Party, Payment

_NOT_X = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_REFERENCE = re.compile(r"^[A-Za-z0-9?:().,'+-][A-Za-z0-9/?:().,'+ -]{0,14}$")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_CHARGES = {"OUR", "SHA", "BEN"}
_TAGS_FOR_ROLE = {"53A": "53", "54A": "54", "55A": "55", "56A": "56"}


def x_text(text: str) -> str:
    """Transliterate to ASCII and keep only the SWIFT X character set."""
    return " ".join(_NOT_X.sub(" ", ascii_text(text) or "").split())


def _line(text: str, limit: int = 35) -> str:
    """One text line: X charset, cut to limit, never starting with ':' or '-' (FIN rule)."""
    line = x_text(text)[:limit]
    return "." + line[: limit - 1] if line.startswith((":", "-")) else line


def _chunks(text: str, size: int) -> list[str]:
    clean = x_text(text)
    return [clean[i : i + size] for i in range(0, len(clean), size)]


def logical_terminal(bic: str) -> str:
    """BIC8 + terminal code 'A' + branch ('XXX' when the BIC has none)."""
    return bic[:8] + "A" + (bic[8:11] if len(bic) == 11 else "XXX")


def mt_amount(value: Decimal) -> str:
    """FIN amount: comma decimal separator, always present ('9500,' or '9500,25')."""
    whole, _, fraction = format(value, "f").partition(".")
    return f"{whole},{fraction.rstrip('0')}"


def reference(payment: Payment) -> tuple[str, str | None]:
    """Field 20 and, when payment_id does not fit 16x, the '/ROC/' line that carries it."""
    if _REFERENCE.match(payment.payment_id) and "//" not in payment.payment_id:
        return payment.payment_id, None
    digest = hashlib.sha256(payment.payment_id.encode()).hexdigest()[:16].upper()
    return digest, _line("/ROC/" + payment.payment_id)


def _identifier(account: str | None) -> list[str]:
    return [_line("/" + account.replace(" ", ""))] if account else []


def agent_field(tag: str, agent: Agent) -> str:
    """Option A with a BIC, else option D with the name (and address lines from extra)."""
    account = agent.extra.get("account")
    lines = _identifier(str(account)) if account else []
    if agent.bic and _BIC.match(agent.bic):
        return f":{tag}A:" + "\n".join([*lines, agent.bic])
    address = [str(a) for a in agent.extra.get("address", [])]
    # A name longer than a line runs on into the next one (the parser joins full lines back).
    names = _chunks(agent.name or "-", 35) or ["-"]
    body = [*lines, *names, *[_line(a) for a in address]][: len(lines) + 4]
    return f":{tag}D:" + "\n".join(body)


def party_field(tag: str, party: Party) -> str:
    """50F/59F (structured: name, address, country) when account and country are known,
    else 50K/59 (name and address lines)."""
    if party.account and party.country:
        names = [f"1/{chunk}" for chunk in _chunks(party.name, 33)] or ["1/-"]
        room = max(0, 3 - len(names))
        address = [f"2/{x_text(a)[:33]}" for a in party.address[:room] if x_text(a)]
        body = [*_identifier(party.account), *names[:3], *address, f"3/{party.country}"]
        return f":{tag}F:" + "\n".join(body)
    lines = [_line(party.name), *[_line(a) for a in party.address if x_text(a)]][:4]
    suffix = "K" if tag == "50" else ""
    return f":{tag}{suffix}:" + "\n".join([*_identifier(party.account), *lines])


def _intermediaries(payment: Payment) -> tuple[list[str], list[str]]:
    """Agents with an MT role go to their tag; the first other one to 56a; the rest to 72/INS."""
    fields: dict[str, str] = {}
    ins: list[str] = []
    for agent in payment.intermediary_agents:
        tag = _TAGS_FOR_ROLE.get(str(agent.extra.get("role", "")))
        if tag is None and "56" not in fields:
            tag = "56"
        if tag is not None and tag not in fields:
            fields[tag] = agent_field(tag, agent)
        else:
            ins.extend(_narrative("/INS/", agent.bic or agent.name or "-"))
    return [fields[t] for t in sorted(fields)], ins[:6]


def _narrative(code: str, text: str) -> list[str]:
    """A field-72 code with its text wrapped at word boundaries; continuation lines start
    with '//' (the parser joins them back with a space)."""
    lines: list[str] = []
    current = code
    for word in x_text(text).split():
        room = 35 - len(current) - (0 if current in (code, "//") else 1)
        if len(word) <= room:
            current += word if current in (code, "//") else " " + word
            continue
        lines.append(current)
        current = "//" + word[:33]
    lines.append(current)
    return lines


def _remittance(payment: Payment, roc: str | None) -> str | None:
    lines = [roc] if roc else []
    if payment.remittance_info:
        lines += _chunks(payment.remittance_info, 35)
    lines = [("." + line[1:]) if line.startswith((":", "-")) else line for line in lines]
    return ":70:" + "\n".join(lines[:4]) if lines else None


def text_block(payment: Payment) -> list[str]:
    """Block 4 fields in MT103 order."""
    ref, roc = reference(payment)
    chain, ins = _intermediaries(payment)
    charges = str(payment.extra.get("charges", "SHA"))
    fields = [
        f":20:{ref}",
        ":23B:CRED",
        f":32A:{payment.value_date:%y%m%d}{payment.currency}{mt_amount(payment.amount)}",
        party_field("50", payment.debtor),
        agent_field("52", payment.debtor_agent),
        *chain,
        agent_field("57", payment.creditor_agent),
        party_field("59", payment.creditor),
        _remittance(payment, roc),
        f":71A:{charges if charges in _CHARGES else 'SHA'}",
        (":72:" + "\n".join(ins)) if ins else None,
    ]
    return [f for f in fields if f]


def _header_bic(candidates: list[Agent | None], what: str) -> str:
    """The first candidate with a usable BIC: headers address banks by BIC only."""
    for candidate in candidates:
        if candidate is not None and candidate.bic and _BIC.match(candidate.bic):
            return candidate.bic
    raise ValueError(f"MT header needs a {what} BIC: no agent in the chain has one")


def envelope(payment: Payment, mt: str, fields: list[str], block3: str = "") -> bytes:
    """Blocks 1-5 around the text block, as an output message received by the instructed bank."""
    # A bank without a BIC cannot be on FIN: the nearest bank in the chain that has one sends
    # (or receives) the message, as its correspondent would.
    chain: list[Agent | None] = list(payment.intermediary_agents)
    sender = _header_bic(
        [payment.instructing_agent, payment.debtor_agent, *chain, payment.creditor_agent], "sender"
    )
    receiver = _header_bic(
        [payment.instructed_agent, payment.creditor_agent, *chain[::-1], payment.debtor_agent],
        "receiver",
    )
    sent = payment.created_at
    stamp = f"{sent:%H%M}{sent:%y%m%d}"
    block2 = f"O{mt}{stamp}{logical_terminal(sender)}0000000000{sent:%y%m%d%H%M}N"
    uetr = f"{{121:{payment.uetr}}}" if payment.uetr else ""
    body = "\r\n".join(fields).replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    checksum = hashlib.sha256(body.encode()).hexdigest()[:12].upper()
    text = (
        f"{{1:F01{logical_terminal(receiver)}0000000000}}{{2:{block2}}}"
        f"{{3:{block3}{uetr}}}{{4:\r\n{body}\r\n-}}{{5:{{CHK:{checksum}}}}}"
    )
    return text.replace("{3:}", "").encode("ascii")


def render_mt103(payment: Payment) -> bytes:
    """Render a Payment as one MT103 output message (ASCII bytes, CRLF line ends)."""
    return envelope(payment, "103", text_block(payment))
