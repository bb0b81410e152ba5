"""Name, BIC and identifier matching against reference lists.

MATCHER_VERSION names the algorithm (normalisation, lexicon, weights and scoring together) so a
finding can cite it and an old decision can be re-run with the matcher that made it. Any change
that can move a score bumps it.
"""

from rules.matching.names import NameHit, NameIndex
from rules.matching.normalize import name_tokens, normalize_name

MATCHER_VERSION = "dw-names-2"

__all__ = ["MATCHER_VERSION", "NameHit", "NameIndex", "name_tokens", "normalize_name"]
