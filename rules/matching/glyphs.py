"""Invisible characters and look-alike letters: the text tricks that hide a name from a matcher.

Two steps run before any transliteration, because a generic transliterator turns the tricks into
noise: normality's ascii_text writes U+200B as "?" and a soft hyphen as "-", which splits a word,
and it transliterates a Cyrillic "р" as "r" although a reader sees a Latin "p".

1. `strip_invisible`: Unicode format characters (category Cf: zero-width space and joiners, soft
   hyphen, bidi controls, word joiner, BOM, ...) and a few invisible letters (Hangul fillers,
   combining grapheme joiner, variation selectors) are removed. A zero-width non-joiner between
   two Arabic-script letters is the one legitimate use (Persian writes it inside compounds), so
   there it becomes a space instead.
2. `fold_lookalikes`: letters of another script that look like a Latin letter (Cyrillic а, р, с,
   Greek ο, Κ, ...) become that Latin letter, inside words that are Latin already. The look-alike
   pairs come from Unicode's confusables table (UTS #39) as packaged by confusable_homoglyphs.
   A word in which every letter is a look-alike is folded too when the name has Latin letters
   elsewhere ("ВАNК МЕLLI"). A word with a letter that looks like no Latin letter ("Сергей") is a
   real Cyrillic or Greek word and is left to transliteration, as is Arabic script always.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from confusable_homoglyphs import categories, confusables
from normality import ascii_text

# Invisible characters that are not format characters (Cf) but render as nothing.
_INVISIBLE: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800" + "".join(map(chr, range(0xFE00, 0xFE10)))
)
_ZWNJ: Final = "\u200c"
# Scripts whose letters are folded to a Latin look-alike. Arabic and Hebrew letters have
# "confusables" too (ه ~ o) but a word written in them is never a disguised Latin word.
_FOLDED_SCRIPTS: Final = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})
# Small Cyrillic letters that UTS #39 pairs with a small-capital or IPA letter (к ~ ĸ, м ~ ʍ):
# inside a lower-case Latin word a reader takes them for the plain Latin letter.
_SMALL_CAPITALS: Final = {"к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "г": "r"}


def strip_invisible(text: str) -> str:
    """`text` without format characters and invisible letters (ZWNJ in Arabic script: a space)."""
    if text.isascii():
        return text
    out: list[str] = []
    last = len(text) - 1
    for i, char in enumerate(text):
        if char.isascii():
            out.append(char)
        elif char == _ZWNJ:
            if 0 < i < last and _is_arabic(text[i - 1]) and _is_arabic(text[i + 1]):
                out.append(" ")
        elif char not in _INVISIBLE and unicodedata.category(char) != "Cf":
            out.append(char)
    return "".join(out)


def fold_lookalikes(text: str) -> str:
    """Latin look-alike letters folded to Latin inside Latin words (see the module docstring)."""
    if text.isascii():
        return text
    words = _split_words(text)
    latin_elsewhere = any(_latin_count(w) for w in words)
    return "".join(_fold_word(w, latin_elsewhere) for w in words)


def _fold_word(word: str, latin_elsewhere: bool) -> str:
    if word.isascii() or not word[0].isalpha():
        return word
    latin = _latin_count(word)
    foldable = 0
    for char in word:
        if char.isalpha() and not _is_latin(char):
            if lookalike(char) is None:
                return word  # a letter no Latin letter resembles: a real word of its script
            foldable += 1
    if foldable == 0 or not (latin or latin_elsewhere):
        return word
    return "".join(lookalike(c) or c for c in word)


def _split_words(text: str) -> list[str]:
    """Maximal runs of letters and marks, and the runs of other characters between them."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    for char in text:
        letter = char.isalpha() or unicodedata.category(char).startswith("M")
        if current and letter != in_word:
            words.append("".join(current))
            current = []
        current.append(char)
        in_word = letter
    if current:
        words.append("".join(current))
    return words


def _latin_count(word: str) -> int:
    return sum(1 for c in word if c.isalpha() and _is_latin(c))


def _is_latin(char: str) -> bool:
    return char.isascii() or _script(char) == "LATIN"


def _is_arabic(char: str) -> bool:
    return _script(char) == "ARABIC"


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    return str(categories.alias(char))


@lru_cache(maxsize=4096)
def lookalike(char: str) -> str | None:
    """The ASCII letter a Cyrillic/Greek/Armenian/... letter looks like, per UTS #39, or None.

    The confusables table pairs a capital Greek iota or Cyrillic І with a small Latin l (they are
    drawn alike in many fonts); a capital look-alike is read as the capital I here, because names
    are compared in lower case and "ΙRAN" means Iran, not "lran".
    """
    if char.isascii() or _script(char) not in _FOLDED_SCRIPTS:
        return None
    if char in _SMALL_CAPITALS:
        return _SMALL_CAPITALS[char]
    best: str | None = None
    for homoglyph in confusables.confusables_data.get(char, ()):
        target = homoglyph["c"]
        if len(target) != 1:
            continue
        if target.isascii() and target.isalpha():
            best = target
            break
        if best is None and _script(target) == "LATIN":
            spelled = ascii_text(target) or ""
            if len(spelled) == 1 and spelled.isalpha():
                best = spelled
    if best is not None and char.isupper() and best == "l":
        return "I"
    return best
