"""NameIndex: find the list entries a payment party's name may mean, fast enough for full SDN.

Algorithm dw-names-2 (docs/matching.md has the derivation and the measured figures):
  1. Both sides are normalised (normalize.analyse_name) into token sets; order never matters.
  2. Every vocabulary token has a weight: min(lexicon prior, corpus weight). The corpus weight is
     1.0 for tokens in at most max(3, N/2000) entries and falls with log(N/df) beyond that, so
     "bank", "trading", "mohammad" say little and a rare name says a lot.
  3. A query token expands to vocabulary tokens with a similarity (variants.VariantMap).
  4. Score = weighted F-beta of the aligned tokens: M is the sum over one-to-one token pairs
     of similarity x the lighter of the two weights, Wq and Wc the query's and the alias's
     total weight, and score = (1 + b^2) M / (Wq + b^2 Wc), b = BETA > 1 so that a listed
     word missing from the query costs more than an extra word in the query (b = 1 for an
     alias made of weak words only, see _beta2). Unmatched city and
     office words after the query's first word ("... Baghdad") count LOCATION_WEIGHT at most;
     unmatched words that say what kind of institution the query is ("Bank", "Hospital")
     count UNMATCHED_CLASS_WEIGHT at least. When both names say what kind of institution they
     are (bank, hotel, exchange, ...) and the kinds differ, the score is multiplied by
     CLASS_MISMATCH; when only one says "Islamic", by QUALIFIER_MISMATCH.
  5. Candidates come only from the query's heaviest tokens (prefix filtering: an alias that
     matches none of them cannot reach the threshold) and only from aliases light enough to
     reach it (postings are sorted by alias weight and cut by bisection). A handful of
     candidates is then scored exactly.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

from rules.matching.lexicon import (
    BRANCH_WORDS,
    LOCATION_WORDS,
    NAME_CLASSES,
    QUALIFIERS,
    prior_weight,
)
from rules.matching.normalize import NameTokens, analyse_name
from rules.matching.variants import VariantMap
from schemas.listentry import ListEntry

BETA = 1.5
_B2 = BETA**2
_ZEROS = repeat(0.0)
LOCATION_WEIGHT = 0.05
CLASS_MISMATCH = 0.8
QUALIFIER_MISMATCH = 0.9
UNMATCHED_CLASS_WEIGHT = 0.5
WEAK_ALIAS_WEIGHT = 0.5
RARE_FRACTION = 1 / 2000
MIN_CORPUS_WEIGHT = 0.1
QUERY_CACHE_SIZE = 50_000
TOKEN_CACHE_SIZE = 200_000
GENERIC_TAIL_WEIGHT = 0.3


@dataclass(frozen=True)
class NameHit:
    """A list entry whose alias matched a queried name."""

    entry: ListEntry
    alias: str
    score: float


@dataclass(frozen=True, slots=True)
class _Alias:
    entry: int
    text: str
    tokens: tuple[int, ...]
    weight: float
    classes: frozenset[str]
    qualifiers: frozenset[str]
    beta2: float


class _QueryToken(NamedTuple):
    text: str
    weight: float
    variants: dict[int, float]
    location: bool
    bound: float
    gains: dict[int, float]


class _Query(NamedTuple):
    tokens: tuple[_QueryToken, ...]
    classes: frozenset[str]
    qualifiers: frozenset[str]


class NameIndex:
    """Index of every name, alias and original-script name of a set of list entries."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self._entries: list[ListEntry] = []
        self._vocabulary: dict[str, int] = {}
        self._aliases: list[_Alias] = []
        self._cache: dict[tuple[str, float], list[NameHit]] = {}
        self._token_memo: dict[tuple[str, bool], _QueryToken] = {}
        analysed = self._analyse_entries(entries)
        self._weights = _token_weights(self._vocabulary, analysed, len(self._entries))
        self._build_aliases(analysed)
        self._postings = self._build_postings()
        self._alias_tokens = [a.tokens for a in self._aliases]
        # Per alias, M >= threshold * (q * Wq + c): the score formula solved for M.
        self._alias_needs = [
            (1 / (1 + a.beta2), a.beta2 * a.weight / (1 + a.beta2)) for a in self._aliases
        ]
        translit = {
            self._vocabulary[t] for _, _, names in analysed for n in names for t in n.transliterated
        }
        self._variants = VariantMap(self._vocabulary, translit)

    def __len__(self) -> int:
        return len(self._aliases)

    def search(self, name: str, threshold: float) -> list[NameHit]:
        """Entries whose best alias scores >= threshold, best first, one hit per entry."""
        key = (name, threshold)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._search(name, threshold)
            if len(self._cache) >= QUERY_CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = cached
        return list(cached)

    def _search(self, name: str, threshold: float) -> list[NameHit]:
        query = self._query(analyse_name(name))
        if not query.tokens:
            return []
        best: dict[int, tuple[float, str]] = {}
        for alias_id in self._candidates(query, threshold):
            alias = self._aliases[alias_id]
            score = self._score(query, alias)
            current = best.get(alias.entry)
            if score >= threshold and (
                current is None or (-score, alias.text) < (-current[0], current[1])
            ):
                best[alias.entry] = (score, alias.text)
        hits = [NameHit(self._entries[e], text, score) for e, (score, text) in best.items()]
        return sorted(hits, key=lambda h: (-h.score, h.entry.entry_id, h.alias))

    # -- building -------------------------------------------------------------------------

    def _analyse_entries(
        self, entries: Iterable[ListEntry]
    ) -> list[tuple[int, ListEntry, list[NameTokens]]]:
        analysed: list[tuple[int, ListEntry, list[NameTokens]]] = []
        for entry in entries:
            position = len(self._entries)
            self._entries.append(entry)
            names = [analyse_name(n) for n in _entry_names(entry)]
            for name in names:
                for token in name.tokens:
                    self._vocabulary.setdefault(token, len(self._vocabulary))
            analysed.append((position, entry, names))
        return analysed

    def _build_aliases(self, analysed: list[tuple[int, ListEntry, list[NameTokens]]]) -> None:
        for position, entry, names in analysed:
            seen: set[tuple[int, ...]] = set()
            for text, name in zip(_entry_names(entry), names, strict=True):
                for tokens in _alias_forms(text, without_branch(name.tokens)):
                    ids = tuple(dict.fromkeys(self._vocabulary[t] for t in tokens))
                    if ids and ids not in seen:
                        seen.add(ids)
                        weight = sum(self._weights[i] for i in ids)
                        self._aliases.append(
                            _Alias(
                                position,
                                text,
                                ids,
                                weight,
                                _classes(tokens),
                                QUALIFIERS.intersection(tokens),
                                _beta2(max(self._weights[i] for i in ids)),
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

    # -- searching ------------------------------------------------------------------------

    def _query(self, name: NameTokens) -> _Query:
        tokens = tuple(
            self._query_token(text, text in name.transliterated)
            for text in dict.fromkeys(without_branch(name.tokens))
        )
        return _Query(tokens, _classes(name.tokens), QUALIFIERS.intersection(name.tokens))

    def _query_token(self, text: str, translit: bool) -> _QueryToken:
        """A query token with its variants, weight and gains, memoised: payment names reuse
        a small vocabulary even when every name is new."""
        key = (text, translit)
        found = self._token_memo.get(key)
        if found is None:
            variants = self._variants.expand(text, translit)
            weight = self._query_weight(text, variants)
            gains = {t: s * min(weight, self._weights[t]) for t, s in variants.items()}
            bound = max(gains.values(), default=0.0)
            found = _QueryToken(text, weight, variants, text in LOCATION_WORDS, bound, gains)
            if len(self._token_memo) >= TOKEN_CACHE_SIZE:
                self._token_memo.clear()
            self._token_memo[key] = found
        return found

    def _query_weight(self, text: str, variants: dict[int, float]) -> float:
        """A known token's own weight; a variant's weight for a misspelling; else the prior."""
        if not variants:
            return prior_weight(text)
        token_id = min(variants, key=lambda t: (-variants[t], -self._weights[t], t))
        return self._weights[token_id]

    def _candidates(self, query: _Query, threshold: float) -> list[int]:
        """Aliases that can still reach the threshold, in id order.

        Prefix filter: an alias matching none of the heaviest query tokens cannot collect
        enough matched weight. Weight filter: postings are sorted by alias weight, and an alias
        heavier than the query can cover is cut by bisection. Bound filter: each survivor's
        matched weight is bounded from above by summing the best gain of each of its tokens.
        """
        tokens = query.tokens
        least_total = sum(
            min(t.weight, LOCATION_WEIGHT) if t.location else t.weight for t in tokens
        )
        most_matched = sum(t.bound for t in tokens)
        needed = threshold * least_total / (1 + _B2 * (1 - threshold))
        max_alias_weight = math.inf
        if threshold > 0:
            max_alias_weight = 1e-9 + max(
                ((1 + b2) * most_matched / threshold - least_total) / b2 for b2 in (_B2, 1.0)
            )
        remaining = most_matched
        found: set[int] = set()
        for token in sorted(tokens, key=lambda t: (-t.bound, t.text)):
            if remaining < needed:
                break
            remaining -= token.bound
            for token_id in token.variants:
                weights, aliases = self._postings[token_id]
                found.update(aliases[: bisect_right(weights, max_alias_weight)])
        if not found:
            return []
        gains = _best_gains(tokens).get
        alias_tokens, alias_needs = self._alias_tokens, self._alias_needs
        return [
            a
            for a in sorted(found)
            if sum(map(gains, alias_tokens[a], _ZEROS))
            >= threshold * (alias_needs[a][0] * least_total + alias_needs[a][1])
        ]

    def _score(self, query: _Query, alias: _Alias) -> float:
        matched, used_query = self._align(query.tokens, alias.tokens)
        query_weight = sum(
            t.weight if i in used_query else _unmatched_weight(t, trailing=i > 0)
            for i, t in enumerate(query.tokens)
        )
        score = (1 + alias.beta2) * matched / (query_weight + alias.beta2 * alias.weight)
        if query.classes and alias.classes and not query.classes & alias.classes:
            score *= CLASS_MISMATCH
        if query.qualifiers != alias.qualifiers:
            score *= QUALIFIER_MISMATCH
        return round(min(score, 1.0), 4)

    def _align(
        self, query: Sequence[_QueryToken], alias: tuple[int, ...]
    ) -> tuple[float, set[int]]:
        """Greedy one-to-one token alignment, best pairs first; returns (M, matched query)."""
        pairs: list[tuple[float, int, int]] = []
        for i, token in enumerate(query):
            for j, token_id in enumerate(alias):
                similarity = token.variants.get(token_id)
                if similarity is not None:
                    gain = similarity * min(token.weight, self._weights[token_id])
                    pairs.append((gain, i, j))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        matched = 0.0
        used_query: set[int] = set()
        used_alias: set[int] = set()
        for gain, i, j in pairs:
            if i not in used_query and j not in used_alias:
                used_query.add(i)
                used_alias.add(j)
                matched += gain
        return matched, used_query


def without_branch(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a branch designation: "National Bank of Iraq, Erbil Branch" is National Bank of Iraq.

    A branch's city must not match a bank named after that city (Erbil Bank), so "branch" takes
    the place words next to it along when it goes.
    """
    if not any(t in BRANCH_WORDS for t in tokens):
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
    return list(dict.fromkeys([*entry.names, *entry.names_original_script]))


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
    vocabulary: dict[str, int], analysed: list[tuple[int, ListEntry, list[NameTokens]]], count: int
) -> list[float]:
    """min(prior, corpus weight) per token; the corpus weight falls with entry frequency."""
    frequency: dict[str, int] = defaultdict(int)
    for _, _, names in analysed:
        for token in {t for name in names for t in name.tokens}:
            frequency[token] += 1
    rare = max(3.0, count * RARE_FRACTION)
    weights = [1.0] * len(vocabulary)
    for token, token_id in vocabulary.items():
        corpus = 1.0
        if frequency[token] > rare and count > rare:
            corpus = max(
                MIN_CORPUS_WEIGHT, math.log(count / frequency[token]) / math.log(count / rare)
            )
        weights[token_id] = min(prior_weight(token), corpus)
    return weights


def _classes(tokens: Iterable[str]) -> frozenset[str]:
    return frozenset(NAME_CLASSES[t] for t in tokens if t in NAME_CLASSES)


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


def _best_gains(tokens: Sequence[_QueryToken]) -> dict[int, float]:
    """Per vocabulary token, the most any query token can gain by matching it."""
    if len(tokens) == 1:
        return tokens[0].gains
    merged: dict[int, float] = {}
    for token in tokens:
        for token_id, gain in token.gains.items():
            if gain > merged.get(token_id, 0.0):
                merged[token_id] = gain
    return merged
