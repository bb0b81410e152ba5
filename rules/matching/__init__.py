"""Name, BIC and identifier matching against reference lists."""

from rules.matching.names import NameHit, NameIndex
from rules.matching.normalize import name_tokens, normalize_name

__all__ = ["NameHit", "NameIndex", "name_tokens", "normalize_name"]
