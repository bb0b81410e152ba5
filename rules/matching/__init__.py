"""Name, BIC and identifier matching against reference lists.

MATCHER_VERSION names the algorithm (normalisation, lexicon, weights and scoring together) so a
finding can cite it and an old decision can be re-run with the matcher that made it. Any change
that can move a score bumps it.
"""

from rules.matching.names import NameHit, NameIndex
from rules.matching.normalize import name_tokens, normalize_name

MATCHER_VERSION = "dw-names-5"


def matcher_evidence(method: str | None) -> dict[str, str]:
    """`{"matcher": MATCHER_VERSION}` for a match found by name, else nothing.

    A name match's score depends on the algorithm as much as on the list, so a finding cites
    both versions; a BIC, IBAN or IMO match does not depend on the matcher.
    """
    return {"matcher": MATCHER_VERSION} if method and method.startswith("name") else {}


__all__ = [
    "MATCHER_VERSION",
    "NameHit",
    "NameIndex",
    "matcher_evidence",
    "name_tokens",
    "normalize_name",
]
