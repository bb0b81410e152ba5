"""What the deck is built from: the loaded lists' entries, a seeded SDN sample, branch BICs.

The entries come from the ScreeningContext the bench screens with, so the deck and the product
read the same list files (../shared/data for OFAC/UN, rules/data for the built-in lists).
Branch BICs come from the public BIC directory extracts in ../shared/data/bic (read as facts).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.planting import payment_name
from schemas.listentry import ListEntry

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DINARWATCH_SHARED_DATA") or REPO.parent / "shared" / "data")
"""../shared/data beside the repo; DINARWATCH_SHARED_DATA points elsewhere (a git worktree)."""
BIC_DIRECTORY = {
    "IQ": SHARED / "bic" / "PeterNotenboom_SwiftCodes_IQ.json",
    "IR": SHARED / "bic" / "PeterNotenboom_SwiftCodes_IR.json",
}

BUILTIN_RULES: Mapping[str, str] = {
    "cbi-usd-ban": "CBI-USD-BAN",
    "fincen-311": "FINCEN-311",
    "iran-banks": "IRAN-NEXUS",
    "militia-fronts": "MILITIA-FRONT",
}
"""Deck lists (every entry is used) and the rule each one feeds."""
SDN_LIST = "ofac-sdn"
UN_LIST = "un-consolidated"
LIST_RULES: Mapping[str, str] = {**BUILTIN_RULES, SDN_LIST: "OFAC-SDN", UN_LIST: "UN-SANCTIONS"}

PRIORITY_PROGRAMS = re.compile(r"^(IRAN.*|IRGC|IFSR|NPWMD|IRAQ.*|SDGT|FTO|HIZBALLAH)$")
"""Programs the sample favours: what an Iraqi USD flow is most exposed to."""
PRIORITY_SHARE = 0.7
_ENT_NUM = re.compile(r"ent_num\W+(\d+)")


@dataclass(frozen=True)
class Target:
    """One list entry the deck manipulates, with the name a payment would carry."""

    entry: ListEntry
    list_name: str
    name: str
    """The name as a payment writes it (generator.planting.payment_name: an SDN person's
    'LAST, First' turned to 'First LAST', as the generator plants it)."""

    @property
    def is_bank(self) -> bool:
        return self.entry.kind == "bank" or bool(self.entry.bics)

    @property
    def bic8s(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b[:8].upper() for b in self.entry.bics))


def builtin_targets(lists: Mapping[str, Sequence[ListEntry]]) -> list[Target]:
    """Every entry of every built-in deck list, in list then entry order."""
    return [
        Target(entry, list_name, payment_name(entry))
        for list_name in sorted(BUILTIN_RULES)
        for entry in sorted(lists.get(list_name, ()), key=lambda e: e.entry_id)
    ]


def sdn_sample(entries: Iterable[ListEntry], size: int, seed: int) -> list[Target]:
    """A seeded sample of SDN entities and individuals, ~70% from Iran/Iraq/terrorism programs."""
    pool = sorted(
        (e for e in entries if e.kind in ("entity", "individual", "bank")),
        key=lambda e: e.entry_id,
    )
    favoured = [e for e in pool if any(PRIORITY_PROGRAMS.match(p) for p in e.programs)]
    others = [e for e in pool if not any(PRIORITY_PROGRAMS.match(p) for p in e.programs)]
    rng = random.Random(seed)
    take_favoured = min(len(favoured), round(size * PRIORITY_SHARE))
    take_others = min(len(others), size - take_favoured)
    chosen = rng.sample(favoured, take_favoured) + rng.sample(others, take_others)
    chosen.sort(key=lambda e: e.entry_id)
    return [Target(e, SDN_LIST, payment_name(e)) for e in chosen]


def sdn_ent_num(entry: ListEntry) -> str | None:
    """The SDN ent_num an entry is, or says it is tied to (built-in lists cite it in remarks)."""
    if entry.entry_id.startswith(f"{SDN_LIST}-"):
        return entry.entry_id.removeprefix(f"{SDN_LIST}-")
    found = _ENT_NUM.search(f"{entry.remarks or ''} {entry.legal_source}")
    return found.group(1) if found else None


def _name_key(name: str) -> str:
    """Casefolded words in sorted order: SDN's 'AHMADIAN, Ali Akbar' is UN's 'ALI AKBAR
    AHMADIAN', so a UN finding on that person counts as catching the SDN entry."""
    words = re.split(r"[^0-9a-z\u0600-\u06ff]+", name.casefold())
    return " ".join(sorted(w for w in words if w))


class Linkage:
    """Which rules may rightly catch an entry: its own list's rule, and the rules of every other
    loaded list holding the same party (same BIC8, same SDN ent_num or the same name)."""

    def __init__(self, lists: Mapping[str, Sequence[ListEntry]]) -> None:
        self._by_key: dict[str, set[str]] = {}
        for list_name, entries in lists.items():
            if list_name not in LIST_RULES:
                continue
            for entry in entries:
                for key in self._keys(entry):
                    self._by_key.setdefault(key, set()).add(list_name)

    @staticmethod
    def _keys(entry: ListEntry) -> set[str]:
        keys = {f"bic:{b[:8].upper()}" for b in entry.bics}
        ent = sdn_ent_num(entry)
        if ent:
            keys.add(f"sdn:{ent}")
        keys |= {
            f"name:{key}" for key in map(_name_key, entry.names) if len(key.replace(" ", "")) >= 6
        }
        return keys

    def rules_for(self, target: Target) -> frozenset[str]:
        lists = {target.list_name}
        for key in self._keys(target.entry):
            lists |= self._by_key.get(key, set())
        return frozenset(LIST_RULES[name] for name in lists)


@dataclass(frozen=True)
class BranchBic:
    bic: str
    bank: str
    city: str


def directory(country: str) -> list[BranchBic]:
    """One country's BIC directory extract (~2015), as (BIC, bank, city)."""
    doc = json.loads(BIC_DIRECTORY[country].read_text("utf-8"))
    return [
        BranchBic(str(row["swift_code"]).upper(), str(row["bank"]), str(row.get("city") or ""))
        for row in doc["list"]
    ]


def branch_bics(
    target: Target, iq: Sequence[BranchBic], ir: Sequence[BranchBic]
) -> dict[str, list[str]]:
    """Branch BICs of the target's bank: `abroad` (Iraqi BICs whose bank code, the first four
    letters, is the bank's own: Bank Melli's MELIIQBA, Parsian's BKPAIQBA) and `home` (BIC11
    branches of the bank's own BIC8s in Iran). Whether a list already names a branch BIC does
    not matter: the deck must stay the same whatever the lists under test contain."""
    if not target.bic8s:
        return {}
    codes = {b[:4] for b in target.bic8s}
    own = target.bic8s[0]
    abroad = sorted({b.bic for b in iq if b.bic[:4] in codes and b.bic != own})
    home = sorted({b.bic for b in ir if b.bic[:8] in target.bic8s and len(b.bic) == 11})
    return {"abroad": abroad, "home": home}
