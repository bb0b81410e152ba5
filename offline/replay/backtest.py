"""Backtesting: what a rule pack raised on history, scored against ground-truth labels.

Pure: no files, no clock. The runner feeds it, payment by payment, the rules each pack raised
(the rules of the payment's alerts) and the payment's label (the rules it was expected to raise,
`expected_rules` of the label contract `dinarwatch generate --labels` writes). A payment without a
label is counted apart, never guessed: its alerts count as alerts, not as true or false positives.

The unit of scoring is the (payment, rule) pair: a rule raised on a payment it was expected on is
a true positive, raised where not expected a false positive, expected but not raised a miss
(false negative). "overall" sums the pairs of every rule (micro average).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EMPTY: frozenset[str] = frozenset()


def precision(tp: int, fp: int) -> float | None:
    """tp / (tp + fp); None when nothing was raised (undefined, not 0 or 1)."""
    return round(tp / (tp + fp), 6) if tp + fp else None


def recall(tp: int, fn: int) -> float | None:
    """tp / (tp + fn); None when nothing was expected."""
    return round(tp / (tp + fn), 6) if tp + fn else None


@dataclass(frozen=True)
class Label:
    """One payment's ground truth: the rules expected, and the decision expected (if stated)."""

    rules: frozenset[str]
    decision: str | None = None


@dataclass
class RuleScore:
    """Counts of one rule (or of all rules together) over the screened payments."""

    alerts: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unlabelled_alerts: int = 0

    def add(self, other: RuleScore) -> None:
        self.alerts += other.alerts
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.unlabelled_alerts += other.unlabelled_alerts

    def as_json(self) -> dict[str, Any]:
        return {
            "alerts": self.alerts,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": precision(self.tp, self.fp),
            "recall": recall(self.tp, self.fn),
            "unlabelled_alerts": self.unlabelled_alerts,
        }


@dataclass
class PackScore:
    """One pack's backtest, accumulated payment by payment."""

    rules: dict[str, RuleScore] = field(default_factory=dict)
    labelled: int = 0
    unlabelled: int = 0
    exact: int = 0
    """Labelled payments whose raised rules are exactly the expected ones."""
    false_blocks: int = 0
    """Payments blocked although their label expects another decision."""

    def add(self, raised: frozenset[str], label: Label | None, decision: str | None = None) -> None:
        """Count one screened payment: `raised` the rules alerted on it, `decision` its decision."""
        if label is None:
            self.unlabelled += 1
            for rule in raised:
                score = self._rule(rule)
                score.alerts += 1
                score.unlabelled_alerts += 1
            return
        self.labelled += 1
        self.exact += raised == label.rules
        if decision == "block" and label.decision is not None and label.decision != "block":
            self.false_blocks += 1
        for rule in raised | label.rules:
            score = self._rule(rule)
            if rule in raised:
                score.alerts += 1
                if rule in label.rules:
                    score.tp += 1
                else:
                    score.fp += 1
            else:
                score.fn += 1

    def _rule(self, rule: str) -> RuleScore:
        if rule not in self.rules:
            self.rules[rule] = RuleScore()
        return self.rules[rule]

    def overall(self) -> RuleScore:
        total = RuleScore()
        for score in self.rules.values():
            total.add(score)
        return total

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": {rule: s.as_json() for rule, s in sorted(self.rules.items())},
            "overall": {
                **self.overall().as_json(),
                "payments_labelled": self.labelled,
                "payments_unlabelled": self.unlabelled,
                "payments_exact": self.exact,
                "false_blocks": self.false_blocks,
            },
        }


@dataclass(frozen=True)
class Difference:
    """A (payment, rule) that some packs raise and the others do not."""

    payment_id: str
    rule: str
    raised_by: tuple[str, ...]
    not_raised_by: tuple[str, ...]
    expected: bool | None
    """Whether the label expects the rule on the payment; None when the payment has no label."""

    def as_json(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "rule": self.rule,
            "raised_by": list(self.raised_by),
            "not_raised_by": list(self.not_raised_by),
            "expected": self.expected,
        }


def differences(
    payment_id: str, raised: Mapping[str, frozenset[str]], label: Label | None
) -> list[Difference]:
    """The rules of one payment that the packs (name -> rules raised) disagree on, by rule."""
    every = set().union(*raised.values()) if raised else set()
    found = []
    for rule in sorted(every):
        by = tuple(name for name, rules in raised.items() if rule in rules)
        if len(by) == len(raised):
            continue
        others = tuple(name for name in raised if name not in by)
        expected = None if label is None else rule in label.rules
        found.append(Difference(payment_id, rule, by, others, expected))
    return found


@dataclass
class Backtest:
    """Every pack's score and the differences between packs, over one replay."""

    packs: Sequence[str]
    labels: Mapping[str, Label] | None = None
    scores: dict[str, PackScore] = field(default_factory=dict)
    diffs: list[Difference] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.scores = {name: PackScore() for name in self.packs}

    def add(
        self,
        payment_id: str,
        raised: Mapping[str, frozenset[str]],
        decisions: Mapping[str, str] | None = None,
    ) -> None:
        """One screened payment: the rules each pack raised on it (and each pack's decision)."""
        label = self.labels.get(payment_id) if self.labels is not None else None
        if label is not None:
            self.seen.add(payment_id)
        for name in self.packs:
            decision = decisions.get(name) if decisions is not None else None
            self.scores[name].add(raised.get(name, EMPTY), label, decision)
        if len(self.packs) > 1:
            self.diffs += differences(payment_id, raised, label)

    def labels_not_screened(self) -> int:
        """Labels whose payment was never screened (a rejected record, or not in the input)."""
        return 0 if self.labels is None else len(self.labels.keys() - self.seen)

    def diff_summary(self) -> dict[str, dict[str, int]]:
        """Per "raised by" pack set and rule: how many (payment, rule) differences."""
        summary: dict[str, Counter[str]] = {}
        for d in self.diffs:
            summary.setdefault(" + ".join(d.raised_by), Counter())[d.rule] += 1
        return {k: dict(sorted(v.items())) for k, v in sorted(summary.items())}

    def as_json(self) -> dict[str, Any]:
        return {
            "packs": {name: self.scores[name].as_json() for name in self.packs},
            "diff": [d.as_json() for d in self.diffs],
            "diff_summary": self.diff_summary(),
            "labels_not_screened": self.labels_not_screened(),
        }


def pack_names(paths: Iterable[str | None]) -> list[str]:
    """A distinct name per pack: the file's stem, 'default' for the built-in pack (None).

    Two packs with the same stem are named by as many trailing path parts as tell them apart
    ("a/candidate", "b/candidate"); the same file given twice gets "#2", "#3"."""
    given = list(paths)
    parts = [tuple(_parts(p)) for p in given]
    names: list[str] = []
    for i, mine in enumerate(parts):
        depth = 1
        while depth < len(mine) and any(
            other != mine and other[-depth:] == mine[-depth:]
            for j, other in enumerate(parts)
            if j != i
        ):
            depth += 1
        names.append("/".join(mine[-depth:]))
    counts: Counter[str] = Counter()
    unique = []
    for name in names:
        counts[name] += 1
        unique.append(name if counts[name] == 1 else f"{name}#{counts[name]}")
    return unique


def _parts(path: str | None) -> list[str]:
    if path is None:
        return ["default"]
    pieces = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if not pieces:
        return [path]
    stem = pieces[-1].rsplit(".", 1)[0] if "." in pieces[-1].lstrip(".") else pieces[-1]
    return [*pieces[:-1], stem or pieces[-1]]
