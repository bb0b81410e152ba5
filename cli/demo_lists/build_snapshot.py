"""Rebuild the demo list snapshot from the public lists in ../shared/data (a developer's tool).

    .venv/bin/python -m cli.demo_lists.build_snapshot

Keeps, byte for byte, the rows of OFAC's legacy CSV files (sdn.csv of 2024-05-03, alt.csv and
add.csv of 2025-12) and the UN consolidated list's records (2026-02-27) of the entries the demo
plants and of every entry of another list that holds the same subject: the SDN entries the
built-in lists cite or share a BIC or a name with, a seeded sample of SDN entities, persons and
vessels from the Iran, Iraq and terrorism programs, a sample of UN entities and persons, and
the SDN/UN entries those are linked to. The generator and the worker then read the same small
lists, so the demo's labels are exact for them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from lxml import etree

from generator.planting import SDN_LIST, UN_LIST, ListFacts
from lists.files import builtin_lists, load_lists
from rules.lists.base import ListSet
from rules.lists.un import safe_parser
from schemas.listentry import ListEntry

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared" / "data"
SDN_CSV = SHARED / "ofac" / "sdn_2024-05-03" / "sdn.csv"
ADDALT = SHARED / "ofac" / "addalt_2025-12"
UN_XML = SHARED / "un" / "UN_consolidated.xml"
SAMPLE = {"sdn-entity": 70, "sdn-person": 40, "sdn-vessel": 30, "un-entity": 40, "un-person": 30}
_ENT_NUM = re.compile(r"ent_num\W+(\d+)")


def _ofac_dir(tmp: Path) -> Path:
    for name, source in (("sdn.csv", SDN_CSV), ("alt.csv", ADDALT / "alt.csv"),
                         ("add.csv", ADDALT / "add.csv")):  # fmt: skip
        (tmp / name).symlink_to(source)
    return tmp


def choose(lists: ListSet) -> tuple[set[str], set[str]]:
    """SDN ent_nums and UN reference numbers to keep."""
    facts = ListFacts.build(lists)
    rng = random.Random(20260227)
    chosen: list[ListEntry] = []
    for pool, size in SAMPLE.items():
        entries = facts.pools[pool]
        chosen += rng.sample(entries, min(size, len(entries)))
    for reference in builtin_lists().lists.values():
        chosen += reference.entries
    keep = list(chosen)
    for entry in chosen:
        keep += facts.linked(bic=entry.bics[0] if entry.bics else None, name=entry.names[0])
        for name in entry.names:
            keep += facts.near(entry, name)
            keep += facts.linked(name=name)
        found = _ENT_NUM.search(f"{entry.remarks or ''} {entry.legal_source}")
        if found and entry.list_name != SDN_LIST:
            keep += [e for e in facts.entries(SDN_LIST) if e.entry_id == f"{SDN_LIST}-{found[1]}"]
    sdn = {e.entry_id.removeprefix(f"{SDN_LIST}-") for e in keep if e.list_name == SDN_LIST}
    un = {e.entry_id.removeprefix(f"{UN_LIST}-") for e in keep if e.list_name == UN_LIST}
    return sdn, un


def _rows(path: Path, keep: set[str]) -> bytes:
    data = path.read_bytes().rstrip(b"\x1a")
    rows = [
        row for row in data.split(b"\r\n") if row.split(b",", 1)[0] in {k.encode() for k in keep}
    ]
    return b"\r\n".join(rows) + b"\r\n\x1a"


def _un_subset(keep: set[str]) -> bytes:
    root = etree.fromstring(UN_XML.read_bytes(), parser=safe_parser())
    for group in root:
        for record in list(group):
            if (record.findtext("REFERENCE_NUMBER") or "").strip() not in keep:
                group.remove(record)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        lists = load_lists(_ofac_dir(Path(tmp)), UN_XML)
        sdn, un = choose(lists)
    out = HERE / "ofac"
    out.mkdir(exist_ok=True)
    (out / "sdn.csv").write_bytes(_rows(SDN_CSV, sdn))
    (out / "alt.csv").write_bytes(_rows(ADDALT / "alt.csv", sdn))
    (out / "add.csv").write_bytes(_rows(ADDALT / "add.csv", sdn))
    (HERE / "un_consolidated.xml").write_bytes(_un_subset(un))
    print(f"kept {len(sdn)} SDN entries and {len(un)} UN entries in {HERE}")


if __name__ == "__main__":
    main()
