"""Sanctions test deck: recall per manipulation class and per list, full SDN + UN + built-ins.

Builds the deck (bench/testdeck: every manipulation class applied to every entry of the built-in
lists and to a seeded sample of SDN entities and individuals), screens every case with the
product's engine and context loader, and prints recall per class, per list and per family, the
block rate, and the worst misses per class. Run from the repo root:

    .venv/bin/python -m bench.bench_testdeck [--sample 2000] [--seed 14] [--json OUT]

Hit criterion: a case is caught when the payment's decision is review or block AND at least one
finding of a review/block action comes from a rule entitled to catch it: the target list's own
rule (CBI-USD-BAN, FINCEN-311, IRAN-NEXUS, MILITIA-FRONT, OFAC-SDN) or the rule of another
loaded list that holds the same party (same BIC8, SDN ent_num or name). `primary` counts only
the list's own rule; `block` counts decisions that block. Cases whose class does not apply to
an entry (no bank word, a name too short to cut at 35 characters, no BIC...) are not cases.
Needs ../shared/data; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rules
from bench.testdeck.deck import ALL_CLASSES, DeckCase, background, build_deck
from bench.testdeck.screening import finding_summary, full_context, judge, list_entries, screen
from bench.testdeck.sources import SDN_LIST, Linkage, builtin_targets, sdn_sample
from schemas.payment import Payment

MISS_EXAMPLES = 3


def visible(text: str) -> str:
    """Text with invisible and look-alike characters escaped, so a reader sees the trick."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cf" or (ord(ch) > 0x7F and not "\u0600" <= ch <= "\u06ff"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def product_commit() -> str:
    """The commit of the tree the product code (rules/) was imported from."""
    root = Path(rules.__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "rules", "schemas"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{'+dirty' if dirty else ''} ({root})"


def matcher_version() -> str:
    try:
        from rules.matching import MATCHER_VERSION
    except ImportError:
        return "unknown"
    return str(MATCHER_VERSION)


class Tally:
    """Counts for one row of a table."""

    def __init__(self) -> None:
        self.cases = 0
        self.hits = 0
        self.primary = 0
        self.blocks = 0

    def add(self, hit: bool, primary: bool, blocked: bool) -> None:
        self.cases += 1
        self.hits += hit
        self.primary += primary
        self.blocks += blocked

    def as_dict(self) -> dict[str, Any]:
        n = self.cases or 1
        return {
            "cases": self.cases,
            "recall": round(self.hits / n, 4),
            "primary_recall": round(self.primary / n, 4),
            "block_rate": round(self.blocks / n, 4),
            "misses": self.cases - self.hits,
        }


def print_table(title: str, rows: dict[str, Tally], order: Iterable[str]) -> None:
    print(f"\n{title:<26} {'cases':>7} {'recall':>8} {'primary':>8} {'block':>7} {'misses':>7}")
    for key in order:
        t = rows.get(key)
        if t is None or not t.cases:
            continue
        d = t.as_dict()
        flag = "" if d["recall"] >= 0.98 else "  < 98%"
        print(
            f"{key:<26} {t.cases:>7,} {d['recall']:>8.1%} {d['primary_recall']:>8.1%} "
            f"{d['block_rate']:>7.1%} {d['misses']:>7,}{flag}"
        )


def print_matrix(by_list_class: dict[str, dict[str, Tally]]) -> None:
    """Recall per class (rows) and list (columns); '-' where the class does not apply."""
    lists = sorted(by_list_class)
    print(f"\n{'recall: class x list':<26}" + "".join(f" {name[:12]:>12}" for name in lists))
    for cls in ALL_CLASSES:
        cells = []
        for name in lists:
            t = by_list_class[name].get(cls)
            cells.append(f"{t.hits / t.cases:>12.1%}" if t and t.cases else f"{'-':>12}")
        if any(c.strip() != "-" for c in cells):
            print(f"{cls:<26}" + "".join(f" {c}" for c in cells))


def check_background(ctx: Any, seed: int) -> int:
    """Screen every background combination bare; a finding there would spoil the deck."""
    import random

    from bench.testdeck.deck import CREDITORS, DEBTORS

    dirty = 0
    seen: set[tuple[str, str]] = set()
    rng = random.Random(seed)
    for i in range(200):
        doc = background(rng, f"BG-{i}")
        key = (doc["debtor"]["name"], doc["creditor"]["name"])
        if key in seen:
            continue
        seen.add(key)
        decision = screen(Payment.model_validate(doc), ctx)
        if decision.findings:
            dirty += 1
            print(
                f"WARNING background {key} is not clean: "
                f"{[finding_summary(f) for f in decision.findings]}"
            )
        if len(seen) == len(DEBTORS) * len(CREDITORS):
            break
    return dirty


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=2000, help="SDN entries in the deck")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--classes", default="", help="comma-separated classes (default: all)")
    parser.add_argument("--json", type=Path, help="write every figure and the misses here")
    parser.add_argument("--misses-out", type=Path, help="write every missed case here (JSONL)")
    parser.add_argument(
        "--examples", type=int, default=MISS_EXAMPLES, help="misses shown per class"
    )
    args = parser.parse_args()
    classes = tuple(c for c in args.classes.split(",") if c) or ALL_CLASSES
    unknown = set(classes) - set(ALL_CLASSES)
    if unknown:
        parser.error(f"unknown classes {sorted(unknown)}; known: {', '.join(ALL_CLASSES)}")

    started = time.perf_counter()
    ctx = full_context()
    loaded = time.perf_counter() - started
    lists = list_entries(ctx)
    print(f"product: {product_commit()}; matcher {matcher_version()}")
    print(
        "lists: "
        + ", ".join(f"{name} {len(entries):,}" for name, entries in sorted(lists.items()))
        + f" (loaded and indexed in {loaded:.1f} s)"
    )
    dirty = check_background(ctx, args.seed)

    targets = builtin_targets(lists) + sdn_sample(lists.get(SDN_LIST, ()), args.sample, args.seed)
    linkage = Linkage(lists)
    by_class: dict[str, Tally] = defaultdict(Tally)
    by_list: dict[str, Tally] = defaultdict(Tally)
    by_family: dict[str, Tally] = defaultdict(Tally)
    by_list_class: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    total = Tally()
    screened_at = time.perf_counter()
    for case in build_deck(targets, linkage, args.seed, classes):
        outcome = judge(screen(case.payment, ctx), case.expected_rules, case.primary_rule)
        blocked = outcome.decision == "block"
        for tally in (
            total,
            by_class[case.manipulation],
            by_list[case.list_name],
            by_family[case.family],
            by_list_class[case.list_name][case.manipulation],
        ):
            tally.add(outcome.hit, outcome.primary_hit, blocked)
        if not outcome.hit:
            misses[case.manipulation].append(_miss(case, outcome))
        if total.cases % 10_000 == 0:
            print(f"... {total.cases:,} cases screened", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - screened_at

    print(
        f"deck: {len(targets):,} entries ({sum(1 for t in targets if t.list_name != SDN_LIST)} "
        f"built-in, {sum(1 for t in targets if t.list_name == SDN_LIST):,} SDN, seed {args.seed}), "
        f"{total.cases:,} cases screened in {elapsed:.1f} s"
    )
    d = total.as_dict()
    print(
        f"overall: recall {d['recall']:.1%}, primary {d['primary_recall']:.1%}, "
        f"block {d['block_rate']:.1%}, misses {d['misses']:,}"
        + (f"; WARNING {dirty} background payments not clean" if dirty else "")
    )
    print_table("manipulation class", by_class, ALL_CLASSES)
    print_table("family", by_family, ("text", "placement", "identifier"))
    print_table("list", by_list, sorted(by_list))
    print_matrix(by_list_class)
    worst = sorted(
        (c for c in by_class if by_class[c].cases and by_class[c].hits < by_class[c].cases),
        key=lambda c: by_class[c].hits / by_class[c].cases,
    )
    if worst:
        print("\nmisses by class (worst first; a few examples each, lists taken in turn):")
    for cls in worst:
        print(f"- {cls}: {by_class[cls].cases - by_class[cls].hits:,} missed")
        for example in _spread(misses[cls], args.examples):
            found = (
                "; ".join(
                    f"{f['rule']} {f['action']} {f['entry']} {f['score']}"
                    for f in example["findings"]
                )
                or "no finding"
            )
            print(
                f"    [{example['list']}] {visible(example['entry'])!r} shown as "
                f"{visible(example['shown'])!r} -> {example['decision']} ({found})"
            )

    if args.misses_out:
        with args.misses_out.open("w", encoding="utf-8") as out:
            for cls in ALL_CLASSES:
                for miss in misses.get(cls, ()):
                    out.write(json.dumps({"class": cls, **miss}, ensure_ascii=False) + "\n")
        print(f"wrote {args.misses_out}")
    if args.json:
        report = {
            "product": product_commit(),
            "matcher": matcher_version(),
            "seed": args.seed,
            "sample": args.sample,
            "criterion": "decision review/block and a review/block finding of an expected rule",
            "overall": total.as_dict(),
            "by_class": {c: by_class[c].as_dict() for c in ALL_CLASSES if by_class[c].cases},
            "by_family": {k: v.as_dict() for k, v in sorted(by_family.items())},
            "by_list": {k: v.as_dict() for k, v in sorted(by_list.items())},
            "by_list_class": {
                lst: {c: t.as_dict() for c, t in sorted(rows.items())}
                for lst, rows in sorted(by_list_class.items())
            },
            "misses": {c: _spread(v, 25) for c, v in sorted(misses.items())},
            "background_dirty": dirty,
            "seconds": round(elapsed, 1),
        }
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
        print(f"\nwrote {args.json}")
    return 0


def _miss(case: DeckCase, outcome: Any) -> dict[str, Any]:
    return {
        "case": case.case_id,
        "list": case.list_name,
        "entry": case.entry_name,
        "kind": case.kind,
        "shown": case.shown,
        "expected": sorted(case.expected_rules),
        "decision": outcome.decision,
        "findings": [finding_summary(f) for f in outcome.findings],
    }


def _spread(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Up to `count` examples, taking the lists in turn so that one list cannot fill them."""
    by_list: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_list[item["list"]].append(item)
    chosen: list[dict[str, Any]] = []
    depth = 0
    while len(chosen) < count and any(len(v) > depth for v in by_list.values()):
        for lst in sorted(by_list):
            if len(by_list[lst]) > depth and len(chosen) < count:
                chosen.append(by_list[lst][depth])
        depth += 1
    return chosen


if __name__ == "__main__":
    sys.exit(main())
