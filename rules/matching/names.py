"""A token index over list names: fast candidate lookup, then weighted token-set scoring.

Scoring: every token has a weight (distinctive 1.0, generic 0.25). A candidate's score is the
weighted overlap divided by the weight of the union (weighted Jaccard), where tokens count as the
same when rapidfuzz's ratio is >= 88 (a spelling slip) . Order does not matter. A name that is
all generic words (e.g. "International Islamic Bank") can only match when the query has the same
generic words and no distinctive word of its own, so "Iraqi Islamic Bank" does not match it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from rules.matching.normalize import GENERIC, name_tokens
from schemas.listentry import ListEntry

GENERIC_WEIGHT = 0.25
TOKEN_SIMILARITY = 88.0


@dataclass(frozen=True)
class NameHit:
    """A list entry whose alias matched a queried name."""

    entry: ListEntry
    alias: str
    score: float


def _weight(token: str) -> float:
    return GENERIC_WEIGHT if token in GENERIC else 1.0


@dataclass(frozen=True)
class _Alias:
    entry: ListEntry
    alias: str
    tokens: frozenset[str]


class NameIndex:
    """Index of every name and alias of a set of list entries."""

    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self._aliases: list[_Alias] = []
        self._by_token: dict[str, list[int]] = defaultdict(list)
        for entry in entries:
            for alias in entry.names:
                tokens = frozenset(name_tokens(alias))
                if not tokens:
                    continue
                position = len(self._aliases)
                self._aliases.append(_Alias(entry, alias, tokens))
                for token in tokens:
                    self._by_token[token].append(position)
        self._vocabulary = [t for t in self._by_token if t not in GENERIC]

    def search(self, name: str, threshold: float) -> list[NameHit]:
        """Entries whose best alias scores >= threshold, best first, one hit per entry."""
        query = frozenset(name_tokens(name))
        if not query:
            return []
        best: dict[str, NameHit] = {}
        for position in self._candidates(query):
            alias = self._aliases[position]
            score = _score(query, alias.tokens)
            current = best.get(alias.entry.entry_id)
            if score >= threshold and (current is None or score > current.score):
                best[alias.entry.entry_id] = NameHit(alias.entry, alias.alias, round(score, 4))
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.entry_id))

    def _candidates(self, query: frozenset[str]) -> set[int]:
        found: set[int] = set()
        for token in query:
            found.update(self._by_token.get(token, ()))
            if token not in GENERIC and len(token) >= 4:
                for near, _, _ in process.extract(
                    token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_SIMILARITY
                ):
                    found.update(self._by_token[near])
        if not found:
            # All-generic queries only reach all-generic aliases through their exact tokens.
            for token in query:
                found.update(self._by_token.get(token, ()))
        return found


def _score(query: frozenset[str], candidate: frozenset[str]) -> float:
    matched = 0.0
    unmatched_candidate = set(candidate)
    unmatched_query: list[str] = []
    for token in query:
        if token in unmatched_candidate:
            unmatched_candidate.discard(token)
            matched += _weight(token)
            continue
        near = _closest(token, unmatched_candidate)
        if near is None:
            unmatched_query.append(token)
        else:
            unmatched_candidate.discard(near)
            matched += min(_weight(token), _weight(near)) * 0.95
    union = matched + sum(_weight(t) for t in unmatched_candidate)
    union += sum(_weight(t) for t in unmatched_query)
    return matched / union if union else 0.0


def _closest(token: str, pool: set[str]) -> str | None:
    if len(token) < 4 or not pool:
        return None
    found = process.extractOne(token, pool, scorer=fuzz.ratio, score_cutoff=TOKEN_SIMILARITY)
    return None if found is None else str(found[0])
