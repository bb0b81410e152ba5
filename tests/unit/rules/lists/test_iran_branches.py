"""The iran-banks list holds every Iranian bank's branch abroad that the shared BIC directory
lists, and the Iranian IBAN bank codes of the Central Bank of Iran's participant file."""

from __future__ import annotations

import csv
import json

from lists.files import load_builtin_list
from rules.lists.builtin import IRAN_BANKS_LIST
from tests.unit.rules.conftest import SHARED_DATA, need

BIC_DIR = SHARED_DATA / "bic"


def _directory(country: str) -> list[dict[str, str]]:
    path = need(BIC_DIR / f"PeterNotenboom_SwiftCodes_{country}.json")
    rows: list[dict[str, str]] = json.loads(path.read_text("utf-8"))["list"]
    return rows


def test_every_directory_branch_of_an_iranian_bank_is_listed() -> None:
    banks = load_builtin_list(IRAN_BANKS_LIST)
    listed = {bic[:8] for entry in banks for bic in entry.bics}
    iranian_codes = {bic[:4] for bic in listed if bic[4:6] == "IR"}
    branches = {
        row["swift_code"][:8]
        for country in ("IQ", "IR")
        for row in _directory(country)
        if row["swift_code"][:4] in iranian_codes and row["swift_code"][4:6] != "IR"
    }
    assert branches >= {"MELIIQBA", "BKPAIQBA"}
    assert branches <= listed, sorted(branches - listed)


def test_branch_entries_name_their_source() -> None:
    banks = {e.entry_id: e for e in load_builtin_list(IRAN_BANKS_LIST)}
    melli = banks["iran-bank-meliirth"]
    assert "MELIIQBA" in melli.bics and "IQ" in melli.countries
    assert melli.remarks is not None and "PeterNotenboom_SwiftCodes_IQ.json" in melli.remarks


def test_iranian_iban_bank_codes_follow_the_participant_file() -> None:
    path = need(BIC_DIR / "iran_isc_participants_bic_iban.csv")
    expected = {row["bic11"][:8]: row["iban_bank_code"] for row in csv.DictReader(path.open())}
    banks = load_builtin_list(IRAN_BANKS_LIST)
    seen = 0
    for entry in banks:
        home = next((b for b in entry.bics if b[4:6] == "IR"), None)
        if home in expected:
            seen += 1
            assert expected[home] in entry.iban_bank_codes, entry.entry_id
            assert entry.remarks is not None and "iran_isc_participants" in entry.remarks
    assert seen == 29
