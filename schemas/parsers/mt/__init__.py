"""SWIFT MT103 / MT202 / MT202COV (FIN blocks 1-5) -> Payment.

No maintained PyPI package parses these into structured parties and agents (the `mt103` package,
last released 2020, is a single regex for MT103 only that rejects common block-3 tags; the 2026
`pacs008-loader-mt103` is alpha and MT103-only), so this is a small hand-written reader, one
module a step, each handing the next a typed value:

- `blocks`: FIN text -> user messages (`MtMessage`): blocks, RJE '$' separators, ACK envelopes;
- `fields`: block 4 -> fields (`MtField`: tag, value, line number) and lookups by tag;
- `header`: blocks 1 and 2 -> `Header` (message type, sender, receiver, input time);
- `values`: 32A, 33B and 70 -> dates, currencies, amounts, narrative;
- `parties`: 50a/59a customers and 52a-58a banks -> `PartyFields` / `AgentFields`;
- `payments`: MT103, MT202 and MT202COV assembled into the Payment's fields, then validated.

It is strict about what the Payment needs (20, 32A, ordering and beneficiary party) and lenient
about the rest, and it never evaluates anything: the worst input costs one linear scan.

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

from schemas.parsers.mt.blocks import MtMessage, split_mt_messages
from schemas.parsers.mt.fields import MtField
from schemas.parsers.mt.payments import parse_mt, parse_mt_all

__all__ = ["MtField", "MtMessage", "parse_mt", "parse_mt_all", "split_mt_messages"]
