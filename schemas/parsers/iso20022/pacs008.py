"""pacs.008 (FI to FI customer credit transfer): customers are the parties, their banks the
debtor and creditor agents, every other bank in the chain."""

from __future__ import annotations

from schemas.parsers.iso20022.lookup import find
from schemas.parsers.iso20022.parties import agent, party
from schemas.parsers.iso20022.safe_xml import Element
from schemas.parsers.iso20022.transaction import (
    Context,
    IsoPaymentFields,
    chain,
    charges_agents,
    common,
    reimbursement,
)


def customer_parties(tx: Element, ns: str, data: IsoPaymentFields) -> None:
    """A customer credit transfer's parties and their banks (also a cover's underlying one)."""
    data["debtor"] = party(find(tx, ns, "Dbtr"), ns, find(tx, ns, "DbtrAcct"))
    data["creditor"] = party(find(tx, ns, "Cdtr"), ns, find(tx, ns, "CdtrAcct"))
    data["debtor_agent"] = agent(find(tx, ns, "DbtrAgt"), ns)
    data["creditor_agent"] = agent(find(tx, ns, "CdtrAgt"), ns)
    data["ultimate_debtor"] = party(find(tx, ns, "UltmtDbtr"), ns)
    data["ultimate_creditor"] = party(find(tx, ns, "UltmtCdtr"), ns)
    data["initiating_party"] = party(find(tx, ns, "InitgPty"), ns)


def pacs008_transaction(tx: Element, ctx: Context) -> IsoPaymentFields:
    ns = ctx.ns
    data = common(tx, ctx)
    customer_parties(tx, ns, data)
    data["intermediary_agents"] = reimbursement(ctx) + chain(tx, ns) + charges_agents(tx, ns)
    return data
