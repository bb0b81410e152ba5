"""pacs.009 (FI credit transfer): bank to bank, or a cover (COV) for a customer transfer.

Without an underlying transfer the debtor and creditor institutions are the parties (named by
their BIC when they carry no name) and a missing DbtrAgt/CdtrAgt is the institution itself. A
cover's underlying customer transfer is the real payment: its Dbtr/Cdtr are debtor/creditor and
its agents debtor_agent/creditor_agent, exactly as the matching pacs.008 maps; the interbank
institutions and agents go to intermediary_agents with their roles.
"""

from __future__ import annotations

from schemas.parsers.iso20022.lookup import find
from schemas.parsers.iso20022.pacs008 import customer_parties
from schemas.parsers.iso20022.parties import agent, institution_party
from schemas.parsers.iso20022.safe_xml import Element
from schemas.parsers.iso20022.transaction import (
    Context,
    IsoPaymentFields,
    agents_at,
    chain,
    common,
    reimbursement,
)
from schemas.parsers.iso20022.values import amount, remittance

_UNDERLYING = "UndrlygCstmrCdtTrf/"


def _bank_to_bank(tx: Element, ctx: Context, data: IsoPaymentFields) -> None:
    """A bank-to-bank transfer: the institutions themselves are debtor and creditor."""
    ns = ctx.ns
    data["debtor"] = institution_party(find(tx, ns, "Dbtr"), ns, find(tx, ns, "DbtrAcct"))
    data["creditor"] = institution_party(find(tx, ns, "Cdtr"), ns, find(tx, ns, "CdtrAcct"))
    data["debtor_agent"] = agent(find(tx, ns, "DbtrAgt"), ns) or agent(find(tx, ns, "Dbtr"), ns)
    data["creditor_agent"] = agent(find(tx, ns, "CdtrAgt"), ns) or agent(find(tx, ns, "Cdtr"), ns)
    data["ultimate_debtor"] = institution_party(find(tx, ns, "UltmtDbtr"), ns)
    data["ultimate_creditor"] = institution_party(find(tx, ns, "UltmtCdtr"), ns)
    data["intermediary_agents"] = reimbursement(ctx) + chain(tx, ns)


def _cover(tx: Element, und: Element, ctx: Context, data: IsoPaymentFields) -> None:
    """A cover (COV): the underlying customers are the payment; the interbank layer is chain."""
    ns = ctx.ns
    interbank = (
        agents_at(tx, ns, ("Dbtr", "UltmtDbtr", "DbtrAgt"))
        + chain(tx, ns)
        + agents_at(tx, ns, ("CdtrAgt", "Cdtr", "UltmtCdtr"))
    )
    underlying = agents_at(und, ns, ("InstgAgt", "InstdAgt"), _UNDERLYING) + chain(
        und, ns, _UNDERLYING
    )
    customer_parties(und, ns, data)
    data["intermediary_agents"] = reimbursement(ctx) + interbank + underlying
    data["cover"] = True
    instructed = amount(find(und, ns, "InstdAmt"))
    if instructed is not None:
        data["underlying_instructed_amount"], data["underlying_instructed_currency"] = instructed
    text = remittance(find(und, ns, "RmtInf"), ns)
    if text:
        data["remittance_info"] = text


def pacs009_transaction(tx: Element, ctx: Context) -> IsoPaymentFields:
    data = common(tx, ctx)
    und = find(tx, ctx.ns, "UndrlygCstmrCdtTrf")
    if und is None:
        _bank_to_bank(tx, ctx, data)
    else:
        _cover(tx, und, ctx, data)
    return data
