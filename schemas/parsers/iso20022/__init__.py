"""ISO 20022 pacs.008 (customer transfer) and pacs.009 (FI transfer, incl. COV) -> Payment.

Safety first (`safe_xml`): the bytes are size-checked by the caller, must be UTF-8, may not
carry a DOCTYPE, and lxml runs hardened. Then (`envelope`, `xsd`) the Document is found, bare or
beside an AppHdr, and validated against the official XSD of its exact version when that file is
available, so every later lookup (`lookup`) can trust the structure; without the XSD the message
is still parsed (the Payment model checks the fields it needs) and flagged
`schema_validated: false`. Each credit transfer is then read (`transaction` for what all carry,
`pacs008`, `pacs009` for who the parties are; `parties` for PartyIdentification and agents)
into typed fields (schemas.parsers.canonical) and validated once (`message`).

Mapping choices (see docs/parsers.md for the full tables):
- every bank in the message lands in the Payment: DbtrAgt/CdtrAgt in their slots, InstgAgt and
  InstdAgt (falling back to the group header, then to the AppHdr Fr/To), and every other agent
  (reimbursement agents, previous instructing agents, intermediaries) in intermediary_agents with
  its XML role in the agent's extra `role`;
- pacs.009 without an underlying transfer: the debtor and creditor institutions become parties
  (named by their BIC when they carry no name); a missing DbtrAgt/CdtrAgt is the institution itself;
- pacs.009 COV: the underlying customer transfer is the real payment, so its Dbtr/Cdtr are
  debtor/creditor and its agents are debtor_agent/creditor_agent, exactly as the matching pacs.008
  would map; the interbank institutions and agents go to intermediary_agents with their roles.
"""

from __future__ import annotations

from schemas.parsers.iso20022.message import parse_iso20022, parse_iso20022_all
from schemas.parsers.iso20022.safe_xml import parse_xml_safely
from schemas.parsers.iso20022.xsd import DEFAULT_XSD_DIR, load_schema

__all__ = [
    "DEFAULT_XSD_DIR",
    "load_schema",
    "parse_iso20022",
    "parse_iso20022_all",
    "parse_xml_safely",
]
