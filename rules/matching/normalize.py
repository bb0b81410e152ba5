"""Name normalisation: the same bank spelt by different reporters must normalise alike.

Case, diacritics, punctuation and Arabic script are folded by `normality` (a kept library of
the field); the region's articles (Al-, El-, Ul-) are dropped; "&" becomes "and"; spelling and
translation variants map to one canonical token (Assyria/Assur/Ahsur -> ashur,
South/Southern/Janub -> janoob). Legal-form and generic words are kept but weighted low by the
matcher, not deleted, so that "International Islamic Bank" still has a name to match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from normality import ascii_text

_ARTICLE = re.compile(r"\b(?:al|el|ul|an|ar|as|ash|at|az)[\s-]+(?=\w)")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Variants seen in reporting on the same institutions -> one canonical token.
SYNONYMS: dict[str, str] = {
    "assyria": "ashur", "assur": "ashur", "ahsur": "ashur", "ashour": "ashur", "asur": "ashur",
    "south": "janoob", "southern": "janoob", "janub": "janoob", "janoub": "janoob",
    "arab": "arabia", "arabiya": "arabia", "arabiyah": "arabia", "arabi": "arabia",
    "arabic": "arabia",
    "mashriq": "mashreq", "mashrek": "mashreq",
    "ameen": "amin",
    "huda": "huda", "hoda": "huda",
    "islami": "islamic", "islamiya": "islamic", "islamiyah": "islamic",
    "iraqi": "iraq",
    "invest": "investment", "investments": "investment",
    "financing": "finance", "financial": "finance",
    "intl": "international",
    "co": "company", "corp": "corporation",
    "bk": "bank", "banks": "bank",
}

# Words that say what kind of institution something is, not which one. Weighted low.
GENERIC: frozenset[str] = frozenset(
    {
        "bank", "islamic", "investment", "finance", "international", "iraq", "commercial",
        "development", "company", "corporation", "limited", "ltd", "plc", "pjsc", "psc", "llc",
        "sa", "group", "holding", "trade", "trading", "general", "national", "united",
        "payment", "payments", "electronic", "services", "exchange", "money", "transfer",
        "private", "public", "joint", "stock", "shareholding", "world", "trust",
    }
)

# Words that carry no identity at all; dropped.
STOPWORDS: frozenset[str] = frozenset({"and", "for", "of", "the", "in", "to", "de", "du", "la"})


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Fold a name to lower-case ASCII words with articles removed and variants unified."""
    text = (ascii_text(name) or "").lower().replace("&", " and ")
    text = _ARTICLE.sub("", text)
    words = (SYNONYMS.get(w, w) for w in _NON_WORD.split(text) if w)
    return " ".join(w for w in words if w not in STOPWORDS)


def name_tokens(name: str) -> tuple[str, ...]:
    """The normalised name's tokens, in order."""
    return tuple(normalize_name(name).split())
