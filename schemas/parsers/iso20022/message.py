"""A pacs.008/pacs.009 message -> one Payment per credit transfer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from schemas.parsers.canonical import compact
from schemas.parsers.errors import ParseError, build_payment
from schemas.parsers.iso20022.envelope import ROOT_ELEMENT, open_message
from schemas.parsers.iso20022.lookup import qualified
from schemas.parsers.iso20022.pacs008 import pacs008_transaction
from schemas.parsers.iso20022.pacs009 import pacs009_transaction
from schemas.parsers.iso20022.safe_xml import Element, parse_xml_safely
from schemas.parsers.iso20022.transaction import Context, IsoPaymentFields, context
from schemas.parsers.iso20022.xsd import DEFAULT_XSD_DIR
from schemas.payment import Payment

_Reader = Callable[[Element, Context], IsoPaymentFields]
_READERS: dict[str, _Reader] = {"pacs.008": pacs008_transaction, "pacs.009": pacs009_transaction}


def _transactions(root: Element, xsd_dir: Path) -> Iterator[IsoPaymentFields]:
    message = open_message(root, xsd_dir)
    ctx = context(message)
    read = _READERS[message.kind]
    txs = message.body.findall(qualified(message.ns, "CdtTrfTxInf"))
    if not txs:
        raise ParseError("xml-schema", f"/Document/{ROOT_ELEMENT[message.kind]}: no CdtTrfTxInf")
    for index, tx in enumerate(txs):
        data = read(tx, ctx)
        if len(txs) > 1:
            data["transaction_index"] = index
        yield compact(data)


def parse_iso20022_all(raw: bytes, *, xsd_dir: Path | None = None) -> list[Payment]:
    """Every credit transfer in a pacs.008/pacs.009 message, one Payment each."""
    root = parse_xml_safely(raw)
    directory = xsd_dir or DEFAULT_XSD_DIR
    return [build_payment(data) for data in _transactions(root, directory)]


def parse_iso20022(raw: bytes, *, xsd_dir: Path | None = None) -> Payment:
    """The single credit transfer of a pacs.008/pacs.009 message.

    A message with several transactions is refused ("multi-transaction") rather than screened
    partly: use parse_iso20022_all (or parse_messages) for batches.
    """
    payments = parse_iso20022_all(raw, xsd_dir=xsd_dir)
    if len(payments) != 1:
        raise ParseError(
            "multi-transaction", f"{len(payments)} CdtTrfTxInf in one message; use parse_messages"
        )
    return payments[0]
