"""What every credit transfer (CdtTrfTxInf) carries, pacs.008 or pacs.009: ids, amounts and
dates, the instructing and instructed banks, the chain of agents and the group header's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.parsers.canonical import AgentFields, PartyFields, PaymentFields
from schemas.parsers.iso20022.envelope import PacsMessage
from schemas.parsers.iso20022.lookup import find, qualified, text
from schemas.parsers.iso20022.parties import agent
from schemas.parsers.iso20022.safe_xml import Element
from schemas.parsers.iso20022.values import amount, date_time, iso_date, remittance
from schemas.payment import MessageType

_MESSAGE_TYPE = {"pacs.008": MessageType.PACS008, "pacs.009": MessageType.PACS009}
_REIMBURSEMENT = ("InstgRmbrsmntAgt", "InstdRmbrsmntAgt", "ThrdRmbrsmntAgt")
_CHAIN = (
    "PrvsInstgAgt1",
    "PrvsInstgAgt2",
    "PrvsInstgAgt3",
    "IntrmyAgt1",
    "IntrmyAgt2",
    "IntrmyAgt3",
)


class IsoPaymentFields(PaymentFields, total=False):
    """The Payment's fields plus what only ISO 20022 carries (extras, in docs/parsers.md)."""

    transaction_id: str | None
    instruction_id: str | None
    message_id: str | None
    value_date_from: str
    schema_version: str
    schema_validated: bool
    charge_bearer: str | None
    local_instrument: str | None
    created_at_assumed_utc: bool | None
    business_message_id: str | None
    initiating_party: PartyFields | None
    underlying_instructed_amount: str
    underlying_instructed_currency: str | None
    transaction_index: int


@dataclass(frozen=True)
class Context:
    """What every transaction of one message shares: the message and its group header."""

    message: PacsMessage
    ns: str
    """The message's namespace (read on every lookup, so a plain field)."""
    grp: Element
    created_at: datetime | None
    created_assumed_utc: bool


def context(message: PacsMessage) -> Context:
    """The group header's creation time, read once for all transactions."""
    grp = find(message.body, message.ns, "GrpHdr")
    created_at, assumed_utc = date_time(text(grp, message.ns, "CreDtTm"), "GrpHdr/CreDtTm")
    return Context(message, message.ns, grp, created_at, assumed_utc)


def _ids(tx: Element, ctx: Context) -> IsoPaymentFields:
    """payment_id = EndToEndId, unless absent or NOTPROVIDED: then UETR, TxId, InstrId, MsgId."""
    ns = ctx.ns
    e2e = text(tx, ns, "PmtId/EndToEndId")
    uetr = text(tx, ns, "PmtId/UETR")
    tx_id = text(tx, ns, "PmtId/TxId")
    instr_id = text(tx, ns, "PmtId/InstrId")
    msg_id = text(ctx.grp, ns, "MsgId")
    usable_e2e = e2e if e2e and e2e.upper() != "NOTPROVIDED" else None
    return {
        "payment_id": usable_e2e or uetr or tx_id or instr_id or msg_id,
        "uetr": uetr,
        "end_to_end_id": e2e,
        "transaction_id": tx_id,
        "instruction_id": instr_id,
        "message_id": msg_id,
    }


def _amounts_and_dates(tx: Element, ctx: Context) -> IsoPaymentFields:
    ns = ctx.ns
    settled = amount(find(tx, ns, "IntrBkSttlmAmt"))
    value_date = iso_date(text(tx, ns, "IntrBkSttlmDt"), "IntrBkSttlmDt") or iso_date(
        text(ctx.grp, ns, "IntrBkSttlmDt"), "GrpHdr/IntrBkSttlmDt"
    )
    data: IsoPaymentFields = {
        "amount": None if settled is None else settled.amount,
        "currency": None if settled is None else settled.currency,
        "created_at": ctx.created_at,
        "value_date": value_date,
    }
    if value_date is None and ctx.created_at is not None:
        data["value_date"] = ctx.created_at.date()
        data["value_date_from"] = "GrpHdr/CreDtTm"
    instructed = amount(find(tx, ns, "InstdAmt"))
    if instructed is not None:
        data["instructed_amount"], data["instructed_currency"] = instructed
    return data


def _instructing(tx: Element, ctx: Context) -> IsoPaymentFields:
    """Tx-level InstgAgt/InstdAgt, else the group header's, else the AppHdr's Fr/To."""
    ns, header = ctx.ns, ctx.message.app_header
    instructing = agent(find(tx, ns, "InstgAgt"), ns) or agent(find(ctx.grp, ns, "InstgAgt"), ns)
    instructed = agent(find(tx, ns, "InstdAgt"), ns) or agent(find(ctx.grp, ns, "InstdAgt"), ns)
    return {
        "instructing_agent": instructing or header.sender,
        "instructed_agent": instructed or header.receiver,
    }


def agents_at(el: Element, ns: str, tags: tuple[str, ...], prefix: str = "") -> list[AgentFields]:
    """The agents under `tags` that are present, in that order, each with its tag as role."""
    found = (agent(find(el, ns, tag), ns, prefix + tag) for tag in tags)
    return [bank for bank in found if bank is not None]


def chain(el: Element, ns: str, prefix: str = "") -> list[AgentFields]:
    """Previous instructing agents and intermediaries, in chain order, with their roles."""
    return agents_at(el, ns, _CHAIN, prefix)


def charges_agents(tx: Element, ns: str, prefix: str = "") -> list[AgentFields]:
    """Banks that took charges on the way (ChrgsInf/Agt) also touched the payment."""
    found = (
        agent(find(c, ns, "Agt"), ns, f"{prefix}ChrgsInf/Agt")
        for c in tx.findall(qualified(ns, "ChrgsInf"))
    )
    return [bank for bank in found if bank is not None]


def reimbursement(ctx: Context) -> list[AgentFields]:
    """The group header's reimbursement agents (settlement information)."""
    found = (
        agent(find(ctx.grp, ctx.ns, f"SttlmInf/{tag}"), ctx.ns, f"GrpHdr/SttlmInf/{tag}")
        for tag in _REIMBURSEMENT
    )
    return [bank for bank in found if bank is not None]


def common(tx: Element, ctx: Context) -> IsoPaymentFields:
    """The fields every transaction has, before its debtor, creditor and agents."""
    ns, message = ctx.ns, ctx.message
    data: IsoPaymentFields = {}
    data.update(_ids(tx, ctx))
    data.update(_amounts_and_dates(tx, ctx))
    data.update(_instructing(tx, ctx))
    data["message_type"] = _MESSAGE_TYPE[message.kind]
    data["schema_version"] = f"{message.kind}.{message.version}"
    data["schema_validated"] = message.schema_validated
    data["purpose_code"] = text(tx, ns, "Purp/Cd") or text(tx, ns, "Purp/Prtry")
    data["remittance_info"] = remittance(find(tx, ns, "RmtInf"), ns)
    data["charge_bearer"] = text(tx, ns, "ChrgBr")
    data["local_instrument"] = text(tx, ns, "PmtTpInf/LclInstrm/Prtry") or text(
        tx, ns, "PmtTpInf/LclInstrm/Cd"
    )
    data["created_at_assumed_utc"] = True if ctx.created_assumed_utc else None
    data["business_message_id"] = message.app_header.business_message_id
    return data
