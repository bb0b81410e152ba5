"""The labelled name-matching evaluation set and tiny OFAC CSV readers, shared by tests and bench.

The readers are deliberately minimal (names only): the official loader lives in rules/lists and
is tested there; the matcher's tests must not depend on it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rules.matching import NameIndex
from schemas.listentry import ListEntry

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT / "tests" / "data" / "name_matching"
CBI_YAML = ROOT / "rules" / "data" / "cbi_usd_ban.yaml"
SHARED = ROOT.parent / "shared" / "data"
SDN_CSV = SHARED / "ofac" / "sdn_2024-05-03" / "sdn.csv"
ALT_CSV = SHARED / "ofac" / "addalt_2025-12" / "alt.csv"
_AKA = re.compile(r"a\.k\.a\. '(.+?)'(?=[;.]|$)")


@dataclass(frozen=True)
class Case:
    query: str
    expect: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Outcome:
    """Confusion counts at one threshold, and the cases that went wrong."""

    true_positives: int
    false_negatives: list[Case]
    false_positives: list[tuple[Case, str, float]]

    @property
    def recall(self) -> float:
        found = self.true_positives
        return found / (found + len(self.false_negatives)) if found or self.false_negatives else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + len(self.false_positives)
        return self.true_positives / flagged if flagged else 1.0


def _load(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text("utf-8"))


def positives() -> list[Case]:
    return [Case(c["query"], _ids(c["expect"]), "") for c in _load("positives.yaml")["positives"]]


def negatives() -> list[Case]:
    return [Case(c["query"], (), c.get("near", "")) for c in _load("negatives.yaml")["negatives"]]


def _ids(expect: str | list[str]) -> tuple[str, ...]:
    """One id, or several when the name is equally that of several listed subjects."""
    return (expect,) if isinstance(expect, str) else tuple(expect)


def cbi_entries() -> list[ListEntry]:
    doc = yaml.safe_load(CBI_YAML.read_text("utf-8"))
    return [
        _entry(raw["id"], raw["names"], [], "cbi-usd-ban", raw.get("kind", "bank"))
        for batch in doc["batches"]
        for raw in batch["entries"]
    ]


def fixture_entries() -> list[ListEntry]:
    return [
        _entry(raw["id"], raw["names"], raw.get("original", []), "sdn", raw.get("kind", "entity"))
        for raw in _load("entries.yaml")["entries"]
    ]


def evaluation_index() -> NameIndex:
    return NameIndex([*cbi_entries(), *fixture_entries()])


def evaluate(index: NameIndex, threshold: float) -> Outcome:
    """A positive is found when an expected entry is among its hits; any hit on a negative, and
    any hit on a positive other than its expected entries, is a false positive."""
    found = 0
    missed: list[Case] = []
    wrong: list[tuple[Case, str, float]] = []
    for case in [*positives(), *negatives()]:
        hits = index.search(case.query, threshold)
        ids = {h.entry.entry_id for h in hits}
        if case.expect:
            if ids & set(case.expect):
                found += 1
            else:
                missed.append(case)
        wrong += [
            (case, h.entry.entry_id, h.score) for h in hits if h.entry.entry_id not in case.expect
        ]
    return Outcome(found, missed, wrong)


def _entry(
    entry_id: str,
    names: list[str],
    original: list[str],
    list_name: str,
    kind: str,
    remarks: str | None = None,
) -> ListEntry:
    return ListEntry(
        entry_id=entry_id,
        list_name=list_name,
        kind=kind,
        names=list(names),
        names_original_script=list(original),
        legal_source="name-matching evaluation fixture",
        remarks=remarks,
    )


def read_sdn(sdn_csv: Path = SDN_CSV, alt_csv: Path | None = ALT_CSV) -> list[ListEntry]:
    """SDN entries (primary name, a.k.a.s quoted in remarks, alt.csv aliases joined on ent_num).

    The remarks are kept as the official loader keeps them: the matcher reads OFAC's quoted
    a.k.a.s there as weak aliases. Vessels and aircraft keep their kind.
    """
    names: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    remarks: dict[str, str | None] = {}
    for row in _rows(sdn_csv):
        if len(row) < 12:
            continue
        names[row[0]] = [row[1], *_AKA.findall(row[11])]
        kinds[row[0]] = row[2] if row[2] in ("individual", "vessel", "aircraft") else "entity"
        remarks[row[0]] = row[11] if row[11] not in ("", "-0-") else None
    if alt_csv is not None:
        for row in _rows(alt_csv):
            if len(row) >= 4 and row[0] in names:
                names[row[0]].append(row[3])
    return [
        _entry(
            f"sdn-{num}",
            list(dict.fromkeys(n for n in aliases if n)),
            [],
            "ofac-sdn",
            kinds[num],
            remarks[num],
        )
        for num, aliases in names.items()
    ]


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="cp1252", newline="") as handle:
        for row in csv.reader(line for line in handle if not line.startswith("\x1a")):
            yield [cell.strip() for cell in row if cell is not None]


def names_of(entries: Iterable[ListEntry]) -> int:
    return sum(len(e.names) for e in entries)
