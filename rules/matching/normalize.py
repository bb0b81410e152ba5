"""Name normalisation: the same bank spelt by different reporters must normalise alike.

Steps, in order (docs/matching.md explains each):
 1. Arabic/Persian script -> Latin (rules/matching/arabic.py): institution words translated,
    proper names transliterated.
 2. Unicode -> ASCII (diacritics, Turkish dotless i, ligatures) through normality, lower case.
 3. Apostrophes and ayn/hamza marks deleted, not split on: Kata'ib -> kataib.
 4. "&" -> and; hyphenated articles (Al-, El-, Ul-, sun-letter As-/Ash-/Ar-...) and free-standing
    al/el/ul dropped. Glued forms ("Alhuda") are resolved by the index against its vocabulary,
    because stripping "al" blindly would turn Albert into "bert".
 5. Variants -> one canonical token (lexicon.SYNONYMS), multi-word variants (lexicon.PHRASES),
    "Abdul Aziz"/"Abdulaziz" -> abd aziz, "Mashreqbank" -> mashreq bank, stop words dropped.
Legal-form and generic words are kept: the matcher weights them low rather than deleting them,
so that an all-generic name ("International Islamic Bank") still has a name to match.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from normality import ascii_text

from rules.matching.arabic import has_arabic, transliterate
from rules.matching.lexicon import ARTICLES, PHRASES, STOPWORDS, SYNONYMS

_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc\u02bb\u02bf\u02be`\u00b4")
_HYPHEN_ARTICLE = re.compile(
    r"\b(?:al|el|ul|il|ad|adh|an|ar|as|ash|at|ath|az|ud|un|ur|us|ut|uz)-(?=[a-z])"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_ABD = re.compile(r"^abd(?:ul|el|al|ol|oul|ou|u|e|i)?(?=[a-z]{3,}$)")
_ABD_PARTICLES = frozenset({"abdul", "abdel", "abdal", "abdol", "abdoul", "abdil"})
_NOT_A_NAME_AFTER_ABD = frozenset({"lah", "llah", "allah", "ullah", "ulla"})
_FOLD_RULES = (
    ("kh", "k"), ("gh", "g"), ("ck", "k"), ("q", "k"), ("dh", "d"),
    ("ou", "u"), ("oo", "u"), ("o", "u"), ("ee", "i"), ("ie", "i"), ("e", "i"),
)
_DOUBLED = re.compile(r"(.)\1+")
_GLUED_ARTICLES = ("al", "el")
_PHRASE_STARTS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _phrase, _replacement in PHRASES.items():
    _PHRASE_STARTS.setdefault(_phrase[0], []).append((_phrase, _replacement))
_SKELETON_DROP = re.compile(r"[aeiouyw]")


class NameTokens(NamedTuple):
    """A normalised name: its tokens in order, and which were transliterated from a script."""

    tokens: tuple[str, ...]
    transliterated: frozenset[str]


@lru_cache(maxsize=65536)
def analyse_name(name: str) -> NameTokens:
    """Normalise a name; remember which tokens are transliterations (vowels unknown)."""
    pairs: list[tuple[str, bool]] = []
    if not name.isascii() and has_arabic(name):
        for word, translit in transliterate(name):
            pairs += [(w, translit) for w in _latin_words(word)]
    else:
        pairs = [(w, False) for w in _latin_words(name)]
    pairs = _canonical(pairs)
    tokens = tuple(word for word, _ in pairs)
    return NameTokens(tokens, frozenset(word for word, translit in pairs if translit))


def normalize_name(name: str) -> str:
    """Fold a name to lower-case ASCII words with articles removed and variants unified."""
    return " ".join(analyse_name(name).tokens)


def name_tokens(name: str) -> tuple[str, ...]:
    """The normalised name's tokens, in order."""
    return analyse_name(name).tokens


def _latin_words(text: str) -> list[str]:
    text = text.translate(_APOSTROPHES)
    if not text.isascii():
        text = ascii_text(text) or ""
    text = text.lower()
    if "&" in text:
        text = text.replace("&", " and ")
    if "-" in text:
        text = _HYPHEN_ARTICLE.sub("", text)
    return [w for w in _NON_WORD.split(text) if w]


def _canonical(pairs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for word, translit in pairs:
        if word in ARTICLES or word in STOPWORDS:
            continue
        out += [(part, translit) for part in _split_word(SYNONYMS.get(word, word))]
    return _apply_phrases(out)


def _split_word(word: str) -> list[str]:
    """Undo gluing that hides a word: Abdulaziz -> abd aziz, Mashreqbank -> mashreq bank."""
    if word.startswith("abd"):
        return _split_abd(word)
    if len(word) >= 6 and word.startswith(_GLUED_ARTICLES) and word[2:] in SYNONYMS:
        # "Almashriq": the rest is a known variant, so the "al" is an article, not a letter pair.
        return [SYNONYMS[word[2:]]]
    if len(word) >= 7 and word.endswith("bank"):
        head = word[:-4]
        return [SYNONYMS.get(head, head), "bank"]
    return [word]


def _split_abd(word: str) -> list[str]:
    if word in _ABD_PARTICLES:
        return ["abd"]
    match = _ABD.match(word)
    if match and word[match.end() :] not in _NOT_A_NAME_AFTER_ABD:
        rest = word[match.end() :]
        return ["abd", SYNONYMS.get(rest, rest)]
    return [word]


def _apply_phrases(pairs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    if not any(w in _PHRASE_STARTS for w, _ in pairs):
        return pairs
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(pairs):
        for phrase, replacement in _PHRASE_STARTS.get(pairs[i][0], ()):
            window = pairs[i : i + len(phrase)]
            if tuple(w for w, _ in window) == phrase:
                translit = any(t for _, t in window)
                out += [(w, translit) for w in replacement]
                i += len(phrase)
                break
        else:
            out.append(pairs[i])
            i += 1
    return out


def fold(token: str) -> str:
    """A spelling-tolerant key: vowel and digraph variants of transliteration collapse.

    Moussawi/Musawi/Mousawi, Janoob/Janub, Khata'ib/Kataib fold alike; the matcher treats equal
    folds as near-exact and runs its edit-distance search over folded forms.
    """
    for old, new in _FOLD_RULES:
        token = token.replace(old, new)
    token = _DOUBLED.sub(r"\1", token)
    if len(token) > 3 and token.endswith("h") and token[-2] in "aiu":
        token = token[:-1]
    return token


def skeleton(token: str) -> str:
    """Consonants only: how an unvowelled Arabic-script name compares with a Latin one."""
    bones = _DOUBLED.sub(r"\1", _SKELETON_DROP.sub("", fold(token)))
    # A final h is often an unwritten vowel's spelling (Sepah/سپه, Harakah): never decisive.
    return bones[:-1] if len(bones) > 2 and bones.endswith("h") else bones
