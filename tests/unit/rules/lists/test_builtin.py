"""The built-in lists: facts with a source per entry, loaded by default."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from lists.files import builtin_lists, load_builtin_list, load_lists
from rules.lists.builtin import BUILTIN_FILES
from rules.lists.countries import country_code
from tests.unit.rules.conftest import SDN_2024, SHARED_DATA, UN_XML, need


@pytest.mark.parametrize("name", sorted(BUILTIN_FILES))
def test_every_entry_has_a_legal_source_and_a_dated_version(name: str) -> None:
    reference = load_builtin_list(name)
    assert len(reference) >= 1
    assert reference.published is not None and reference.version.startswith(
        str(reference.published)
    )
    assert all(e.legal_source for e in reference.entries)
    assert len({e.entry_id for e in reference.entries}) == len(reference)


def test_builtin_lists_load_by_default() -> None:
    assert set(builtin_lists().versions()) == {
        "cbi-usd-ban",
        "fincen-311",
        "iran-banks",
        "militia-fronts",
        "sanctioned-jurisdictions",
    }


def test_fincen_311_al_huda_from_the_final_rule() -> None:
    (huda,) = load_builtin_list("fincen-311").entries
    assert huda.bics == ["BHDAIQBA"]
    assert huda.listed_from == date(2024, 8, 2)
    assert huda.currency_scope == ["USD"]
    assert "2024-01-29" in (huda.remarks or "") and "89 FR 55051" in huda.legal_source


def test_militia_fronts_with_designation_dates_and_arabic_names() -> None:
    by_sdn = {
        e.remarks.split(";")[0]: e for e in load_builtin_list("militia-fronts").entries if e.remarks
    }
    expected = {
        "11462": (date(2009, 7, 2), "كتائب حزب الله"),
        "28283": (date(2020, 1, 10), "عصائب أهل الحق"),
        "26446": (date(2019, 3, 5), "حركة النجباء"),
        "46348": (date(2023, 11, 17), "كتائب سيد الشهداء"),
    }
    for ent_num, (listed_from, arabic) in expected.items():
        entry = by_sdn[f"OFAC SDN ent_num {ent_num}"]
        assert entry.listed_from == listed_from
        assert arabic in entry.names_original_script and arabic in entry.names
    bilad = by_sdn["OFAC SDN ent_num 24545"]
    assert (bilad.bics, bilad.listed_from, bilad.kind) == (["AIIFIQBA"], date(2018, 5, 15), "bank")


def test_iran_banks_bic8s_are_the_right_banks() -> None:
    by_bic = {b: e for e in load_builtin_list("iran-banks").entries for b in e.bics}
    assert "MARKAZI" in by_bic["BMJIIRTH"].primary_name  # Bank Markazi, not Bank Melli
    assert by_bic["MELIIRTH"].primary_name == "BANK MELLI IRAN"
    assert by_bic["BSIRIRTH"].primary_name == "BANK SADERAT IRAN"
    for bic in (
        "SEPBIRTH",
        "BKMTIRTH",
        "BTEJIRTH",
        "BKPAIRTH",
        "BKBPIRTH",
        "BEGNIRTH",
        "REFAIRTH",
        "SINAIRTH",
        "EDBIIRTH",
        "PBIRIRTH",
        "KESHIRTH",
        "BKMNIRTH",
    ):
        assert bic in by_bic, bic
    assert by_bic["RCDFIQBA"].countries == ["IQ"]  # Iranian-owned bank in Baghdad


def test_iran_banks_agree_with_the_shared_derived_file() -> None:
    path = need(SHARED_DATA / "bic" / "iran_bics_merged.csv")
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["sdn_ent_num"]]
    by_bic = {b: e for e in load_builtin_list("iran-banks").entries for b in e.bics}
    assert len(rows) == 33
    for row in rows:
        assert f"ent_num {row['sdn_ent_num']}" in by_bic[row["bic8"]].legal_source


def test_militia_facts_agree_with_the_sdn_file(sdn_2024) -> None:  # type: ignore[no-untyped-def]
    sdn = {e.entry_id: e for e in sdn_2024.reference.entries}
    for entry in load_builtin_list("militia-fronts").entries:
        ent_num = (entry.remarks or "").split(";")[0].removeprefix("OFAC SDN ent_num ")
        if f"ofac-sdn-{ent_num}" in sdn:  # Muhandis General Company is newer than the file
            assert set(entry.programs) <= set(sdn[f"ofac-sdn-{ent_num}"].programs) | {"FTO"}


def test_load_lists_adds_configured_files_to_the_builtins() -> None:
    lists = load_lists(need(SDN_2024).parent, need(UN_XML), ofac_published=date(2024, 5, 3))
    versions = lists.versions()
    assert versions["ofac-sdn"].startswith("2024-05-03+")
    assert versions["un-consolidated"].startswith("2026-02-27+")
    assert "iran-banks" in versions
    assert load_lists(None, None).versions() == builtin_lists().versions()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Iran", "IR"),
        ("Iraq", "IQ"),
        ("Korea, North", "KP"),
        ("Turkey", "TR"),
        ("United Arab Emirates", "AE"),
        ("Region: Crimea", None),
        ("", None),
    ],
)
def test_country_names_as_the_lists_write_them(name: str, code: str | None) -> None:
    assert country_code(name) == code
