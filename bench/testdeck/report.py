"""Markdown tables from the benches' JSON output, one column group per measured product.

    .venv/bin/python -m bench.testdeck.report --deck OLD.json NEW.json --clean OLD.json NEW.json

Each JSON file is what `bench_testdeck --json` or `bench_clean --json` wrote; columns are
labelled with the product commit and matcher version recorded in the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.testdeck.deck import ALL_CLASSES, FAMILY


def _label(doc: dict[str, Any]) -> str:
    commit = str(doc.get("product", "?")).split(" ")[0]
    return f"{doc.get('matcher', '?')} @ {commit}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _cases(rows: list[dict[str, Any] | None]) -> str:
    """The case count, or each product's count when the lists under test differ."""
    counts = list(dict.fromkeys(f"{r['cases']:,}" for r in rows if r))
    return " / ".join(counts)


def deck_tables(docs: list[dict[str, Any]]) -> str:
    head = "| class | family | cases | " + " | ".join(
        f"recall {_label(d)} | block {_label(d)}" for d in docs
    )
    lines = [head + " |", "|" + " --- |" * (3 + 2 * len(docs))]
    for cls in ALL_CLASSES:
        rows = [d["by_class"].get(cls) for d in docs]
        if not any(rows):
            continue
        cases = _cases(rows)
        cells = " | ".join(
            f"{_pct(r['recall'] if r else None)} | {_pct(r['block_rate'] if r else None)}"
            for r in rows
        )
        lines.append(f"| {cls} | {FAMILY[cls]} | {cases} | {cells} |")
    overall = " | ".join(
        f"**{_pct(d['overall']['recall'])}** | {_pct(d['overall']['block_rate'])}" for d in docs
    )
    lines.append(f"| **all** | | {_cases([d['overall'] for d in docs])} | {overall} |")
    lists = sorted({name for d in docs for name in d["by_list"]})
    lines += [
        "",
        "| list | cases | "
        + " | ".join(f"recall {_label(d)} | primary {_label(d)} | block {_label(d)}" for d in docs)
        + " |",
        "|" + " --- |" * (2 + 3 * len(docs)),
    ]
    for name in lists:
        rows = [d["by_list"].get(name) for d in docs]
        cases = _cases(rows)
        cells = " | ".join(
            " | ".join(
                _pct(r[k] if r else None) for k in ("recall", "primary_recall", "block_rate")
            )
            for r in rows
        )
        lines.append(f"| {name} | {cases} | {cells} |")
    return "\n".join(lines)


def clean_tables(docs: list[dict[str, Any]]) -> str:
    lines = [
        "| traffic | payments | "
        + " | ".join(f"blocked {_label(d)} | reviewed {_label(d)}" for d in docs)
        + " |",
        "|" + " --- |" * (2 + 2 * len(docs)),
    ]
    for key, title in (
        ("generator", "generator (`dinarwatch generate`, clean by label)"),
        ("corpus", "independent corpus"),
    ):
        rows = [d[key] for d in docs]
        cells = " | ".join(
            f"{r['blocked']:,} ({r['blocked'] / r['payments']:.2%}) | "
            f"{r['reviewed']:,} ({r['reviewed'] / r['payments']:.2%})"
            for r in rows
        )
        lines.append(f"| {title} | {rows[0]['payments']:,} | {cells} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deck", type=Path, nargs="*", default=[])
    parser.add_argument("--clean", type=Path, nargs="*", default=[])
    args = parser.parse_args()
    if args.deck:
        print(deck_tables([json.loads(p.read_text()) for p in args.deck]))
    if args.clean:
        print()
        print(clean_tables([json.loads(p.read_text()) for p in args.clean]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
