"""One FIN message -> one Payment: the fields every MT carries, then MT103, MT202 or MT202COV.

The message type decides who the debtor and creditor are: an MT103's ordering and beneficiary
customers; an MT202's ordering and beneficiary institutions; an MT202COV's sequence B customers
(as in the MT103 the cover belongs to), with every sequence-A bank in the chain under an 'A/'
role.
"""

from __future__ import annotations

from schemas.parsers.canonical import PaymentFields, compact
from schemas.parsers.errors import ParseError, build_payment, decode_utf8
from schemas.parsers.mt.blocks import MtMessage, split_mt_messages
from schemas.parsers.mt.fields import FieldList
from schemas.parsers.mt.header import created_at, message_type, read_header
from schemas.parsers.mt.parties import (
    UnidentifiedFields,
    agent,
    chain,
    field72_agents,
    institution,
    party,
)
from schemas.parsers.mt.values import Instructed, instructed, narrative, value_dated
from schemas.payment import MessageType, Payment

_SUPPORTED = {"103": MessageType.MT103, "202": MessageType.MT202}


class MtPaymentFields(PaymentFields, total=False):
    """The Payment's fields plus what only an MT carries (extras, listed in docs/parsers.md)."""

    created_at_source: str
    sender_reference: str
    related_reference: str | None
    bank_operation_code: str | None
    instruction_codes: list[str]
    time_indications: list[str]
    charges: str | None
    sender_to_receiver_info: str | None
    regulatory_reporting: str | None
    service_type: str | None
    user_reference: str | None
    direction: str
    mt: str
    network_ack: str | None
    underlying_end_to_end_id: str | None
    unidentified_agents: list[UnidentifiedFields]
    underlying_sender_to_receiver_info: str | None


def _common(message: MtMessage, fields: FieldList) -> MtPaymentFields:
    """Blocks 1-3, the reference (20) and the value-dated amount (32A): every MT has them."""
    header = read_header(message)
    reference = fields.require("20", "", "sender's reference")
    settled = value_dated(fields.require("32", "A", "value date/amount"), message.warnings)
    created, source = created_at(header, settled.value_date)
    data: MtPaymentFields = {
        "payment_id": reference.value.strip(),
        "uetr": message.block3.get("121"),
        "created_at": created,
        "created_at_source": source,
        "value_date": settled.value_date,
        "currency": settled.currency,
        "amount": settled.amount,
        "instructing_agent": header.sender,
        "instructed_agent": header.receiver,
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
        "direction": header.direction,
        "mt": header.mt,
    }
    if message.ack:
        data["network_ack"] = message.ack.get("451")
    return data


def _put_instructed(data: MtPaymentFields, amount: Instructed | None) -> None:
    if amount is not None:
        data["instructed_currency"] = amount.currency
        data["instructed_amount"] = amount.amount


def _mt103(message: MtMessage, fields: FieldList) -> MtPaymentFields:
    data = _common(message, fields)
    banks = chain(fields, ("53", "54", "55", "56"))
    end_to_end, remittance = narrative(fields.first("70"))
    data["payment_id"] = end_to_end or data["payment_id"]
    data["end_to_end_id"] = end_to_end
    data["message_type"] = MessageType.MT103
    data["debtor"] = party(fields.require("50", "AFK", "ordering customer"))
    data["creditor"] = party(fields.require("59", "", "beneficiary customer"))
    data["debtor_agent"] = agent(fields.first("52")) or data["instructing_agent"]
    data["creditor_agent"] = agent(fields.first("57")) or data["instructed_agent"]
    data["intermediary_agents"] = banks.banks + field72_agents(fields.first("72"), "72/INS")
    data["unidentified_agents"] = banks.unidentified
    data["remittance_info"] = remittance
    _put_instructed(data, instructed(fields.first("33", "B"), message.warnings))
    return data


def _mt202(message: MtMessage, fields: FieldList) -> MtPaymentFields:
    data = _common(message, fields)
    debtor, debtor_agent = institution(fields.first("52"), data["instructing_agent"] or {})
    creditor, _ = institution(fields.require("58", "AD", "beneficiary institution"), {})
    banks = chain(fields, ("53", "54", "56"))
    data["message_type"] = MessageType.MT202
    data["debtor"] = debtor
    data["creditor"] = creditor
    data["debtor_agent"] = debtor_agent
    data["creditor_agent"] = agent(fields.first("57")) or data["instructed_agent"]
    data["intermediary_agents"] = banks.banks + field72_agents(fields.first("72"), "72/INS")
    data["unidentified_agents"] = banks.unidentified
    return data


def _mt202cov(message: MtMessage, fields: FieldList) -> MtPaymentFields:
    sequences = fields.split_at("50")
    if sequences is None:
        raise ParseError("mt-field", ":50a: missing (MT202COV sequence B ordering customer)")
    seq_a, seq_b = sequences
    data = _common(message, seq_a)
    chain_a = chain(seq_a, ("52", "53", "54", "56", "57", "58"), "A/")
    chain_b = chain(seq_b, ("56",), "B/")
    ordering = agent(seq_b.first("52"))
    underlying_end_to_end, remittance = narrative(seq_b.first("70"))
    data["underlying_end_to_end_id"] = underlying_end_to_end
    data["message_type"] = MessageType.MT202COV
    data["debtor"] = party(seq_b.require("50", "AFK", "sequence B ordering customer"))
    data["creditor"] = party(seq_b.require("59", "", "sequence B beneficiary customer"))
    data["debtor_agent"] = ordering or agent(seq_a.first("52")) or data["instructing_agent"]
    data["creditor_agent"] = (
        agent(seq_b.first("57")) or agent(seq_a.first("58")) or data["instructed_agent"]
    )
    data["intermediary_agents"] = (
        chain_a.banks
        + chain_b.banks
        + field72_agents(seq_a.first("72"), "A/72/INS")
        + field72_agents(seq_b.first("72"), "B/72/INS")
    )
    data["unidentified_agents"] = chain_a.unidentified + chain_b.unidentified
    data["remittance_info"] = remittance
    data["cover"] = True
    data["underlying_sender_to_receiver_info"] = seq_b.text("72")
    _put_instructed(data, instructed(seq_b.first("33", "B"), message.warnings))
    return data


def payment_fields(message: MtMessage) -> MtPaymentFields:
    """The Payment's fields for one FIN user message, by its message type."""
    mt = message_type(message)
    if mt not in _SUPPORTED:
        raise ParseError("mt-unsupported", f"MT{mt} is not a supported payment message")
    fields = FieldList(message.fields)
    if not message.fields:
        raise ParseError("mt-structure", "no block 4 (text) fields")
    if mt == "103":
        data = _mt103(message, fields)
    elif message.block3.get("119", "").strip().upper() == "COV":
        data = _mt202cov(message, fields)
    else:
        data = _mt202(message, fields)
    data["parse_warnings"] = message.warnings
    return compact(data)


def parse_mt_all(raw: bytes) -> list[Payment]:
    """Every MT103/MT202/MT202COV in a FIN text or RJE batch, one Payment each."""
    messages = split_mt_messages(decode_utf8(raw))
    if not messages:
        raise ParseError("mt-structure", "no FIN user message (block 1) found")
    return [build_payment(payment_fields(message)) for message in messages]


def parse_mt(raw: bytes) -> Payment:
    """The single MT103/MT202/MT202COV in raw (a leading ACK/NAK service message is skipped)."""
    messages = split_mt_messages(decode_utf8(raw))
    if len(messages) != 1:
        raise ParseError(
            "multi-transaction" if messages else "mt-structure",
            f"{len(messages)} FIN user messages in one payload; use parse_messages",
        )
    return build_payment(payment_fields(messages[0]))
