"""NameIndex: find the list entries a payment party's name may mean, fast enough for full SDN.

Algorithm dw-names-5 (docs/matching.md has the derivation, the interface and measured figures):
  1. Both sides are normalised (normalize.analyse_name) into token sets; order never matters.
     Invisible characters and look-alike letters are cleaned first (glyphs.py).
  2. Every vocabulary token has a weight: min(lexicon prior, corpus weight). The corpus weight is
     1.0 for tokens in at most max(3, N/2000) entries and falls with log(N/df) beyond that. The
     prior caps generic words (bank, trading, dar, salam) and common person names (Mohammed,
     Hussein, al-Shammari), so that sharing them says little.
  3. A query token expands to vocabulary tokens with a similarity (variants.VariantMap); the last
     word of a name cut by SWIFT's 35-character line also expands to the words it begins.
  4. Score = weighted F-beta of the aligned tokens: M is the sum over one-to-one token pairs
     of similarity x the lighter of the two weights, Wq and Wc the query's and the alias's
     total weight, and score = (1 + b^2) M / (Wq + b^2 Wc), b = BETA > 1 so that a listed
     word missing from the query costs more than an extra word in the query (b = 1 for an
     alias made of weak words only, see _beta2). Unmatched city and
     office words after the query's first word ("... Baghdad") count LOCATION_WEIGHT at most;
     unmatched words that say what kind of institution the query is ("Bank", "Hospital")
     count UNMATCHED_CLASS_WEIGHT at least. When both names say what kind of institution they
     are (bank, hotel, exchange, ...) and the kinds differ, the score is multiplied by
     CLASS_MISMATCH; when only one says "Islamic", by QUALIFIER_MISMATCH; when a person's name
     meets an organisation (or an organisation a person or a vessel), by KIND_MISMATCH.
  5. Weak aliases (OFAC's quoted a.k.a.s, acronyms of four letters or fewer) are not indexed for
     fuzzy matching: only whole-name equality finds them, as strength "weak_alias". A person's
     listed name with no word above WEAK_ALIAS_WEIGHT (common names only) must be matched word
     for word, with nothing extra.
  6. Candidates come only from the query's heaviest tokens (prefix filtering: an alias that
     matches none of them cannot reach the threshold) and only from aliases light enough to
     reach it (postings are sorted by alias weight and cut by bisection). A handful of
     candidates is then scored exactly; the hits are then explained token by token.
  7. A fragment split off by an injected space or hyphen is re-joined when the join is a list
     word ("Mel-li" -> melli), and letters spaced out one by one are split into list words
     ("K A T A I B HIZBALLAH"), two words written together are split ("KataibHizballah":
     list words that stand next to each other in an alias; "ofIraq": a stop word glued on),
     and an article split letter by letter is closed up ("A-l-Huda"); such alternative
     readings are scored too, the best one counts.
  8. Each entry reports its best-scoring name. A strong alias's hit also carries the primary
     name's score when the primary name is met near-exact too (primary_score): only the
     primary name is strong evidence on a large list (rules.listmatch.name_strength).
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from rules.matching.common_names import FAMILY_NAMES, GIVEN_NAMES
from rules.matching.lexicon import (
    ARTICLES,
    BRANCH_WORDS,
    FAMILY_NAME_WEIGHT,
    GIVEN_NAME_WEIGHT,
    LEGAL_FORMS,
    LOCATION_WORDS,
    NAME_CLASSES,
    ORGANIZATION_WORDS,
    PERSON_PARTICLES,
    QUALIFIERS,
    STOPWORDS,
    SYNONYMS,
    prior_weight,
)
from rules.matching.normalize import (
    SHARED_NAME_MEMO_SIZE,
    NameTokens,
    analyse_name,
    canonical_word,
    clean_text,
    fold,
    fragments,
)
from rules.matching.variants import PREFIX_SIMILARITY, VariantMap
from schemas.listentry import ListEntry

BETA = 1.5
_B2 = BETA**2
LOCATION_WEIGHT = 0.05
CLASS_MISMATCH = 0.8
QUALIFIER_MISMATCH = 0.9
KIND_MISMATCH = 0.8
UNMATCHED_CLASS_WEIGHT = 0.5
WEAK_ALIAS_WEIGHT = 0.5
RARE_FRACTION = 1 / 2000
MIN_CORPUS_WEIGHT = 0.1
QUERY_CACHE_SIZE = 20_000
"""Names an index's query memo holds before it starts afresh. At 50,000 the SDN and UN memos
held about 32,000 names each after 50,000 generated payments and kept growing (a worker passed
400 MB near 100,000 payments); over 50,000 payments the memo answered 29% of the searches at
50,000 entries and 23% at 16,384."""
TOKEN_CACHE_SIZE = 200_000
JOIN_CACHE_SIZE = 20_000
GENERIC_TAIL_WEIGHT = 0.3
# Scores are rounded to four places: a raw score this far below the threshold can still be a hit.
SCORE_ROUNDING = 1e-4
# An acronym or other one-word name this short identifies nobody on its own (KIB, IBB, SRA).
MAX_ACRONYM_LENGTH = 4
# near-exact: every listed word matched at least this closely (a transliteration fold, 0.97,
# still counts), and no more than NEAR_EXACT_SLACK of weight left unmatched on either side
# (a legal form added or dropped, a trailing city).
NEAR_EXACT_SIMILARITY = 0.97
NEAR_EXACT_SLACK = 0.1
# A list word this heavy is rare: a query word equal to it is still searched for typing errors
# (a transposed "Fazli" is "Fazil", itself a listed name).
RARE_WORD_WEIGHT = 0.8
# At most this many injected splits are tried per name (each is one more reading to score).
MAX_JOINS = 4
# A word this long that is not on the list may be two words written together ("BankMellat").
MIN_GLUED_LENGTH = 6
# Short words a name glues to its neighbour ("ofIraq", "STEELCO", "HamadAL-"), and the least
# length of the word they are glued to.
_EDGE_WORDS = frozenset(w for w in ARTICLES | STOPWORDS | LEGAL_FORMS if 2 <= len(w) <= 3)
MIN_EDGE_REST = 4
# The canonical bank word, which lists glue to names (ONERBANK, KAFOLATBANK).
BANK_WORD = "bank"
# Stands in a name's joined pairs for an article spelt out letter by letter ("A-l-Huda").
SPLIT_ARTICLE = "\x00article"
# Each word of a common-names-only person must be at least this close to its listed word.
COMMON_NAME_SIMILARITY = 0.9
# SWIFT MT party fields carry the name on 35-character lines.
SWIFT_LINE = 35
# OFAC's weak a.k.a.s in remarks: "a.k.a. 'ABU MUHAMMAD AL-'ADNANI'; ..." (a name may hold an
# apostrophe, so the closing quote is the one before a separator or the end).
_OFAC_WEAK_AKA = re.compile(r"\b[afn]\.k\.a\.\s+'(.+?)'(?=\s*[;.,]|\s*$)")

# Hit strengths, strongest first (docs/matching.md, "Interface for the rules").
EXACT_PRIMARY = "exact_primary"
STRONG_ALIAS = "strong_alias"
FUZZY = "fuzzy"
WEAK_ALIAS = "weak_alias"
STRENGTHS = (EXACT_PRIMARY, STRONG_ALIAS, FUZZY, WEAK_ALIAS)

# Kinds of subject, on the list side (entity_kind) and the query side (query_kind).
PERSON = "person"
ORGANIZATION = "organization"
VESSEL = "vessel"
AIRCRAFT = "aircraft"
UNKNOWN = ""
_QUERY_KINDS = {PERSON: PERSON, ORGANIZATION: ORGANIZATION, "bank": ORGANIZATION}
_MISMATCHED_KINDS = frozenset(
    {
        (ORGANIZATION, PERSON),
        (ORGANIZATION, VESSEL),
        (ORGANIZATION, AIRCRAFT),
        (PERSON, ORGANIZATION),
        (PERSON, VESSEL),
        (PERSON, AIRCRAFT),
    }
)
_PERSON_WORDS = GIVEN_NAMES | FAMILY_NAMES | PERSON_PARTICLES


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """One aligned pair: a query word, the listed word it matched, how closely and how heavily.

    `weight` is the lighter of the two words' weights: what the pair contributes to the score
    (times `similarity`). A generic word (bank, dar) weighs 0.1-0.3, a rare name 1.0.
    """

    query: str
    listed: str
    similarity: float
    weight: float


@dataclass(frozen=True)
class NameHit:
    """A list entry whose alias matched a queried name, with why.

    entry, alias, score: the entry, the listed name that matched best, and the score in [0, 1].
    strength: EXACT_PRIMARY (near-exact match of the entry's primary name), STRONG_ALIAS (near-
      exact match of another strong alias), FUZZY (anything else over the threshold), WEAK_ALIAS
      (whole-name equality with a weak alias: an OFAC quoted a.k.a. or a short acronym; never
      grounds to block).
    entity_kind / query_kind: "person", "organization", "vessel", "aircraft" for the entry;
      "person", "organization" or "" (unknown) for the query, as given by the caller or read
      from the name. A mismatch has already cost the score KIND_MISMATCH.
    matched: the token pairs with similarity and weight; unmatched_query / unmatched_listed:
      the words either side left unmatched (with the alignment, an analyst's "why").
    truncated: the query was read as cut short by a SWIFT line (its last word matches as a
      prefix, generic listed words after the cut may be missing).
    primary_score: for a STRONG_ALIAS hit whose entry's primary name is met near-exact too
      (the alias only scored higher: "X TRADING" beside the primary "X TRADING LLC"), the
      primary name's score; else 0.0.
    """

    entry: ListEntry
    alias: str
    score: float
    strength: str = FUZZY
    entity_kind: str = UNKNOWN
    query_kind: str = UNKNOWN
    matched: tuple[TokenMatch, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_listed: tuple[str, ...] = ()
    truncated: bool = False
    primary_score: float = 0.0

    @property
    def weak(self) -> bool:
        """Whether the hit rests on a weak alias only (a rule should cap it at review)."""
        return self.strength == WEAK_ALIAS

    def evidence(self) -> dict[str, str]:
        """The hit's explanation as flat strings, for a Finding's evidence."""
        pairs = "; ".join(
            f"{m.query}={m.listed} (similarity {m.similarity:.2f}, weight {m.weight:.2f})"
            for m in self.matched
        )
        evidence = {
            "strength": self.strength,
            "entity_kind": self.entity_kind,
            "query_kind": self.query_kind or "unknown",
            "matched_tokens": pairs or "whole name",
        }
        if self.unmatched_query:
            evidence["unmatched_query_tokens"] = " ".join(self.unmatched_query)
        if self.unmatched_listed:
            evidence["unmatched_listed_tokens"] = " ".join(self.unmatched_listed)
        if self.truncated:
            evidence["truncated"] = "read as cut by a SWIFT line: last word matched as a prefix"
        if self.primary_score:
            evidence["primary_name_score"] = f"{self.primary_score:.4f}"
        return evidence


@dataclass(frozen=True, slots=True)
class _Alias:
    entry: int
    text: str
    tokens: tuple[int, ...]
    weight: float
    classes: frozenset[str]
    qualifiers: frozenset[str]
    beta2: float
    primary: bool
    common: bool
    kind: str
    length: int


class _QueryToken(NamedTuple):
    text: str
    weight: float
    variants: dict[int, float]
    location: bool
    bound: float
    gains: dict[int, float]
    prefix: bool
    floor: float
    translit: bool
    # The least an unmatched copy of this word adds to the query's weight (a city: less).
    least_unmatched: float
    # (vocabulary token, similarity, pair weight) per variant: what pairing adds to M and Wq.
    pairs: tuple[tuple[int, float, float], ...]
    # Per threshold, the token's _Slack (memoised: a worker screens at a handful of thresholds).
    slack: dict[float, _Slack]


class _Slack(NamedTuple):
    """What one query word can do to an alias's score at a threshold t (docs/matching.md §5).

    score >= t means F = M - t·q·Wq - t·c·Wc >= 0, with q = 1/(1+β²) and c = β²/(1+β²).
    The alias weighs at least the weights of the words paired with it, so a pair (similarity
    s, pair weight w) adds at most (s - t)·w to F and an unmatched query word -t·q·u (u: the
    least it weighs unmatched). q is taken at its smallest (β = 1.5), so this holds for both
    β. An alias is a hit only if the sum of its query words' contributions is >= 0.
    """

    unmatched: float  # the word's contribution to F when it is left unmatched
    lift: float  # the most pairing it adds over leaving it unmatched (>= 0)
    # max(-t·q·u, max over pairs of (s - t·q)·w), q at β = 1.5 and at β = 1: the most the
    # word adds to M - t·q·Wq, which is at least t·c·Wc for a hit (the alias weight cut).
    reach: tuple[float, float]
    # Per variant, least first: the lift of pairing with it (>= 0), and the variant itself.
    lifts: tuple[float, ...]
    variants: tuple[int, ...]


class _Query(NamedTuple):
    tokens: tuple[_QueryToken, ...]
    classes: frozenset[str]
    qualifiers: frozenset[str]
    kind: str
    length: int


class _Scored(NamedTuple):
    score: float
    alias: int
    query: _Query


_QueryScope = tuple[float, str | None, bool | None]
"""What a search asks besides the name: its threshold, the subject's kind, truncated or not."""


class NameIndex:
    """Index of every name, alias and original-script name of a set of list entries."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self._entries: list[ListEntry] = []
        self._vocabulary: dict[str, int] = {}
        self._tokens: list[str] = []
        self._aliases: list[_Alias] = []
        self._weak: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
        # The query memo: per (threshold, kind, truncated), name -> results. A list rule asks
        # under one or two of those, so keying each entry by the name alone saves a 4-tuple
        # per entry (12 MiB in process over 50,000 payments, when the memo held up to 50,000
        # names). Results are tuples: most are empty, and the empty tuple is one object.
        self._cache: dict[_QueryScope, dict[str, tuple[NameHit, ...]]] = {}
        self._token_memo: dict[tuple[str, bool, bool], _QueryToken] = {}
        # The same memo's plain words (neither transliterated nor cut), keyed by the word alone.
        self._plain_tokens: dict[str, _QueryToken] = {}
        # Adjacent word pairs ("left right") that join into a list word, with its weight, and
        # those known to join into none; words known to stand for no listed word.
        self._joins: dict[str, float] = {}
        self._unjoined: set[str] = set()
        self._inert: set[str] = set()
        # Words not on the list read as two words written together, or None (`_unglued`).
        self._glued: dict[str, tuple[str, ...] | None] = {}
        analysed = self._analyse_entries(entries)
        self._weak_keys = frozenset(" ".join(key) for key in self._weak)
        self._tokens = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
        self._weights = _token_weights(self._vocabulary, analysed, len(self._entries))
        self._build_aliases(analysed)
        self._postings = self._build_postings()
        # Every alias is of a kind a person's name costs KIND_MISMATCH against (a list of banks):
        # a name read as a person's scores at most KIND_MISMATCH here (the score before
        # penalties is at most 1: matched weight never exceeds either side's weight).
        self._persons_mismatch = all((PERSON, a.kind) in _MISMATCHED_KINDS for a in self._aliases)
        self._alias_tokens = [a.tokens for a in self._aliases]
        self._adjacent = self._adjacent_pairs()
        # Per alias, M >= threshold * (q * Wq + c): the score formula solved for M.
        self._alias_query_share = [1 / (1 + a.beta2) for a in self._aliases]
        self._alias_share = [a.beta2 * a.weight / (1 + a.beta2) for a in self._aliases]
        translit = {
            self._vocabulary[t]
            for _, _, names in analysed
            for n, weak in names
            if not weak
            for t in n.transliterated
        }
        rare = [i for i, w in enumerate(self._weights) if w >= RARE_WORD_WEIGHT]
        self._variants = VariantMap(self._vocabulary, translit, rare)

    def __len__(self) -> int:
        return len(self._aliases)

    def search(
        self,
        name: str,
        threshold: float,
        *,
        kind: str | None = None,
        truncated: bool | None = None,
    ) -> list[NameHit]:
        """Entries whose best alias scores >= threshold, best first, one hit per entry.

        kind: what the caller knows the subject is: "person", "organization" or "bank" (an
          agent); None reads it from the name (company words -> organization, common person
          names only -> person). A kind mismatch with the entry costs KIND_MISMATCH.
        truncated: the name may end in a word cut short (SWIFT's 35-character line), so its
          last word also matches as a prefix of a listed word. None: assumed when the name is
          exactly 35 characters long and ends in a letter or digit.
        """
        memo = self._cache.get((threshold, kind, truncated))
        cached = memo.get(name) if memo is not None else None
        if cached is None:
            cut = truncated if truncated is not None else _looks_cut(name)
            if self._nothing_to_find(name, cut):
                # Not remembered: told again by a few set lookups, and most names of a payment
                # are this case for every short list (a memo entry each would be most of the
                # query memos' memory).
                return []
            cached = tuple(self._search(name, threshold, kind, cut))
            # A handful of memos (one per threshold and kind asked): summing them on a miss,
            # after a search, costs nothing next to the search.
            if sum(map(len, self._cache.values())) >= QUERY_CACHE_SIZE:
                self._cache.clear()
                memo = None
            if memo is None:
                memo = self._cache[(threshold, kind, truncated)] = {}
            memo[name] = cached
        return list(cached)

    def _search(self, name: str, threshold: float, kind: str | None, cut: bool) -> list[NameHit]:
        """`search` of a name that `_nothing_to_find` does not rule out."""
        readings = self._readings(name)
        best: dict[int, _Scored] = {}
        primary: dict[int, _Scored] = {}  # the best primary-name score, when an alias beat it
        weak: dict[int, tuple[str, _Query]] = {}
        for reading in readings:
            query = self._query(reading, kind, cut)
            if not query.tokens:
                continue
            for entry, text in self._weak.get(_exact_key(reading.tokens), ()):
                weak.setdefault(entry, (text, query))
            if query.kind == PERSON and self._persons_mismatch and threshold > KIND_MISMATCH:
                continue  # a person's name against a list of institutions: no alias can reach it
            for alias_id in self._candidates(query, threshold):
                score = self._score(query, self._aliases[alias_id])
                if score < threshold:
                    continue
                alias = self._aliases[alias_id]
                scored = _Scored(score, alias_id, query)
                if alias.primary:
                    held = primary.get(alias.entry)
                    if held is None or _rank(score, alias) < _rank(
                        held.score, self._aliases[held.alias]
                    ):
                        primary[alias.entry] = scored
                current = best.get(alias.entry)
                # Ties go to the primary name (its strength can be exact_primary), then by text.
                if current is None or _rank(score, alias) < _rank(
                    current.score, self._aliases[current.alias]
                ):
                    best[alias.entry] = scored
        hits = [self._best_hit(found, primary.get(entry)) for entry, found in best.items()]
        hits += [
            self._weak_hit(entry, text, query)
            for entry, (text, query) in weak.items()
            if entry not in best
        ]
        return sorted(hits, key=lambda h: (-h.score, h.entry.entry_id, h.alias))

    def _nothing_to_find(self, name: str, cut: bool) -> bool:
        """True when `_search` would find nothing, told by word and pair lookups alone.

        Most payment names share no word with a short list (FINCEN-311, the CBI ban), yet every
        one is searched in every list. `_search` finds an alias only through a query word that
        stands for a listed word (no such word: `_candidates` is empty) and a weak alias only
        by whole-name equality. A name none of whose words stands for a listed word (its words
        are a superset of its query's: a branch designation is dropped there) and none of
        whose adjacent pairs joins into one has one reading, its analysis, and no candidate;
        if its exact key names no weak alias either, the search is empty. `_inert` and
        `_unjoined` remember the words and pairs already found to mean nothing here, so a
        name seen in parts before is told by two set lookups. A name read as cut,
        transliterated from a script or with letters spaced out takes the full search.
        """
        if cut:
            return False
        keys = _name_keys(name)
        if not keys.plain or keys.exact in self._weak_keys:
            return False
        inert = self._inert
        if not inert.issuperset(keys.words):
            plain, query_token = self._plain_tokens.get, self._query_token
            for word in keys.words:
                if word not in inert and (
                    (plain(word) or query_token(word, False)).variants or self._unglued(word)
                ):
                    return False
        if self._vocabulary.keys().isdisjoint(keys.joined):
            return True
        unjoined = self._unjoined
        if not unjoined.issuperset(keys.pairs):
            join_weight = self._join_weight
            for pair in keys.pairs:
                if pair not in unjoined and join_weight(pair) is not None:
                    return False
        return True

    # -- building -------------------------------------------------------------------------

    def _analyse_entries(
        self, entries: Iterable[ListEntry]
    ) -> list[tuple[int, ListEntry, list[tuple[NameTokens, bool]]]]:
        analysed: list[tuple[int, ListEntry, list[tuple[NameTokens, bool]]]] = []
        for entry in entries:
            position = len(self._entries)
            self._entries.append(entry)
            weak_names = _weak_names(entry)
            names: list[tuple[NameTokens, bool]] = []
            for text in _entry_names(entry):
                name = analyse_name(text)
                weak = text in weak_names or _is_acronym(name.tokens)
                names.append((name, weak))
                if weak:
                    if name.tokens:
                        self._weak[_exact_key(name.tokens)].append((position, text))
                    continue
                for token in (*name.tokens, *_glued_bank_words(text, name.tokens)):
                    self._vocabulary.setdefault(token, len(self._vocabulary))
            analysed.append((position, entry, names))
        return analysed

    def _build_aliases(
        self, analysed: list[tuple[int, ListEntry, list[tuple[NameTokens, bool]]]]
    ) -> None:
        for position, entry, names in analysed:
            seen: set[tuple[int, ...]] = set()
            kind = entity_kind(entry)
            primaries = {entry.primary_name, *entry.names_original_script[:1]}
            for text, (name, weak) in zip(_entry_names(entry), names, strict=True):
                if weak:
                    continue
                for tokens in _glued_forms(text, _alias_forms(text, without_branch(name.tokens))):
                    # A repeated word stays repeated ("INZUNZA INZUNZA", "Ali ... Ali"): it is
                    # part of the name, and a typo in one copy must still find the other.
                    ids = tuple(self._vocabulary[t] for t in tokens)
                    if not ids or ids in seen:
                        continue
                    seen.add(ids)
                    weight = sum(self._weights[i] for i in ids)
                    strongest = max(self._weights[i] for i in ids)
                    self._aliases.append(
                        _Alias(
                            position,
                            text,
                            ids,
                            weight,
                            _classes(tokens),
                            _qualifiers(tokens),
                            1.0 if kind == PERSON else _beta2(strongest),
                            text in primaries,
                            kind == PERSON and strongest <= WEAK_ALIAS_WEIGHT,
                            kind,
                            _length(tokens),
                        )
                    )

    def _build_postings(self) -> list[tuple[list[float], list[int]]]:
        by_token: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for alias_id, alias in enumerate(self._aliases):
            for token_id in alias.tokens:
                by_token[token_id].append((alias.weight, alias_id))
        postings: list[tuple[list[float], list[int]]] = []
        for token_id in range(len(self._vocabulary)):
            rows = sorted(by_token.get(token_id, []))
            postings.append(([w for w, _ in rows], [a for _, a in rows]))
        return postings

    # -- reading the query ----------------------------------------------------------------

    def _readings(self, name: str) -> list[NameTokens]:
        """The name as normalised, plus its re-joined and re-split readings when they exist."""
        analysed = analyse_name(name)
        readings = [analysed]
        readings += [analyse_name(joined) for joined in self._rejoined(name)]
        for reading in list(readings):
            split = self._split_glued(reading)
            if split is not None:
                readings.append(split)
        return readings

    def _rejoined(self, name: str) -> list[str]:
        """The name with injected splits closed ("Bank Mel-li" -> "Bank Melli"): one reading
        per split whose join is a list word, and one with every such join (the best first when
        two overlap), because a join can also glue two real words ("Ali Akbar" -> aliakbar)."""
        keys = _name_keys(name)
        if self._vocabulary.keys().isdisjoint(keys.joined) and SPLIT_ARTICLE not in keys.joined:
            return []  # no pair joins into a list word (most new names' pairs are new too)
        unjoined = self._unjoined
        joins: list[tuple[float, int]] = []
        for pair, i in zip(keys.pairs, keys.positions, strict=True):
            if pair in unjoined:
                continue
            weight = self._join_weight(pair)
            if weight is not None:
                joins.append((weight, i))
                if len(joins) == MAX_JOINS:
                    break
        if not joins:
            return []
        parts = fragments(name)  # not kept in the memo: asked only when a pair joins
        readings = [_joined(parts, {i}) for _, i in joins]
        if len(joins) > 1:
            chosen: set[int] = set()
            for _, i in sorted(joins, key=lambda j: (-j[0], j[1])):
                if i - 1 not in chosen and i + 1 not in chosen:
                    chosen.add(i)
            readings.append(_joined(parts, chosen))
        return list(dict.fromkeys(readings))

    def _join_weight(self, pair: str) -> float | None:
        """The weight of the list word a pair of adjacent words ("left right") makes when
        joined, if it makes one. Two real words glued ("Peru-vian", "Comp any") are tried too:
        each join is its own reading, and the reading that matches best counts. Memoised per
        index: neighbouring words repeat from name to name ("Al Khalidi", "Trading Company")
        even when the names are new."""
        found = self._joins.get(pair)
        if found is not None or pair in self._unjoined:
            return found
        if len(self._joins) + len(self._unjoined) >= JOIN_CACHE_SIZE:
            self._joins.clear()
            self._unjoined.clear()
        if len(pair) == 3 and _split_article(pair[0], pair[2]):
            # An article split apart ("A-l-Huda"): the join is no list word, but re-joined the
            # article is dropped as in any name, and the name's own words meet the list's.
            found = self._joins[pair] = 0.0
            return found
        joined = canonical_word(pair.replace(" ", ""))
        if not joined or any(t not in self._vocabulary for t in joined):
            self._unjoined.add(pair)
            return None
        found = self._joins[pair] = max(self._weights[self._vocabulary[t]] for t in joined)
        return found

    def _split_glued(self, reading: NameTokens) -> NameTokens | None:
        """Letters spaced out one by one, closed up, split again into list words; and two
        words written together ("KataibHizballah", "BANKMELLAT"), split apart."""
        tokens: list[str] = []
        changed = False
        for token in reading.tokens:
            pieces = self._pieces(token, reading)
            if pieces:
                tokens += pieces
                changed = True
            else:
                tokens.append(token)
        if not changed:
            return None
        return NameTokens(tuple(tokens), reading.transliterated)

    def _pieces(self, token: str, reading: NameTokens) -> Sequence[str] | None:
        """The list words a token not on the list splits into: letters closed up are
        segmented, a word of Latin script is tried as two words written together."""
        if token in self._vocabulary:
            return None
        if token in reading.collapsed:
            return self._segment(token)
        if token in reading.transliterated:
            return None
        return self._unglued(token)

    def _adjacent_pairs(self) -> array[int]:
        """Every pair of list words that stand next to each other in an alias (either order,
        and the last word with the first: a name's words may be written in another order), as
        `left * V + right` over token ids: a word that glues two of them is a name's words
        written together, not two list words that happen to spell a clean name.

        Kept as a sorted array of 8-byte integers, searched by bisection (`_is_adjacent`): a
        set of Python ints took 8.9 MiB over the full SDN and UN, the array about 1 MiB, and
        it is asked only for a word whose two halves are both list words (memoised per word).
        """
        size = len(self._vocabulary)
        pairs: set[int] = set()
        for tokens in self._alias_tokens:
            if len(tokens) < 2:
                continue
            for left, right in (*pairwise(tokens), (tokens[-1], tokens[0])):
                pairs.add(left * size + right)
                pairs.add(right * size + left)
        return array("q", sorted(pairs))

    def _is_adjacent(self, pair: int) -> bool:
        adjacent = self._adjacent
        at = bisect_left(adjacent, pair)
        return at < len(adjacent) and adjacent[at] == pair

    def _unglued(self, word: str) -> tuple[str, ...] | None:
        """The list words a word not on the list is made of, when it is two words written
        together; else None. Either two list words that stand next to each other in some
        alias ("kataibhizballah", "bankmellat"), or a list word with an article, stop word or
        legal form glued to it ("ofiraq", "steelco"). Memoised: most names' words are not on
        the list and are asked again."""
        if len(word) < MIN_GLUED_LENGTH or not word.isalpha():
            return None
        memo = self._glued
        if word in memo:
            return memo[word]
        if len(memo) >= TOKEN_CACHE_SIZE:
            memo.clear()
        found = memo[word] = self._two_words(word) or self._edge_word(word)
        return found

    def _two_words(self, word: str) -> tuple[str, ...] | None:
        vocabulary, size = self._vocabulary, len(self._vocabulary)
        for cut in range(3, len(word) - 2):
            left = vocabulary.get(SYNONYMS.get(word[:cut], word[:cut]))
            if left is None:
                continue
            right = vocabulary.get(SYNONYMS.get(word[cut:], word[cut:]))
            if right is not None and self._is_adjacent(left * size + right):
                return (self._tokens[left], self._tokens[right])
        return None

    def _edge_word(self, word: str) -> tuple[str, ...] | None:
        """A list word with a short word glued before it ("ofiraq") or after it ("steelco")."""
        for edge, rest, before in (
            (word[:2], word[2:], True),
            (word[:3], word[3:], True),
            (word[-3:], word[:-3], False),
            (word[-2:], word[:-2], False),
        ):
            found = self._edge_split(edge, rest, before)
            if found:
                return found
        return None

    def _edge_split(self, edge: str, rest: str, before: bool) -> tuple[str, ...] | None:
        """`rest` as a list word with `edge` glued on (`before` it or after it); a legal form
        stays a word of the name, an article or stop word is dropped as in any name."""
        if edge not in _EDGE_WORDS or len(rest) < MIN_EDGE_REST:
            return None
        canonical = SYNONYMS.get(rest, rest)
        if canonical not in self._vocabulary:
            return None
        kept = (edge,) if edge in LEGAL_FORMS and edge in self._vocabulary else ()
        return (*kept, canonical) if before else (canonical, *kept)

    def _segment(self, glued: str) -> list[str] | None:
        """The fewest list words (and articles) that spell `glued`, or None."""
        if len(glued) > 60:
            return None
        best: list[list[str] | None] = [None] * (len(glued) + 1)
        best[0] = []
        for end in range(1, len(glued) + 1):
            for start in range(max(0, end - 30), end):
                before = best[start]
                if before is None:
                    continue
                piece = glued[start:end]
                if piece in ARTICLES or piece in STOPWORDS:
                    words = before
                else:
                    canonical = SYNONYMS.get(piece, piece)
                    if canonical not in self._vocabulary:
                        continue
                    words = [*before, canonical]
                current = best[end]
                if current is None or len(words) < len(current):
                    best[end] = words
        found = best[len(glued)]
        return found if found and len(found) > 1 else None

    def _query(self, name: NameTokens, kind: str | None, cut: bool) -> _Query:
        texts, classes, qualifiers, inferred, length = _query_shape(name.tokens)
        query_kind = _QUERY_KINDS.get(kind or "", UNKNOWN) if kind else inferred
        if not cut and not name.transliterated:
            plain, query_token = self._plain_tokens.get, self._query_token
            return _Query(
                tuple(plain(t) or query_token(t, False) for t in texts),
                classes,
                qualifiers,
                query_kind,
                length,
            )
        last = name.tokens[-1] if cut and name.tokens else None
        tokens: list[_QueryToken] = []
        for text in texts:
            prefix = text == last
            if prefix and len(text) < 3:
                continue  # two letters of a cut word say nothing
            tokens.append(self._query_token(text, text in name.transliterated, prefix))
        return _Query(tuple(tokens), classes, qualifiers, query_kind, length)

    def _query_token(self, text: str, translit: bool, prefix: bool = False) -> _QueryToken:
        """A query token with its variants, weight and gains, memoised: payment names reuse
        a small vocabulary even when every name is new."""
        key = (text, translit, prefix)
        found = self._token_memo.get(key)
        if found is None:
            variants = self._variants.expand(text, translit)
            if prefix:
                for token_id, similarity in self._variants.prefixed(text).items():
                    if similarity > variants.get(token_id, 0.0):
                        variants[token_id] = similarity
            weight = self._query_weight(text, variants)
            gains = {t: s * min(weight, self._weights[t]) for t, s in variants.items()}
            bound = max(gains.values(), default=0.0)
            location = text in LOCATION_WORDS
            # The least this token can add to the query's weight: matched, it weighs what it
            # matched (never more than itself); unmatched, at least its weight (a city: less).
            floor = min(
                [min(weight, LOCATION_WEIGHT) if location else weight]
                + [min(weight, self._weights[t]) for t in variants]
            )
            least_unmatched = weight
            if location:
                least_unmatched = min(weight, LOCATION_WEIGHT)
            elif text in NAME_CLASSES:
                least_unmatched = max(weight, UNMATCHED_CLASS_WEIGHT)
            found = _QueryToken(
                text,
                weight,
                variants,
                location,
                bound,
                gains,
                prefix,
                floor,
                translit,
                least_unmatched,
                tuple((t, s, min(weight, self._weights[t])) for t, s in variants.items()),
                {},
            )
            if len(self._token_memo) >= TOKEN_CACHE_SIZE:
                self._token_memo.clear()
                self._plain_tokens.clear()
                self._inert.clear()
            self._token_memo[key] = found
            if not translit and not prefix:
                self._plain_tokens[text] = found
                if not variants and self._unglued(text) is None:
                    self._inert.add(text)
        return found

    def _query_weight(self, text: str, variants: dict[int, float]) -> float:
        """A known token's own weight; else the heaviest list word it may stand for (a pair
        weighs the lighter of its two words, so a misspelling weighs what it is paired with);
        else the prior."""
        exact = self._vocabulary.get(text)
        if exact is not None:
            return self._weights[exact]
        if not variants:
            return _prior(text)
        return max(self._weights[t] for t in variants)

    # -- scoring --------------------------------------------------------------------------

    def _candidates(self, query: _Query, threshold: float) -> list[int]:
        """Aliases that can still reach the threshold, in id order.

        Prefix filter: an alias matching none of the heaviest query tokens cannot collect
        enough matched weight. Variant filter: of those tokens, only the variants whose
        pairing could lift the score's slack enough are looked up (_Slack, docs/matching.md
        §5). Weight filter: postings are sorted by alias weight, and an alias heavier than the
        query can cover, or lighter than the matched weight the threshold needs, is cut by
        bisection. Bound filter: each survivor's matched weight is bounded from above by
        summing the best gain of each of its tokens.

        The slack bounds are taken at the threshold less SCORE_ROUNDING (scores are rounded to
        four places) and only narrow the other filters, so they never drop a hit.
        """
        tokens = query.tokens
        if not any(t.variants for t in tokens):
            # No word stands for a listed word (most new names against a short list): no alias
            # gains any matched weight, so none can reach a positive threshold.
            return []
        least_total = sum([t.floor for t in tokens])
        most_matched = sum([t.bound for t in tokens])
        needed = threshold * least_total / (1 + _B2 * (1 - threshold))
        if most_matched < needed:
            return []  # the prefix below would be empty: nothing to look up
        # An alias lighter than `needed` fails the bound filter (its gains sum to at most its
        # weight): cutting it early only saves work.
        min_alias_weight = needed - 1e-9
        max_alias_weight = math.inf
        if threshold > 0:
            # The lighter of the two β's bounds ((1 + b2) * most_matched / threshold -
            # least_total) / b2, written out (this runs once per name and list).
            max_alias_weight = 1e-9 + max(
                ((1 + _B2) * most_matched / threshold - least_total) / _B2,
                ((1 + 1.0) * most_matched / threshold - least_total) / 1.0,
            )
        remaining = most_matched
        prefix: list[int] = []
        # Heaviest bound first, ties by text then position (a stable sort's order).
        for _, _, position in sorted([(-t.bound, t.text, i) for i, t in enumerate(tokens)]):
            if remaining < needed:
                break
            remaining -= tokens[position].bound
            prefix.append(position)
        lookups: Iterable[int] = (v for i in prefix for v in tokens[i].variants)
        low = threshold - SCORE_ROUNDING
        if low > 0:
            slack = [t.slack.get(low) or self._slack(t, low) for t in tokens]
            # t·c·Wc is at most the sum of the words' reach, for c at either β.
            reach_b = sum([s.reach[0] for s in slack])
            reach_1 = sum([s.reach[1] for s in slack])
            max_alias_weight = min(
                max_alias_weight,
                1e-9 + max(reach_b * (1 + _B2) / (low * _B2), reach_1 * (1 + 1.0) / (low * 1.0)),
            )
            lookups = _worth_looking_up(prefix, slack)
        found: set[int] = set()
        postings = self._postings
        for token_id in lookups:
            weights, aliases = postings[token_id]
            start = bisect_left(weights, min_alias_weight)
            end = bisect_right(weights, max_alias_weight, start)
            if start < end:
                found.update(aliases[start:end])
        if not found:
            return []
        gains = _best_gains(tokens)
        alias_tokens, query_share, alias_share = (
            self._alias_tokens,
            self._alias_query_share,
            self._alias_share,
        )
        kept: list[int] = []
        for a in found:
            # The sum of the best gains of the alias's words, in their order (as sum() over
            # them with 0.0 for a word no query word gains on: the same float, loop compiled).
            most = 0.0
            for token_id in alias_tokens[a]:
                gain = gains.get(token_id)
                if gain is not None:
                    most += gain
            if most >= threshold * (query_share[a] * least_total + alias_share[a]):
                kept.append(a)
        kept.sort()
        return kept

    @staticmethod
    def _slack(token: _QueryToken, threshold: float) -> _Slack:
        """The token's _Slack at `threshold`, memoised on the token."""
        found = token.slack.get(threshold)
        if found is None:
            reach = []
            for b2 in (_B2, 1.0):
                unmatched = -threshold * token.least_unmatched / (1 + b2)
                cost = threshold / (1 + b2)
                reach.append(max([unmatched, *((s - cost) * w for _, s, w in token.pairs)]))
            unmatched = -threshold * token.least_unmatched / (1 + _B2)
            lifts = sorted(
                (max(0.0, (s - threshold) * w - unmatched), v) for v, s, w in token.pairs
            )
            found = _Slack(
                unmatched,
                lifts[-1][0] if lifts else 0.0,
                (reach[0], reach[1]),
                tuple(lift for lift, _ in lifts),
                tuple(v for _, v in lifts),
            )
            token.slack[threshold] = found
        return found

    def _score(self, query: _Query, alias: _Alias) -> float:
        pairs = self._align(query.tokens, alias.tokens)
        matched = sum(p[0] for p in pairs)
        used_query = {p[1]: p[3] for p in pairs}
        if alias.common and not _word_for_word(query, alias, pairs):
            return 0.0
        # A matched query word weighs what it matched: its own weight is a guess when it is a
        # misspelling or an unvowelled transliteration with several candidate list words.
        query_weight = sum(
            used_query[i] if i in used_query else _unmatched_weight(t, trailing=i > 0)
            for i, t in enumerate(query.tokens)
        )
        score = (1 + alias.beta2) * matched / (query_weight + alias.beta2 * alias.weight)
        return round(min(score * self._penalty(query, alias, pairs), 1.0), 4)

    def _penalty(
        self, query: _Query, alias: _Alias, pairs: Sequence[tuple[float, int, int, float]]
    ) -> float:
        """CLASS_MISMATCH, QUALIFIER_MISMATCH and KIND_MISMATCH, multiplied. A listed
        qualifier the query spells wrong ("Islarmic") is still there. An organisation that
        bears a listed person's whole name ("Hamid Al-Ali Trading") is not penalised: a firm
        named after a designated person is a lead, and a person's name hit is a review anyway.
        """
        factor = 1.0
        if query.classes and alias.classes and not query.classes & alias.classes:
            factor *= CLASS_MISMATCH
        if query.qualifiers != alias.qualifiers:
            missing = alias.qualifiers - query.qualifiers
            if query.qualifiers - alias.qualifiers or missing - {
                self._tokens[alias.tokens[j]] for _, _, j, _ in pairs
            }:
                factor *= QUALIFIER_MISMATCH
        if (query.kind, alias.kind) in _MISMATCHED_KINDS and not (
            query.kind == ORGANIZATION and alias.kind == PERSON and len(pairs) == len(alias.tokens)
        ):
            factor *= KIND_MISMATCH
        return factor

    def _align(
        self, query: Sequence[_QueryToken], alias: tuple[int, ...]
    ) -> list[tuple[float, int, int, float]]:
        """Greedy one-to-one token alignment, best pairs first: (gain, query i, alias j, weight)."""
        pairs: list[tuple[float, int, int, float]] = []
        for i, token in enumerate(query):
            for j, token_id in enumerate(alias):
                similarity = token.variants.get(token_id)
                if similarity is not None:
                    weight = min(token.weight, self._weights[token_id])
                    pairs.append((similarity * weight, i, j, weight))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        chosen: list[tuple[float, int, int, float]] = []
        used_query: set[int] = set()
        used_alias: set[int] = set()
        for pair in pairs:
            if pair[1] not in used_query and pair[2] not in used_alias:
                used_query.add(pair[1])
                used_alias.add(pair[2])
                chosen.append(pair)
        return chosen

    # -- explaining -----------------------------------------------------------------------

    def _best_hit(self, found: _Scored, primary: _Scored | None) -> NameHit:
        """The hit for an entry's best-scoring name; a strong alias's hit also carries the
        primary name's score when the primary name is met near-exact too.

        An alias can outscore the primary name it spells differently ("X TRADING" beside the
        primary "X TRADING LLC"); the primary name met near-exact is the stronger evidence
        (only it blocks on a large list), so the hit says so (`primary_score`).
        """
        hit = self._hit(found)
        if hit.strength != STRONG_ALIAS or primary is None or primary is found:
            return hit
        own = self._hit(primary)
        return self._hit(found, own.score) if own.strength == EXACT_PRIMARY else hit

    def _hit(self, found: _Scored, primary_score: float = 0.0) -> NameHit:
        """The hit for a scored alias, with its token pairs and strength."""
        alias = self._aliases[found.alias]
        query = found.query
        pairs = sorted(self._align(query.tokens, alias.tokens), key=lambda p: p[1])
        matched = tuple(
            TokenMatch(
                query.tokens[i].text,
                self._tokens[alias.tokens[j]],
                round(query.tokens[i].variants[alias.tokens[j]], 4),
                round(min(query.tokens[i].weight, self._weights[alias.tokens[j]]), 4),
            )
            for _, i, j, _ in pairs
        )
        used_query = {i for _, i, _, _ in pairs}
        used_alias = {j for _, _, j, _ in pairs}
        # Read as cut: its last word may be a fragment, and listed words after it are missing.
        truncated = any(t.prefix for t in query.tokens)
        unmatched_query = tuple(t.text for i, t in enumerate(query.tokens) if i not in used_query)
        unmatched_listed = tuple(
            self._tokens[t] for j, t in enumerate(alias.tokens) if j not in used_alias
        )
        # A name cut by a SWIFT line lacks the listed words after the cut: generic ones
        # (purpose tails, legal forms) may be missing from a near-exact match then.
        listed_slack = GENERIC_TAIL_WEIGHT if truncated else NEAR_EXACT_SLACK
        unmatched_listed_weights = [
            self._weights[t] for j, t in enumerate(alias.tokens) if j not in used_alias
        ]
        # Strong evidence needs a word that identifies: an all-generic or common-names-only
        # name ("SAD IMPORT EXPORT COMPANY", "DAR AL SALAM FOR TRAVEL & TOURISM") met word for
        # word is still only a fuzzy hit.
        near_exact = (
            max(self._weights[t] for t in alias.tokens) > WEAK_ALIAS_WEIGHT
            and self._penalty(query, alias, pairs) == 1.0
            and all(
                m.similarity >= NEAR_EXACT_SIMILARITY
                or (truncated and m.similarity == PREFIX_SIMILARITY)
                for m in matched
            )
            and (
                all(w <= listed_slack for w in unmatched_listed_weights)
                if truncated
                else sum(unmatched_listed_weights) <= NEAR_EXACT_SLACK
            )
            and sum(
                _unmatched_weight(t, trailing=i > 0)
                for i, t in enumerate(query.tokens)
                if i not in used_query and not t.prefix  # a cut word's fragment says nothing
            )
            <= NEAR_EXACT_SLACK
        )
        strength = FUZZY
        if near_exact:
            strength = EXACT_PRIMARY if alias.primary else STRONG_ALIAS
        return NameHit(
            self._entries[alias.entry],
            alias.text,
            found.score,
            strength,
            alias.kind,
            query.kind,
            matched,
            unmatched_query,
            unmatched_listed,
            truncated,
            primary_score,
        )

    def _weak_hit(self, entry: int, text: str, query: _Query) -> NameHit:
        listed = self._entries[entry]
        return NameHit(
            listed,
            text,
            1.0,
            WEAK_ALIAS,
            entity_kind(listed),
            query.kind,
            tuple(TokenMatch(t.text, t.text, 1.0, t.weight) for t in query.tokens),
        )


def _word_for_word(
    query: _Query, alias: _Alias, pairs: list[tuple[float, int, int, float]]
) -> bool:
    """A person whose listed name is common names only ("AL-SHAMMARI, Muhammad") is named by
    those very words: as many words (a repeated "Ali" counts twice), each a spelling or a single
    typing error of its listed word (similarity >= COMMON_NAME_SIMILARITY; not an unvowelled
    Arabic-script word's consonants, which are the same for Ahmad, Hamad, Hamid and Hamoudi),
    nothing left over but legal forms. An original-script listed name is matched by the same
    script. Telling such a person from namesakes needs the entry's nationality: a rule's job."""
    if query.length != alias.length or len(pairs) < len(alias.tokens):
        return False
    if any(gain < COMMON_NAME_SIMILARITY * weight - 1e-9 for gain, _, _, weight in pairs):
        return False
    used = {i for _, i, _, _ in pairs}
    return all(i in used or t.text in LEGAL_FORMS for i, t in enumerate(query.tokens))


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def _query_shape(
    tokens: tuple[str, ...],
) -> tuple[tuple[str, ...], frozenset[str], frozenset[str], str, int]:
    """What a query's reading says whatever the index: its words without a branch designation,
    name classes, qualifiers, inferred kind and length. Every list searches the same payment
    names, so this is worked out once per reading, not once per list."""
    texts = without_branch(tokens)
    return (
        texts,
        _classes(tokens),
        _qualifiers(tokens),
        infer_kind(tokens),
        _length(texts),
    )


def _length(tokens: Sequence[str]) -> int:
    """How many words a name has, repeated ones included, legal forms not."""
    if LEGAL_FORMS.isdisjoint(tokens):
        return len(tokens)  # most names: one set test instead of a loop
    return sum(1 for t in tokens if t not in LEGAL_FORMS)


def entity_kind(entry: ListEntry) -> str:
    """ "person", "vessel", "aircraft", or "organization" (banks, companies, groups, ...)."""
    if entry.kind == "individual":
        return PERSON
    if entry.kind in (VESSEL, AIRCRAFT):
        return entry.kind
    return ORGANIZATION


def infer_kind(tokens: Sequence[str]) -> str:
    """What a name says its bearer is: organisation words -> "organization"; two to six
    common person names and particles only -> "person"; otherwise "" (unknown)."""
    if not ORGANIZATION_WORDS.isdisjoint(tokens):
        return ORGANIZATION
    if 2 <= len(tokens) <= 6 and _PERSON_WORDS.issuperset(tokens):
        return PERSON
    return UNKNOWN


def _common_name_weights() -> dict[str, float]:
    weights = {fold(w): FAMILY_NAME_WEIGHT for w in FAMILY_NAMES}
    weights.update({fold(w): GIVEN_NAME_WEIGHT for w in GIVEN_NAMES})
    return weights


_COMMON_BY_FOLD = _common_name_weights()


def _prior(token: str) -> float:
    """The lexicon prior, and for a spelling of a common person name (Moussawi, Hussain) the
    common-name weight: the lexicon lists a few spellings, the fold finds the others."""
    prior = prior_weight(token)
    common = _COMMON_BY_FOLD.get(fold(token))
    return prior if common is None else min(prior, common)


def _joined(parts: Sequence[tuple[str, str]], joins: set[int]) -> str:
    """The words and separators of `parts`, with word i glued to word i-1 for each i in
    `joins` (its separator dropped)."""
    return "".join(
        word if i in joins else separator + word for i, (word, separator) in enumerate(parts)
    )


def _rank(score: float, alias: _Alias) -> tuple[float, bool, str]:
    return (-score, not alias.primary, alias.text)


def _looks_cut(name: str) -> bool:
    return len(name) == SWIFT_LINE and name[-1].isalnum()


class _NameKeys(NamedTuple):
    """What every index asks of a payment name before searching it, worked out once per name."""

    pairs: tuple[str, ...]  # adjacent words an injected space or hyphen may split: "left right"
    positions: tuple[int, ...]  # per pair, the position of its right word in its fragments
    words: tuple[str, ...]  # the words of its analysis, each once (tuples: a small frozenset
    # costs 216 bytes, and these are only iterated and tested against an index's sets)
    plain: bool  # no word transliterated from a script, no letters spaced out
    exact: str  # its exact key (_exact_key), words joined by a space
    # Every canonical word its pairs make when joined: an index none of whose list words is
    # among them joins no pair, told by one set test instead of a memo lookup per pair (the
    # pairs of generated and real payment names are mostly new, so the memo rarely answers).
    joined: tuple[str, ...]


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def _name_keys(name: str) -> _NameKeys:
    """The name's _NameKeys. Every list searches the same payment names, so this is worked out
    once per name, not once per list; the strings' hashes are then computed once too."""
    parts = fragments(name)
    # One plain loop, not a generator per field: this runs for every new payment name.
    positions: list[int] = []
    pairs: list[str] = []
    joined: set[str] = set()
    previous = parts[0][0] if parts else ""
    for i in range(1, len(parts)):
        word, separator = parts[i]
        if separator == " " or separator == "-":
            positions.append(i)
            pairs.append(f"{previous} {word}")
            joined.update(canonical_word(previous + word))
            if _split_article(previous, word):
                joined.add(SPLIT_ARTICLE)
        previous = word
    analysed = analyse_name(name)
    return _NameKeys(
        tuple(pairs),
        tuple(positions),
        tuple(dict.fromkeys(analysed.tokens)),
        not analysed.collapsed and not analysed.transliterated,
        " ".join(_exact_key(analysed.tokens)) if analysed.tokens else "",
        tuple(sorted(joined)),
    )


def _split_article(left: str, right: str) -> bool:
    """An Arabic article spelt out letter by letter ("A-l-Huda", "Hamad A L-Moussawi")."""
    return len(left) == 1 and len(right) == 1 and left + right in ARTICLES


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def _exact_key(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Whole-name equality up to word order, legal forms and transliteration spelling (Farouk
    = Faruk, "HASM PJSC" = HASM); short words (acronyms: KIIB is not KIB) must be spelt alike,
    and a repeated word counts twice ("Ali Mohammed Ali" is not "MOHAMMED, Ali")."""
    kept = [t for t in tokens if t not in LEGAL_FORMS] or list(tokens)
    return tuple(sorted(fold(t) if len(t) > MAX_ACRONYM_LENGTH else t for t in kept))


def _is_acronym(tokens: tuple[str, ...]) -> bool:
    """One word of four letters or fewer, a legal form aside ("KIB", "HASM PJSC")."""
    kept = [t for t in tokens if t not in LEGAL_FORMS] or tokens
    return len(kept) == 1 and len(kept[0]) <= MAX_ACRONYM_LENGTH


def _weak_names(entry: ListEntry) -> frozenset[str]:
    """The entry's weak aliases: those the list marks weak (`weak_names`, when the loader
    provides it) and those OFAC writes in single quotes in the remarks ("a.k.a. 'FAROUK'":
    its legacy files keep weak a.k.a.s there, strong ones in alt.csv)."""
    marked = getattr(entry, "weak_names", None) or ()
    quoted = _OFAC_WEAK_AKA.findall(entry.remarks) if entry.remarks else ()
    return frozenset([*marked, *(q.strip() for q in quoted)])


def without_branch(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a branch designation: "National Bank of Iraq, Erbil Branch" is National Bank of Iraq.

    A branch's city must not match a bank named after that city (Erbil Bank), so "branch" takes
    the place words next to it along when it goes.
    """
    if BRANCH_WORDS.isdisjoint(tokens):
        return tokens
    drop: set[int] = set()
    for i, token in enumerate(tokens):
        if token in BRANCH_WORDS:
            drop.add(i)
            for j in (i - 1, i + 1):
                if 0 <= j < len(tokens) and tokens[j] in LOCATION_WORDS:
                    drop.add(j)
    kept = tuple(t for i, t in enumerate(tokens) if i not in drop)
    return kept or tokens


def _entry_names(entry: ListEntry) -> list[str]:
    """Every name of the entry: its names, original-script names and weak aliases (whether the
    loader lists them among `names` or only marks them)."""
    weak = sorted(_weak_names(entry))
    return list(dict.fromkeys([*entry.names, *entry.names_original_script, *weak]))


def _glued_bank_words(text: str, tokens: tuple[str, ...]) -> list[str]:
    """The words a listed name writes glued to "bank" (ONERBANK, KAFOLATBANK), as one token.

    Normalisation splits them (oner + bank), so a typing error inside the glued word
    (ONERBAKN, KAFOLATBANRK) leaves one unknown word that meets neither half. Indexed whole as
    well, the glued word is a list word a typing error can reach.
    """
    if BANK_WORD not in tokens:
        return []
    raw = "".join(ch for ch in clean_text(text).lower() if ch.isalnum() or ch == " ")
    return [
        head + BANK_WORD
        for head, after in pairwise(tokens)
        if after == BANK_WORD and head + BANK_WORD in raw and len(head) >= 3
    ]


def _glued_forms(text: str, forms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """`forms`, plus each form with its glued bank words written whole (ONERBANK ZAO)."""
    glued = _glued_bank_words(text, forms[0]) if forms else []
    if not glued:
        return forms
    out = list(forms)
    for form in forms:
        words: list[str] = []
        for word in form:
            if word == BANK_WORD and words and words[-1] + BANK_WORD in glued:
                words[-1] += BANK_WORD
            else:
                words.append(word)
        if tuple(words) != form:
            out.append(tuple(words))
    return out


def _alias_forms(text: str, tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The alias, and for "X Bank for Investment and Finance" also "X Bank".

    Iraqi banks are registered as "<name> Bank for <purpose>" and the purpose is routinely
    dropped in payments and press; the head is indexed as the same alias of the same entry,
    unless the head itself is all generic ("United Bank" would be anyone's name).
    """
    forms = [tokens]
    lowered = f" {text.lower()} "
    if " for " in lowered:
        head = analyse_name(lowered.split(" for ", 1)[0]).tokens
        tail = tokens[len(head) :]
        if (
            head
            and tokens[: len(head)] == head
            and tail
            and all(prior_weight(t) <= GENERIC_TAIL_WEIGHT for t in tail)
            and any(prior_weight(t) > GENERIC_TAIL_WEIGHT for t in head)
        ):
            forms.append(head)
    return forms


def _token_weights(
    vocabulary: dict[str, int],
    analysed: list[tuple[int, ListEntry, list[tuple[NameTokens, bool]]]],
    count: int,
) -> list[float]:
    """min(prior, corpus weight) per token; the corpus weight falls with entry frequency."""
    frequency: dict[str, int] = defaultdict(int)
    for _, _, names in analysed:
        for token in {t for name, weak in names if not weak for t in name.tokens}:
            frequency[token] += 1
    rare = max(3.0, count * RARE_FRACTION)
    weights = [1.0] * len(vocabulary)
    for token, token_id in vocabulary.items():
        corpus = 1.0
        if frequency[token] > rare and count > rare:
            corpus = max(
                MIN_CORPUS_WEIGHT, math.log(count / frequency[token]) / math.log(count / rare)
            )
        weights[token_id] = min(_prior(token), corpus)
    return weights


def _classes(tokens: Iterable[str]) -> frozenset[str]:
    # Set operations in C: this runs once per new payment name. Most names have no class
    # word: they share one empty set (every alias and query memo entry held its own, 216 bytes).
    found = NAME_CLASSES.keys() & tokens
    return frozenset([NAME_CLASSES[t] for t in found]) if found else _NO_WORDS


def _qualifiers(tokens: Iterable[str]) -> frozenset[str]:
    """The qualifier words among `tokens`; the shared empty set when none (most names)."""
    found = QUALIFIERS.intersection(tokens)
    return found if found else _NO_WORDS


_NO_WORDS: frozenset[str] = frozenset()


def _beta2(strongest: float) -> float:
    """Leniency towards extra query words, for an alias whose strongest word is `strongest`.

    An alias of weak words only ("Middle East Bank", "Industrial Bank") is named by all of its
    words together, so extra query words count as much as missing ones (beta = 1): "Iraqi
    Middle East Investment Bank" is another bank than Iran's "Middle East Bank".
    """
    return 1.0 if strongest <= WEAK_ALIAS_WEIGHT else _B2


def _unmatched_weight(token: _QueryToken, trailing: bool) -> float:
    """What a query word the alias lacks costs: little for a city after the name ("Misk Islamic
    Bank Baghdad"), but in full for a city that opens it ("Basrah International Bank" is not
    "International Investment Bank"); more for a word that says what kind of institution the
    query is ("Rasheed Bank" is not the person "Rashid")."""
    if token.location and trailing:
        return min(token.weight, LOCATION_WEIGHT)
    if token.text in NAME_CLASSES:
        return max(token.weight, UNMATCHED_CLASS_WEIGHT)
    return token.weight


def _worth_looking_up(prefix: Sequence[int], slack: Sequence[_Slack]) -> list[int]:
    """The variants of the prefix's tokens (positions) whose postings must be read.

    An alias the lookups miss pairs no prefix word j with a variant looked up, so F (see
    _Slack) is at most the sum over prefix words of unmatched_j + the largest lift among
    j's variants left out, plus the sum over the other words of unmatched + lift. `budget`
    is how far below zero that sum is with every prefix word unmatched: a word's variants
    whose lift is below what is left of it are left out (words that lift least first), and
    the largest of them is charged. The sum then stays below zero, so no hit is missed.
    """
    in_prefix = set(prefix)
    budget = -sum(
        s.unmatched if i in in_prefix else s.unmatched + s.lift for i, s in enumerate(slack)
    )
    lookups: list[int] = []
    for i in sorted(prefix, key=lambda i: slack[i].lift):
        lifts = slack[i].lifts
        left_out = bisect_left(lifts, budget)  # none while budget <= 0 (lifts are >= 0)
        if left_out:
            budget -= lifts[left_out - 1]
        lookups += slack[i].variants[left_out:]
    return lookups


def _best_gains(tokens: Sequence[_QueryToken]) -> dict[int, float]:
    """Per vocabulary token, the most any query token can gain by matching it."""
    if len(tokens) == 1:
        return tokens[0].gains
    merged = dict(tokens[0].gains)
    get = merged.get
    for token in tokens[1:]:
        for token_id, gain in token.gains.items():
            if gain > get(token_id, 0.0):
                merged[token_id] = gain
    return merged
