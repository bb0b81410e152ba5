"""Text manipulations of a listed name, one function per class (see generator.evasion).

The functions live in generator.evasion so that the generator's evasion variants and
this test deck use the same code; this module re-exports them under the names the deck uses.
`DECK_TEXT_CLASSES` adds the classes only the deck measures (the generator's traffic stays as
its seeds made it).
"""

from __future__ import annotations

import random
import re

from generator.evasion import (
    ABBREVIATIONS,
    ADDED_FORMS,
    BANK_VARIANTS,
    BANK_WORDS,
    BIDI_CONTROLS,
    CYRILLIC,
    GREEK,
    LEGAL_FORMS,
    SOFT_HYPHEN,
    SWIFT_LINE,
    TEXT_CLASSES,
    ZERO_WIDTH,
    Manipulation,
    abbreviation,
    bank_word,
    bidi_control,
    cyrillic_lookalikes,
    deletion,
    duplication,
    greek_lookalikes,
    hyphen_injected,
    insertion,
    legal_form,
    soft_hyphen,
    space_injected,
    spaced_letters,
    swift_cut,
    swift_cut_first_line,
    transposition,
    word_order,
    zero_width,
)

__all__ = [
    "ABBREVIATIONS",
    "ADDED_FORMS",
    "BANK_VARIANTS",
    "BANK_WORDS",
    "BIDI_CONTROLS",
    "CYRILLIC",
    "DECK_TEXT_CLASSES",
    "GREEK",
    "LEGAL_FORMS",
    "SOFT_HYPHEN",
    "SWIFT_LINE",
    "TEXT_CLASSES",
    "ZERO_WIDTH",
    "Manipulation",
    "abbreviation",
    "article_split",
    "bank_word",
    "bidi_control",
    "cyrillic_lookalikes",
    "deletion",
    "duplication",
    "greek_lookalikes",
    "hyphen_injected",
    "insertion",
    "legal_form",
    "soft_hyphen",
    "space_injected",
    "spaced_letters",
    "swift_cut",
    "swift_cut_first_line",
    "transposition",
    "word_order",
    "words_joined",
    "zero_width",
]


_ARTICLE = re.compile(r"\b([AaEe])([Ll])([- ])(?=\w)")


def article_split(rng: random.Random, name: str) -> str | None:
    """An Arabic article spelt out letter by letter (AL-HUDA -> A-L-HUDA, Al Rafidain -> A L
    Rafidain): a hyphen or space injected into the shortest word of a name."""
    found = list(_ARTICLE.finditer(name))
    if not found:
        return None
    hit = rng.choice(found)
    sep = rng.choice("- ")
    start, end = hit.span()
    return f"{name[:start]}{hit.group(1)}{sep}{hit.group(2)}{hit.group(3)}{name[end:]}"


def words_joined(rng: random.Random, name: str) -> str | None:
    """Two neighbouring words written together (BANK MELLAT -> BANKMELLAT, Kata'ib Hizballah
    -> Kata'ibHizballah): the space between them dropped."""
    gaps = [i for i, ch in enumerate(name) if ch == " " and 0 < i < len(name) - 1]
    gaps = [i for i in gaps if name[i - 1].isalnum() and name[i + 1].isalnum()]
    if not gaps:
        return None
    i = rng.choice(gaps)
    return name[:i] + name[i + 1 :]


DECK_TEXT_CLASSES: dict[str, Manipulation] = {
    **TEXT_CLASSES,
    "article-split": article_split,
    "words-joined": words_joined,
}
"""The generator's text classes plus the deck's own."""
