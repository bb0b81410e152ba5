"""Which list tokens a query token may stand for: exact, glued article, spelling, skeleton.

Built once per index over the list's vocabulary so that a lookup never scans the vocabulary:
  - fold buckets: tokens whose transliteration-folded form is equal (Moussawi = Musawi);
  - a deletion neighbourhood (SymSpell-style, one deletion on each side) over folded forms,
    so that an edit-distance search is a handful of dict lookups, then verified with rapidfuzz's
    optimal string alignment distance (a transposition is one edit, as a typist makes it);
  - consonant skeletons, for tokens transliterated from Arabic script (no short vowels);
  - glued articles: "alhuda" <-> "huda", decided by what the vocabulary holds;
  - prefixes, for a last word cut short by a SWIFT line (the vocabulary kept sorted, bisected).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from rapidfuzz.distance import OSA

from rules.matching.lexicon import DISTINCT, SYNONYMS
from rules.matching.normalize import ABD_PARTICLES, fold, skeleton

# Similarity given to each kind of variant (1.0 is the identical token).
GLUED_SIMILARITY = 0.98
FOLD_SIMILARITY = 0.97
SKELETON_SIMILARITY = 0.9
MAX_EDIT_SIMILARITY = 0.95
MIN_EDIT_SIMILARITY = 0.8
# Similarity of a typing error: 1 - EDIT_COST * edits / length of the longer word, so one edit
# in a five-letter word is 0.9 and in a four-letter word 0.875; at most MAX_EDITS edits. Words
# the region tells apart although one edit separates them (Rajhi/Rajih) are lexicon.DISTINCT.
EDIT_COST = 0.5
MAX_EDITS = 2
MIN_EDIT_LENGTH = 4
MIN_SKELETON_LENGTH = 2
# A word cut by SWIFT's 35-character line is a prefix of the listed word: weighed a little below
# a transliteration variant, and only from MIN_PREFIX_LENGTH letters (shorter says nothing).
PREFIX_SIMILARITY = 0.9
MIN_PREFIX_LENGTH = 3
MAX_PREFIX_EXPANSIONS = 256
_GLUED_ARTICLES = ("al", "el")
# A payment's words are expanded by every list within the same payment: a short memory serves.
QUERY_WORD_CACHE_SIZE = 4096


class VariantMap:
    """Maps a query token to {vocabulary token id: similarity}."""

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        transliterated: Iterable[int],
        rare: Iterable[int] = (),
    ) -> None:
        self._vocabulary = vocabulary
        self._by_fold: dict[str, list[int]] = defaultdict(list)
        self._by_deletion: Spellings = {}
        self._by_raw_deletion: Spellings = {}
        self._by_skeleton: dict[str, list[int]] = defaultdict(list)
        self._by_skeleton_translit: dict[str, list[int]] = defaultdict(list)
        self._unglued: dict[str, int] = {}
        self._sorted = sorted(vocabulary)
        # Rare list words: a query word equal to one may still be another one mistyped.
        self._rare = frozenset(rare)
        # Spelling variants the lexicon maps to a list word ("industry" -> industries,
        # "mohammed" -> muhammad): a typing error is made on the spelling, not on the canon.
        self._spellings: dict[str, int] = {}
        for variant, canonical in [*SYNONYMS.items(), *((p, "abd") for p in ABD_PARTICLES)]:
            if canonical in vocabulary and variant not in vocabulary:
                self._spellings[variant] = vocabulary[canonical]
        self._distinct = frozenset((fold(a), fold(b)) for a, b in DISTINCT)
        translit = frozenset(transliterated)
        # One str object per distinct deletion key across both neighbourhoods (about one key
        # in seven is in both): the build's own table, dropped when the build ends.
        keys: dict[str, str] = {}
        for token, token_id in sorted(vocabulary.items()):
            self._add(token, token_id, token_id in translit, keys)
        for spelling in sorted(self._spellings):
            for key in _deletions(spelling):
                _add_spelling(self._by_raw_deletion, keys.setdefault(key, key), spelling)

    def _add(self, token: str, token_id: int, translit: bool, keys: dict[str, str]) -> None:
        folded = fold(token)
        if not self._by_fold[folded]:
            for key in _deletions(folded):
                _add_spelling(self._by_deletion, keys.setdefault(key, key), folded)
        self._by_fold[folded].append(token_id)
        for key in _deletions(token):
            _add_spelling(self._by_raw_deletion, keys.setdefault(key, key), token)
        bones = skeleton(token)
        if len(bones) >= MIN_SKELETON_LENGTH:
            self._by_skeleton[bones].append(token_id)
            if translit:
                self._by_skeleton_translit[bones].append(token_id)
        if token.startswith(_GLUED_ARTICLES) and len(token) >= 6:
            self._unglued.setdefault(token[2:], token_id)

    def expand(self, token: str, translit: bool) -> dict[int, float]:
        """Vocabulary tokens this query token may be, with a similarity in (0, 1]."""
        found: dict[int, float] = {}
        exact = self._vocabulary.get(token)
        if exact is not None:
            found[exact] = 1.0
        self._glued(token, found)
        folded = fold(token)
        for token_id in self._by_fold.get(folded, ()):
            _keep(found, token_id, FOLD_SIMILARITY)
        if exact is None or translit or exact in self._rare:
            self._edits(folded, found)
            self._raw_edits(token, found)
        self._skeletons(token, translit, found)
        return found

    def prefixed(self, prefix: str) -> dict[int, float]:
        """Vocabulary tokens that `prefix` begins (a word cut short), at PREFIX_SIMILARITY."""
        if len(prefix) < MIN_PREFIX_LENGTH:
            return {}
        found: dict[int, float] = {}
        start = bisect_left(self._sorted, prefix)
        for token in self._sorted[start : start + MAX_PREFIX_EXPANSIONS]:
            if not token.startswith(prefix):
                break
            if token != prefix:
                found[self._vocabulary[token]] = PREFIX_SIMILARITY
        return found

    def _glued(self, token: str, found: dict[int, float]) -> None:
        if token.startswith(_GLUED_ARTICLES) and len(token) >= 5:
            bare = self._vocabulary.get(SYNONYMS.get(token[2:], token[2:]))
            if bare is not None:
                _keep(found, bare, GLUED_SIMILARITY)
        glued = self._unglued.get(token)
        if glued is not None:
            _keep(found, glued, GLUED_SIMILARITY)

    def _edits(self, folded: str, found: dict[int, float]) -> None:
        for other, similarity in _within_edits(folded, self._by_deletion):
            if (folded, other) not in self._distinct:
                for token_id in self._by_fold[other]:
                    _keep(found, token_id, similarity)

    def _raw_edits(self, token: str, found: dict[int, float]) -> None:
        """The same search over unfolded spellings: folding can hide a typing error's size
        (a transposed "Hizbalalh" folds to hizbalalh, Hizballah to hizbala)."""
        for other, similarity in _within_edits(token, self._by_raw_deletion):
            if (fold(token), fold(other)) not in self._distinct:
                token_id = self._vocabulary.get(other)
                if token_id is None:
                    token_id = self._spellings[other]
                _keep(found, token_id, similarity)

    def _skeletons(self, token: str, translit: bool, found: dict[int, float]) -> None:
        bones = _query_skeleton(token)
        if len(bones) < MIN_SKELETON_LENGTH:
            return
        # An unvowelled transliteration may be any vocabulary word with its consonants; a
        # Latin query word only meets list words that were themselves transliterated.
        table = self._by_skeleton if translit else self._by_skeleton_translit
        for token_id in table.get(bones, ()):
            _keep(found, token_id, SKELETON_SIMILARITY)


Spellings = dict[str, str | tuple[str, ...]]
"""A deletion key -> the spelling it was made from, or the spellings when several share it.

Nine keys in ten come from one spelling (a vocabulary of 23,000 words gives 336,000 keys on the
full SDN), so that spelling is held as the value itself: a one-element list per key cost 88
bytes, about 30 MiB on the full SDN."""


def _add_spelling(table: Spellings, key: str, spelling: str) -> None:
    """Add `spelling` under `key`, after those already there (a key's spellings stay in the
    order they were added, so lookups find them in the same order)."""
    held = table.get(key)
    if held is None:
        table[key] = spelling
    elif isinstance(held, str):
        table[key] = (held, spelling)
    else:
        table[key] = (*held, spelling)


def _within_edits(word: str, by_deletion: Spellings) -> Iterator[tuple[str, float]]:
    """Each indexed spelling within MAX_EDITS of `word` (symmetric deletions, then OSA), with its
    similarity capped at MAX_EDIT_SIMILARITY; once per spelling, never `word` itself."""
    if len(word) < MIN_EDIT_LENGTH:
        return
    seen: set[str] = set()
    for key in _query_deletions(word):
        found = by_deletion.get(key)
        if found is None:
            continue
        for other in (found,) if isinstance(found, str) else found:
            if other in seen or other == word:
                continue
            seen.add(other)
            edits = OSA.distance(word, other, score_cutoff=MAX_EDITS)
            if edits > MAX_EDITS:
                continue
            similarity = 1 - EDIT_COST * edits / max(len(word), len(other))
            if similarity >= MIN_EDIT_SIMILARITY:
                yield other, min(similarity, MAX_EDIT_SIMILARITY)


def _keep(found: dict[int, float], token_id: int, similarity: float) -> None:
    if similarity > found.get(token_id, 0.0):
        found[token_id] = similarity


def _deletions(folded: str) -> list[str]:
    """The folded form and every form with one character deleted (distinct, in order)."""
    keys = [folded]
    if len(folded) >= MIN_EDIT_LENGTH:
        keys += [folded[:i] + folded[i + 1 :] for i in range(len(folded))]
    return list(dict.fromkeys(keys))


@lru_cache(maxsize=QUERY_WORD_CACHE_SIZE)
def _query_deletions(word: str) -> tuple[str, ...]:
    """_deletions of a query word, remembered: every list expands the same payment words (the
    lists' own words are expanded once, at build, uncached)."""
    return tuple(_deletions(word))


@lru_cache(maxsize=QUERY_WORD_CACHE_SIZE)
def _query_skeleton(word: str) -> str:
    """skeleton() of a query word, remembered for the same reason as _query_deletions."""
    return skeleton(word)
