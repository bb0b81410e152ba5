"""False positives on clean traffic, with the full SDN + UN + built-in lists loaded.

Screens (a) the synthetic generator's traffic (`dinarwatch generate`, JSON; only the payments
its labels call clean: no expected rule, not malformed) and (b) an independent clean corpus
(bench/testdeck/corpus.py: Iraqi names by frequency from names-dataset, Iraq Stock Exchange
companies, regional suppliers and unlisted banks; bench/data names every source), and (c) the
same corpus names written into free text the way the test deck's placement classes write a
listed name (remittance "on behalf of", a "c/o" address line, an unknown field). Prints the
block and review rates of each and the false-positive findings grouped by cause. Run from the
repo root:

    .venv/bin/python -m bench.bench_clean [--count 50000] [--corpus 5200] [--json OUT]

Windowed rules (structuring, fan-out) are not run: every payment is screened on its own with
the stateless rules, which are the ones that read the lists. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson

from bench.bench_testdeck import matcher_version, product_commit, visible
from bench.testdeck.corpus import (
    DATA,
    Name,
    corpus_names,
    corpus_payments,
    counterparties,
    unlisted,
)
from bench.testdeck.deck import DEBTORS, UNKNOWN_FIELDS
from bench.testdeck.screening import full_context, screen
from rules.context import ScreeningContext
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

GENERATOR_START = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
"""`dinarwatch generate --out` uses this start, so a seed fully determines the traffic."""
GENERIC = frozenset(
    [
        "al",
        "el",
        "dar",
        "salam",
        "general",
        "trading",
        "trade",
        "company",
        "co",
        "for",
        "and",
        "the",
        "of",
        "ltd",
        "llc",
        "international",
        "group",
        "bank",
        "islamic",
        "investment",
        "import",
        "export",
        "industries",
        "industry",
        "industrial",
        "est",
        "establishment",
        "services",
        "service",
        "travel",
        "tourism",
        "commercial",
        "contracting",
        "construction",
        "materials",
        "medical",
        "supplies",
        "food",
        "foodstuff",
        "products",
        "national",
        "modern",
        "new",
        "united",
        "iraq",
        "iraqi",
        "middle",
        "east",
        "gulf",
        "arab",
        "global",
        "holding",
        "development",
        "finance",
        "financial",
        "money",
        "transfer",
        "exchange",
        "oil",
        "gas",
        "petroleum",
        "engineering",
        "insurance",
        "transport",
        "logistics",
        "agricultural",
        "pharmaceutical",
        "pharmaceuticals",
        "steel",
        "hotel",
        "real",
        "estate",
        "a",
        "s",
        "plc",
        "pjsc",
        "sa",
        "sal",
        "inc",
        "corp",
        "corporation",
    ]
)
"""Words that say what kind of business a name is, not which one (for grouping causes)."""
COMPANY_WORDS = re.compile(
    r"\b(co|company|llc|ltd|limited|trading|industries|group|hotel|insurance|pjsc|plc|a\.s|"
    r"bank|for|services|logistics|pharma\w*|construction|contracting|fze|gmbh|bv)\b",
    re.IGNORECASE,
)


def generator_payments(count: int, seed: int) -> Iterator[Payment]:
    """The clean payments (by label) among `count` records of `dinarwatch generate`."""
    from generator.traffic import TrafficSpec, generate

    spec = TrafficSpec(count=count, seed=seed, start=GENERATOR_START, formats=("json",))
    for record in generate(spec):
        label = record.label
        if label.get("expected_rules") or label.get("malformed"):
            continue
        yield Payment.model_validate(orjson.loads(record.value))


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^0-9a-z\u0600-\u06ff]+", text.casefold()) if t}


@cache
def common_iraqi_names(top: int = 300) -> frozenset[str]:
    """The `top` most frequent Iraqi given and family names (both scripts, casefolded, also
    without the article), from bench/data/iraqi_names.csv; "al" and "bin" count as common."""
    rows = csv.DictReader((DATA / "iraqi_names.csv").open(encoding="utf-8"))
    ranked = sorted(rows, key=lambda r: int(r["rank_iq"]))
    names: set[str] = {"al", "el", "bin", "ibn", "abu", "abd", "abdul"}
    counts: Counter[tuple[str, str]] = Counter()
    for row in ranked:
        key = (row["part"], row["script"])
        if counts[key] < top:
            counts[key] += 1
            name = row["name"].casefold()
            names |= {name, name.removeprefix("al-").removeprefix("al"), name.removeprefix("ال")}
    return frozenset(n for n in names if n)


def cause(f: Finding, entry: ListEntry | None, query_kind: str | None) -> str:
    """A short label for why a clean name was matched, for grouping false positives."""
    if f.match_method and f.match_method not in ("name",) and not f.match_method.startswith("name"):
        return f"identifier ({f.match_method})"
    listed_as = str((f.evidence or {}).get("listed_as") or f.entry_name or "")
    alias_letters = re.sub(r"[^0-9A-Za-z]", "", listed_as)
    if len(listed_as.split()) == 1 and 0 < len(alias_letters) <= 4:
        return "acronym alias (4 letters or fewer)"
    if entry is not None and entry.remarks and f"'{listed_as}'" in entry.remarks:
        return "weak alias (quoted a.k.a. in remarks)"
    if len(re.sub(r"^(al|el)-", "", listed_as.casefold()).split()) == 1:
        return "single-word name or alias"
    kind = entry.kind if entry is not None else (f.evidence or {}).get("kind")
    if query_kind == "company" and kind == "individual":
        return "person entry vs company name"
    if query_kind == "person" and kind in ("entity", "bank", "vessel", "aircraft"):
        return f"{kind} entry vs person name"
    shared = _tokens(f.matched) & _tokens(listed_as)
    if shared and shared <= GENERIC:
        return "shared generic words only"
    if kind == "individual":
        if _tokens(f.matched) <= common_iraqi_names():
            return "person: only common Iraqi names"
        return "person: name-only match"
    return "fuzzy name (other)"


def query_kind(field: str, payment: Payment, kinds: Mapping[str, str]) -> str | None:
    """person/company of the screened party, when known (corpus) or guessable (generator)."""
    party = dict(payment.parties()).get(field)
    if party is None:
        return None
    if party.name in kinds:
        return kinds[party.name]
    return "company" if COMPANY_WORDS.search(party.name) else "person"


class Rates:
    def __init__(self, label: str) -> None:
        self.label = label
        self.payments = 0
        self.blocks = 0
        self.reviews = 0
        self.groups: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.causes: Counter[str] = Counter()
        self.seconds = 0.0

    def add(
        self,
        payment: Payment,
        findings: list[Finding],
        decision: str,
        ctx_entries: Mapping[str, ListEntry],
        kinds: Mapping[str, str],
    ) -> None:
        self.payments += 1
        self.blocks += decision == "block"
        self.reviews += decision == "review"
        seen: set[str] = set()
        for f in findings:
            if f.action.value == "pass":
                continue
            entry = ctx_entries.get(f.entry_id or "")
            why = cause(f, entry, query_kind(f.field, payment, kinds))
            if why not in seen:
                self.causes[why] += 1
                seen.add(why)
            key = (why, f.rule, f.entry_name or "-")
            group = self.groups.setdefault(
                key,
                {"count": 0, "block": 0, "max_score": 0.0, "examples": [], "listed_as": Counter()},
            )
            group["count"] += 1
            group["block"] += f.action.value == "block"
            group["max_score"] = max(group["max_score"], round(f.score, 3))
            group["listed_as"][str((f.evidence or {}).get("listed_as") or "")] += 1
            example = f"{f.field}: {f.matched}"
            if len(group["examples"]) < 3 and example not in group["examples"]:
                group["examples"].append(example)

    def print(self, top: int) -> None:
        n = self.payments or 1
        print(
            f"\n{self.label}: {self.payments:,} clean payments in {self.seconds:.1f} s; "
            f"blocked {self.blocks:,} ({self.blocks / n:.2%}), reviewed {self.reviews:,} "
            f"({self.reviews / n:.2%})   (target: 0 blocks, <= 0.5% reviews)"
        )
        if not self.groups:
            return
        print("  payments with a false-positive finding, by cause:")
        for why, count in self.causes.most_common():
            print(f"    {why:<42} {count:>7,} ({count / n:.2%})")
        print(
            "  false-positive findings, blocking ones first, then the most frequent "
            "(cause | rule | matched entry | findings, blocks, max score):"
        )
        for (why, rule, entry), g in self.ranked()[:top]:
            alias = g["listed_as"].most_common(1)[0][0]
            print(
                f"    {why} | {rule} | {entry} (as {alias!r}) | {g['count']:,}, "
                f"{g['block']:,} blocked, {g['max_score']:.2f}"
            )
            print(f"        e.g. {'; '.join(visible(e) for e in g['examples'])}")

    def ranked(self) -> list[tuple[tuple[str, str, str], dict[str, Any]]]:
        """Groups with blocks first (most blocks first), then by how often they occur."""
        return sorted(self.groups.items(), key=lambda kv: (-kv[1]["block"], -kv[1]["count"], kv[0]))

    def as_dict(self, top: int) -> dict[str, Any]:
        n = self.payments or 1
        ranked = self.ranked()
        return {
            "payments": self.payments,
            "blocked": self.blocks,
            "reviewed": self.reviews,
            "block_rate": round(self.blocks / n, 5),
            "review_rate": round(self.reviews / n, 5),
            "causes": dict(self.causes.most_common()),
            "top_findings": [
                {
                    "cause": why,
                    "rule": rule,
                    "entry": entry,
                    **{k: (dict(v) if isinstance(v, Counter) else v) for k, v in g.items()},
                }
                for (why, rule, entry), g in ranked[:top]
            ],
            "seconds": round(self.seconds, 1),
        }


FREE_TEXT_PLACEMENTS = ("remittance-on-behalf", "address-care-of", "unknown-field")


def free_text_payments(
    payments: Iterable[tuple[Payment, Name]], seed: int
) -> Iterator[tuple[Payment, Name]]:
    """The corpus names written into free text, as the test deck's placement classes write a
    listed name: "PAYMENT ON BEHALF OF <name> INV n", a "c/o <name>" address line, or an
    unknown field holding the name (placements in turn). The debtor is one of the deck's clean
    background debtors, so that only the free text is new."""
    rng = random.Random(seed)
    for i, (payment, name) in enumerate(payments):
        doc = payment.model_dump(mode="json")
        debtor, country, _, address = DEBTORS[i % len(DEBTORS)]
        doc["debtor"] = {**doc["debtor"], "name": debtor, "country": country}
        doc["debtor"]["address"] = list(address)
        placement = FREE_TEXT_PLACEMENTS[i % len(FREE_TEXT_PLACEMENTS)]
        if placement == "remittance-on-behalf":
            doc["remittance_info"] = (
                f"PAYMENT ON BEHALF OF {name.text} INV {rng.randrange(1000, 9999)}"
            )
        elif placement == "address-care-of":
            doc["creditor"]["address"] = [f"c/o {name.text}", *doc["creditor"]["address"]]
        else:
            key = UNKNOWN_FIELDS[(i // len(FREE_TEXT_PLACEMENTS)) % len(UNKNOWN_FIELDS)]
            if key == "trading_name":
                doc["creditor"][key] = name.text
            else:
                doc[key] = name.text
        yield Payment.model_validate(doc), name


def run(
    label: str,
    payments: Iterable[Payment],
    ctx: ScreeningContext,
    entries: Mapping[str, ListEntry],
    kinds: Mapping[str, str],
) -> Rates:
    rates = Rates(label)
    started = time.perf_counter()
    for payment in payments:
        decision = screen(payment, ctx)
        rates.add(payment, list(decision.findings), decision.decision.value, entries, kinds)
        if rates.payments % 20_000 == 0:
            print(f"... {label}: {rates.payments:,} screened", file=sys.stderr, flush=True)
    rates.seconds = time.perf_counter() - started
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--count", type=int, default=50_000, help="generator records (the issue measured 200000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=int, default=5200, help="names in the independent corpus")
    parser.add_argument("--top", type=int, default=15, help="false-positive groups printed")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    ctx = full_context()
    entries = {e.entry_id: e for ref in ctx.lists.lists.values() for e in ref.entries}
    print(f"product: {product_commit()}; matcher {matcher_version()}")
    print(
        f"lists: {', '.join(f'{n} {len(r):,}' for n, r in sorted(ctx.lists.lists.items()))} "
        f"(loaded in {time.perf_counter() - started:.1f} s)"
    )

    generator = run(
        "generator (dinarwatch generate, clean by label)",
        generator_payments(args.count, args.seed),
        ctx,
        entries,
        {},
    )

    def listed(payment: Payment, field: str) -> bool:
        return any(
            f.field == field and f.action.value != "pass" for f in screen(payment, ctx).findings
        )

    kept, dropped = unlisted(counterparties(), listed)
    if dropped:
        print(
            f"corpus counterparties dropped because a list knows them: {[p.name for p in dropped]}"
        )
    names = corpus_names(args.corpus, args.seed)
    kinds = {n.text: n.kind for n in names}
    by_origin = Counter(f"{n.kind}/{n.origin}" for n in names)
    print(
        f"independent corpus: {len(names):,} names "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(by_origin.items()))}); "
        f"{len(kept)} counterparties"
    )
    corpus = run(
        "independent corpus (Iraqi names, ISX companies, regional suppliers)",
        (p for p, _ in corpus_payments(names, kept, args.seed)),
        ctx,
        entries,
        kinds,
    )

    free_text = run(
        "independent corpus in free text (on behalf of / c/o / unknown field)",
        (p for p, _ in free_text_payments(corpus_payments(names, kept, args.seed), args.seed)),
        ctx,
        entries,
        kinds,
    )

    generator.print(args.top)
    corpus.print(args.top)
    free_text.print(args.top)
    if args.json:
        report = {
            "product": product_commit(),
            "matcher": matcher_version(),
            "seed": args.seed,
            "generator": generator.as_dict(50),
            "corpus": corpus.as_dict(50),
            "corpus_free_text": free_text.as_dict(50),
            "dropped_counterparties": [p.name for p in dropped],
        }
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
