"""Name normalisation: the same bank spelt by different reporters must normalise alike.

Steps, in order (docs/matching.md explains each):
 0. Invisible characters (Unicode Cf: zero-width, soft hyphen, bidi controls, BOM) are removed and
    Latin look-alike letters of other scripts folded to Latin (rules/matching/glyphs.py), before
    anything else; letters spaced out one by one ("K A T A I B", "K.I.B.") are closed up.
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
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from normality import ascii_text

from rules.matching.arabic import has_arabic, transliterate
from rules.matching.glyphs import fold_lookalikes, strip_invisible
from rules.matching.lexicon import ARTICLES, LEGAL_FORMS, PHRASES, STOPWORDS, SYNONYMS

NAME_MEMO_SIZE = 4096
"""Entries of each per-name and per-text memo that serves the payments in hand (a name's
clean text, a text's identifiers, name spans and windows): every list reads the same names
within one payment, and across payments the party cache (rules/party_cache.py) answers a
subject or text seen before without reaching them. Their entries are seldom read again after
the payment."""
SHARED_NAME_MEMO_SIZE = 8192
"""Entries of each per-name memo read again across payments (a name's analysis and keys, a
text's windows): a party the party cache misses under one field is often met under another.
Over 30,000 generated payments, halving both sizes (from 8,192 and 16,384) cost at most 1.5
points of any memo's hit rate (`_name_keys` 88.8% -> 87.4%, `analyse_name` 69.0% -> 67.6%) and
freed 26 MiB; at 65,536 entries each the core's memos grew by about 200 MiB over 40,000
payments and kept growing (docs/benchmarks.md)."""
WORD_MEMO_SIZE = 32768
"""Entries of each per-word memo (canonical tokens, folded forms): payment words repeat across
payments far more than whole names do, and an entry is small. Over 50,000 generated payments
the word memo answered 87.8% of its lookups at this size and 87.5% at 65,536 (with 55,762
entries held), 1.8 MiB more."""

_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc\u02bb\u02bf\u02be`\u00b4")
_HYPHEN_ARTICLE = re.compile(
    r"\b(?:al|el|ul|il|ad|adh|an|ar|as|ash|at|ath|az|ud|un|ur|us|ut|uz)-(?=[a-z])"
)
_WORD = re.compile(r"[a-z0-9]+")
# A word with the separator before it (empty before the first word when nothing precedes it).
_SEPARATED_WORD = re.compile(r"([^a-z0-9]*)([a-z0-9]+)")
# Three or more single letters separated by a space, dot, hyphen or underscore: "K A T A I B",
# "K.I.B.", "S-E-P-A-H". Closed up into one word (an initialism or a spaced-out name).
_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])[a-z](?:[ ._\-]{1,2}[a-z](?![a-z0-9])){2,}")
_SPACED_SEPARATORS = re.compile(r"[ ._\-]")
# Two letters with dots: a legal form when the pair is one ("S.A.", "A.S.", "B.V.").
_DOTTED_PAIR = re.compile(r"(?<![a-z0-9])([a-z])\. ?([a-z])(?![a-z0-9])\.?")
_ABD = re.compile(r"^abd(?:ul|el|al|ol|oul|ou|u|e|i)?(?=[a-z]{3,}$)")
ABD_PARTICLES = frozenset({"abdul", "abdel", "abdal", "abdol", "abdoul", "abdil"})
_FOLD_RULES = (
    ("kh", "k"),
    ("gh", "g"),
    ("ck", "k"),
    ("q", "k"),
    ("dh", "d"),
    ("ou", "u"),
    ("oo", "u"),
    ("o", "u"),
    ("ee", "i"),
    ("ie", "i"),
    ("e", "i"),
)
_DOUBLED = re.compile(r"(.)\1+")
_GLUED_ARTICLES = ("al", "el")
_NONE: frozenset[str] = frozenset()
_PHRASE_STARTS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _phrase, _replacement in PHRASES.items():
    _PHRASE_STARTS.setdefault(_phrase[0], []).append((_phrase, _replacement))
_SKELETON_DROP = re.compile(r"[aeiouyw]")
_VOWEL = re.compile(r"[aeiouy]")
# What may follow "abd" in a spelling of Abdullah ("Abdallah", "Abdalah", "Abdoallah"): the
# word is then one name, not abd + a name.
_ALLAH = re.compile(r"^[aeiou]{0,2}l{1,2}[aeiou]{0,2}h?$")


class NameTokens(NamedTuple):
    """A normalised name: its tokens in order, which were transliterated from a script (vowels
    unknown), and which were closed up from letters spaced out one by one (the index may split
    those again into list words: "kataibhizballah")."""

    tokens: tuple[str, ...]
    transliterated: frozenset[str]
    collapsed: frozenset[str] = frozenset()


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def analyse_name(name: str) -> NameTokens:
    """Normalise a name; remember which tokens are transliterations (vowels unknown)."""
    name = clean_text(name)
    collapsed: set[str] = set()
    if name.isascii() or not has_arabic(name):
        words = _latin_words(name, collapsed)
        tokens = _apply_phrases([t for w in words for t in _canonical_word(w)])
        return NameTokens(tokens, _NONE, _collapsed(tokens, collapsed))
    canonical_tokens: list[str] = []
    translit: set[str] = set()
    for word, from_script in transliterate(name):
        for latin in _latin_words(word, collapsed):
            canonical = _canonical_word(latin)
            canonical_tokens += canonical
            if from_script:
                translit.update(canonical)
    tokens = _apply_phrases(canonical_tokens)
    return NameTokens(tokens, frozenset(translit), _collapsed(tokens, collapsed))


@lru_cache(maxsize=NAME_MEMO_SIZE)
def clean_text(name: str) -> str:
    """Step 0: invisible characters out, compatibility forms (NFKC) and look-alikes folded."""
    if name.isascii():
        return name
    return fold_lookalikes(unicodedata.normalize("NFKC", strip_invisible(name)))


def fragments(name: str) -> tuple[tuple[str, str], ...]:
    """The name's words before articles, stop words and variants are applied, each with the
    separator before it ("" for the first). A single space or hyphen between two words may be
    an injected split ("Mel-li", "Kata ib", a word continued on the next line); the index
    re-joins such pairs when the join is one of its list words, keeping every other separator
    (so "S.A." stays a legal form)."""
    text = _without_apostrophes(clean_text(name))
    if not text.isascii():
        if has_arabic(text):
            return ()
        text = ascii_text(text) or ""
    text = text.lower()
    if " " in text or "." in text or "-" in text or "_" in text:
        text = _SPACED_LETTERS.sub(lambda m: _SPACED_SEPARATORS.sub("", m.group(0)), text)
    return tuple([(word, separator) for separator, word in _SEPARATED_WORD.findall(text)])


def _collapsed(tokens: tuple[str, ...], collapsed: set[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if t in collapsed) if collapsed else _NONE


def normalize_name(name: str) -> str:
    """Fold a name to lower-case ASCII words with articles removed and variants unified."""
    return " ".join(analyse_name(name).tokens)


def name_tokens(name: str) -> tuple[str, ...]:
    """The normalised name's tokens, in order."""
    return analyse_name(name).tokens


def _without_apostrophes(text: str) -> str:
    """Step 3's deletion of apostrophes; an ASCII text can hold only two of them, and two
    `in` tests are much cheaper than a translation table."""
    if text.isascii():
        if "'" in text:
            text = text.replace("'", "")
        return text.replace("`", "") if "`" in text else text
    return text.translate(_APOSTROPHES)


def _latin_words(text: str, collapsed: set[str]) -> list[str]:
    text = _without_apostrophes(text)
    if not text.isascii():
        text = ascii_text(text) or ""
    text = text.lower()
    if " " in text or "." in text or "-" in text or "_" in text:
        text = _SPACED_LETTERS.sub(lambda m: _close_up(m.group(0), collapsed), text)
        if "." in text:
            text = _DOTTED_PAIR.sub(_legal_form_pair, text)
    if "&" in text:
        text = text.replace("&", " and ")
    if "-" in text:
        text = _HYPHEN_ARTICLE.sub("", text)
    return _WORD.findall(text)


def _legal_form_pair(match: re.Match[str]) -> str:
    pair = match.group(1) + match.group(2)
    return f" {pair} " if pair in LEGAL_FORMS else match.group(0)


def _close_up(spaced: str, collapsed: set[str]) -> str:
    word = _SPACED_SEPARATORS.sub("", spaced)
    collapsed.add(SYNONYMS.get(word, word))
    return word


@lru_cache(maxsize=WORD_MEMO_SIZE)
def canonical_word(word: str) -> tuple[str, ...]:
    """One raw word's canonical tokens (public for the index's re-joining of fragments)."""
    return _canonical_word(word)


@lru_cache(maxsize=WORD_MEMO_SIZE)
def _canonical_word(word: str) -> tuple[str, ...]:
    """One word's canonical tokens (none for articles and stop words); memoised per word."""
    if word in ARTICLES or word in STOPWORDS:
        return ()
    return tuple(_split_word(SYNONYMS.get(word, word)))


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
    if word in ABD_PARTICLES:
        return ["abd"]
    match = _ABD.match(word)
    rest = word[match.end() :] if match else ""
    # The rest must be a name: "Abdullh" (a typo of Abdullah) is not abd + "llh".
    if match and not _ALLAH.match(rest) and _VOWEL.search(rest):
        return ["abd", SYNONYMS.get(rest, rest)]
    return [word]


def _apply_phrases(tokens: list[str]) -> tuple[str, ...]:
    if _PHRASE_STARTS.keys().isdisjoint(tokens):
        return tuple(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, replacement in _PHRASE_STARTS.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out += replacement
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


@lru_cache(maxsize=WORD_MEMO_SIZE)
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
