"""Load the full lists the way the product does and screen payments with the product's engine.

The context comes from the adapter every runtime uses (screening.context_loader with Settings
pointing at the shared OFAC files and the UN XML), so the benches measure exactly what a
worker configured with DINARWATCH_OFAC_DIR and DINARWATCH_UN_XML would decide.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.testdeck.sources import SHARED
from rules.context import ScreeningContext
from rules.engine import screen_payment
from schemas.decision import Decision, Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

OFAC_FILES = {
    "sdn.csv": SHARED / "ofac" / "sdn_2024-05-03" / "sdn.csv",
    "alt.csv": SHARED / "ofac" / "addalt_2025-12" / "alt.csv",
    "add.csv": SHARED / "ofac" / "addalt_2025-12" / "add.csv",
}
UN_XML = SHARED / "un" / "UN_consolidated.xml"
EVALUATED_AT = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
CAUGHT = ("review", "block")


def ofac_dir(folder: Path) -> Path:
    """A DINARWATCH_OFAC_DIR of symlinks: the 2024-05-03 sdn.csv with the 2025-12 alt/add."""
    for name, source in OFAC_FILES.items():
        if not source.exists():
            raise SystemExit(f"missing {source}: the shared reference data sits beside the repo")
        link = folder / name
        if not link.exists():
            link.symlink_to(source)
    return folder


def full_context(with_ofac: bool = True, with_un: bool = True) -> ScreeningContext:
    """Built-in lists + full SDN (+ 2025-12 aliases/addresses) + UN, via the product's adapter."""
    from infra.settings import Settings
    from screening.context_loader import context_from_settings

    with tempfile.TemporaryDirectory(prefix="dinarwatch-bench-ofac-") as tmp:
        folder = ofac_dir(Path(tmp)) if with_ofac else None
        if with_un and not UN_XML.exists():
            raise SystemExit(f"missing {UN_XML}: the shared reference data sits beside the repo")
        settings = Settings(
            _env_file=None,
            ofac_dir=folder,
            un_xml=UN_XML if with_un else None,
            rule_pack=None,
        )
        return context_from_settings(settings)


def list_entries(ctx: ScreeningContext) -> dict[str, Sequence[ListEntry]]:
    """Every loaded list's entries by list name."""
    return {name: ref.entries for name, ref in ctx.lists.lists.items()}


def screen(payment: Payment, ctx: ScreeningContext) -> Decision:
    """The product's decision for one payment (stateless rules; the deck has no windows)."""
    return screen_payment(payment, ctx, EVALUATED_AT)


@dataclass(frozen=True)
class Outcome:
    """How one expected case was decided."""

    decision: str
    hit: bool
    """Decision review or block AND a finding of a rule entitled to catch the case."""
    primary_hit: bool
    """The same, counting only the target list's own rule."""
    findings: tuple[Finding, ...]


def judge(decision: Decision, expected: Iterable[str], primary: str) -> Outcome:
    wanted = set(expected)
    caught = decision.decision.value in CAUGHT
    rules = {f.rule for f in decision.findings if f.action.value in CAUGHT}
    return Outcome(
        decision=decision.decision.value,
        hit=caught and bool(rules & wanted),
        primary_hit=caught and primary in rules,
        findings=tuple(decision.findings),
    )


def finding_summary(f: Finding) -> Mapping[str, object]:
    """The parts of a finding a matcher engineer needs to see."""
    return {
        "rule": f.rule,
        "action": f.action.value,
        "field": f.field,
        "matched": f.matched,
        "entry": f.entry_name,
        "entry_id": f.entry_id,
        "score": round(f.score, 3),
        "method": f.match_method,
        "listed_as": (f.evidence or {}).get("listed_as"),
    }
