"""Do the generator's labels agree with what the product decides, screening with the full lists?

Generates payments with `dinarwatch generate`'s generator, planting from the same lists the
screening loads (built-in lists + OFAC SDN 2024-05-03 with the 2025-12 aliases and addresses +
the UN consolidated list, from ../shared/data, loaded through the product's own adapter as
bench_testdeck does), screens them in order with `dinarwatch screen`'s code path (fresh window
state), and compares each payment's rules and decision with its label. Prints:
- agreement: payments whose rule set AND decision equal the label, and false blocks (a payment
  blocked whose label is not block);
- per rule: labelled, raised, agreeing (label and screening both have it), missed, extra;
- per planter: payments and agreement;
- every disagreement class (planter, expected, got, decision) with a count and one example's
  findings, so each class can be judged a generator bug or a rule bug.

    .venv/bin/python -m bench.bench_labels [--count 50000] [--seed 7] [--format json|mixed]
        [--violation-rate 0.05] [--evasion-rate 0] [--examples 1] [--lists full|snapshot]

`--lists snapshot` uses the demo snapshot packaged in cli/demo_lists instead (no
../shared/data needed). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.generate import FILE_SPACING_MS, FILE_START
from generator.renderers import formats_for, renderers
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from offline.screen import Screened, SourceRecord, screen_records
from rules.context import ScreeningContext


def full_lists_context() -> ScreeningContext:
    from bench.testdeck.screening import full_context

    return full_context()


def snapshot_context() -> ScreeningContext:
    from cli.demo_lists import demo_context  # type: ignore[import-not-found]

    return demo_context()


@dataclass
class RuleTally:
    labelled: int = 0
    raised: int = 0
    agreed: int = 0
    missed: int = 0
    extra: int = 0


@dataclass
class Comparison:
    payments: int = 0
    agreed: int = 0
    false_blocks: int = 0
    rejected: int = 0
    rules: dict[str, RuleTally] = field(default_factory=lambda: defaultdict(RuleTally))
    planters: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    evasions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    """class -> payments, agreeing, caught (every labelled rule raised, whatever the action)"""
    classes: Counter[tuple[str, ...]] = field(default_factory=Counter)
    examples: dict[tuple[str, ...], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, record: GeneratedRecord, outcome: Any, examples: int) -> None:
        label = record.label
        if not isinstance(outcome, Screened):
            self.rejected += 1
            return
        self.payments += 1
        decision = outcome.decision
        got = sorted({f.rule for f in decision.findings})
        expected = label["expected_rules"]
        verdict = decision.decision.value
        same = got == expected and verdict == label["expected_decision"]
        self.agreed += same
        if verdict == "block" and label["expected_decision"] != "block":
            self.false_blocks += 1
        planter = _planter(label)
        self.planters[planter][0] += 1
        self.planters[planter][1] += same
        if "evasion" in label:
            tally = self.evasions[label["evasion"]]
            tally[0] += 1
            tally[1] += same
            tally[2] += set(expected) <= set(got)
        for rule in set(got) | set(expected):
            tally = self.rules[rule]
            tally.labelled += rule in expected
            tally.raised += rule in got
            tally.agreed += rule in expected and rule in got
            tally.missed += rule in expected and rule not in got
            tally.extra += rule in got and rule not in expected
        if not same:
            key = (
                planter,
                label.get("evasion", "-"),
                label.get("format", "?"),
                "+".join(expected) or "-",
                "+".join(got) or "-",
                f"{label['expected_decision']}->{verdict}",
            )
            self.classes[key] += 1
            if len(self.examples[key]) < examples:
                self.examples[key].append(_example(label, decision))


def _planter(label: dict[str, Any]) -> str:
    planted = label.get("planted")
    return str(planted) if planted else f"clean/{label.get('flow', '?')}"


def _example(label: dict[str, Any], decision: Any) -> str:
    found = "; ".join(
        f"{f.rule} {f.action.value} {f.field} '{f.matched}' -> {f.entry_name or f.entry_id} "
        f"({f.match_method}, {f.score:.2f})"
        for f in decision.findings
    )
    return f"{label['payment_id']}: {found or 'no finding'}"


def run(args: argparse.Namespace) -> Comparison:
    started = time.perf_counter()
    ctx = snapshot_context() if args.lists == "snapshot" else full_lists_context()
    print(f"lists loaded in {time.perf_counter() - started:,.1f} s: {ctx.lists.versions()}")
    spec = TrafficSpec(
        count=args.count,
        seed=args.seed,
        start=FILE_START,
        spacing=timedelta(milliseconds=FILE_SPACING_MS),
        violation_rate=args.violation_rate,
        evasion_rate=args.evasion_rate,
        formats=formats_for(args.format),
        renderers=renderers(),
        lists=ctx.lists,
        business_hours=True,
    )
    started = time.perf_counter()
    records = list(generate(spec))
    print(f"generated {len(records):,} payments in {time.perf_counter() - started:,.1f} s")
    started = time.perf_counter()
    sources = [SourceRecord(r.label["payment_id"], r.value, r.content_type) for r in records]
    comparison = Comparison()
    for record, outcome in zip(
        records, screen_records(sources, ctx, None, 16 * 1_048_576), strict=True
    ):
        comparison.add(record, outcome, args.examples)
    print(f"screened in {time.perf_counter() - started:,.1f} s")
    return comparison


def report(c: Comparison) -> None:
    share = c.agreed / c.payments if c.payments else 0.0
    print(
        f"\nagreement: {c.agreed:,} of {c.payments:,} payments ({share:.3%}); "
        f"false blocks {c.false_blocks}; rejected by ingest {c.rejected}"
    )
    print(f"\n{'rule':<18}{'labelled':>10}{'raised':>10}{'agreed':>10}{'missed':>8}{'extra':>8}")
    for rule, t in sorted(c.rules.items()):
        print(f"{rule:<18}{t.labelled:>10,}{t.raised:>10,}{t.agreed:>10,}{t.missed:>8}{t.extra:>8}")
    print(f"\n{'planted (or clean flow)':<44}{'payments':>10}{'agreed':>10}")
    for planter, (n, ok) in sorted(c.planters.items()):
        print(f"{planter:<44}{n:>10,}{ok:>10,}")
    if c.evasions:
        print(f"\n{'evasion class':<24}{'payments':>10}{'agreed':>10}{'caught':>10}")
        for name, (n, ok, caught) in sorted(c.evasions.items()):
            print(f"{name:<24}{n:>10,}{ok:>10,}{caught:>10,}")
    print(f"\ndisagreement classes: {len(c.classes)}")
    for key, n in c.classes.most_common():
        planter, evasion, fmt, expected, got, verdicts = key
        print(
            f"  {n:>5}  {planter} [{fmt}, evasion {evasion}] expected {expected} got {got} "
            f"({verdicts})"
        )
        for example in c.examples[key]:
            print(f"         e.g. {example}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", default="mixed", choices=["json", "pacs008", "mt103", "mixed"])
    parser.add_argument("--violation-rate", type=float, default=0.05)
    parser.add_argument("--evasion-rate", type=float, default=0.0)
    parser.add_argument("--examples", type=int, default=1)
    parser.add_argument("--lists", default="full", choices=["full", "snapshot"])
    report(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
