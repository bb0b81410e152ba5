"""OFAC legacy CSV loader: the format's quirks on small inputs, then the real published files."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from lists.files import load_ofac_csv, load_ofac_dir
from rules.lists.ofac import (
    OfacLoad,
    join_aux_rows,
    map_sdn_record,
    parse_remarks,
    parse_sdn_rows,
    read_ofac_rows,
    split_programs,
)
from tests.unit.rules.conftest import SET_2021, need

SDN_ROWS = (
    '25019,"BANK MELLAT",-0- ,"IRAN] [SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"SWIFT/BIC BKMTIRTH; Website www.bankmellat.ir; a.k.a. 'MELLAT BANK'.\"\r\n"
    '15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker","99,144","56,068",'
    '"Iran",-0- ,"Vessel Registration Identification IMO 9187629; f.k.a. \'ALPHA\'."\r\n'
    '47348,"AL-MOUSSAWI, Hamad","individual","SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 12 May 1970; nationality Iraq; Gender Male."\r\n\x1a'
).encode("cp1252")


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_bytes(text.encode("cp1252") + b"\r\n\x1a")
    return path


def test_rows_are_cp1252_with_empty_marker_and_eof_byte() -> None:
    rows = read_ofac_rows(SDN_ROWS)
    assert len(rows) == 3
    assert rows[0][2] == "-0-"  # stripped of its trailing space
    assert rows[-1][-1].endswith("Gender Male.")


def test_programs_field_splits_into_programs() -> None:
    assert split_programs("IRAN] [SDGT] [IFSR") == ("IRAN", "SDGT", "IFSR")
    assert split_programs("SDGT") == ("SDGT",)
    assert split_programs(None) == ()


def test_remarks_give_bic_imo_aliases_and_nationality() -> None:
    facts = parse_remarks(
        "SWIFT/BIC BKMTIRTH; alt. SWIFT/BIC BKMTIRTH001; Vessel Registration Identification IMO "
        "9187629; nationality Iraq; alt. citizen Iran; a.k.a. 'KATA'IB HIZBALLAH FI AL-IRAQ'; "
        "f.k.a. 'ALPHA'."
    )
    assert facts.bics == ("BKMTIRTH", "BKMTIRTH001")
    assert facts.imo_numbers == ("9187629",)
    assert facts.aliases == (("aka", "KATA'IB HIZBALLAH FI AL-IRAQ"), ("fka", "ALPHA"))
    assert facts.nationalities == ("Iraq", "Iran")


def test_mapping_keeps_identifiers_kind_countries_and_audit_facts() -> None:
    records = parse_sdn_rows(read_ofac_rows(SDN_ROWS))
    mellat = map_sdn_record(records["25019"])
    assert mellat.entry_id == "ofac-sdn-25019"
    assert mellat.list_name == "ofac-sdn"
    assert mellat.names == ["BANK MELLAT", "MELLAT BANK"]
    assert mellat.bics == ["BKMTIRTH"]
    assert mellat.programs == ["IRAN", "SDGT", "IFSR"]
    assert mellat.listed_from is None  # the legacy CSV carries no designation dates
    assert mellat.legal_source == "OFAC SDN list, program IRAN/SDGT/IFSR (ent_num 25019)"
    assert "SWIFT/BIC BKMTIRTH" in (mellat.remarks or "")
    vessel = map_sdn_record(records["15036"])
    assert (vessel.kind, vessel.imo_numbers, vessel.countries) == ("vessel", ["9187629"], ["IR"])
    assert vessel.names == ["ARTAVIL", "ALPHA"]
    assert "vessel type: Crude/Oil Products Tanker" in (vessel.remarks or "")
    person = map_sdn_record(records["47348"])
    assert (person.kind, person.countries) == ("individual", ["IQ"])


def test_aux_rows_join_on_ent_num_and_orphans_are_counted() -> None:
    records = parse_sdn_rows(read_ofac_rows(SDN_ROWS))
    alt = [["25019", "1", "aka", "BANK MELLAT PLC", "-0-"], ["99999", "2", "aka", "NOBODY", "-0-"]]
    add = [
        ["25019", "1", "-0-", "Tehran", "Iran", "-0-"],
        ["99999", "2", "-0-", "-0-", "Iraq", "-0-"],
    ]
    joined, skipped = join_aux_rows(records, alt, add)
    assert joined["25019"].aliases == (("aka", "BANK MELLAT PLC"),)
    assert joined["25019"].address_countries == ("Iran",)
    assert "99999" not in joined
    assert skipped["alt"] == 1 and skipped["add"] == 1 and skipped["alt_ent_nums"] == 1


def test_comments_continue_the_remarks(tmp_path: Path) -> None:
    sdn = write(
        tmp_path,
        "sdn.csv",
        '1,"X BANK",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website x.ir; SWIFT/BIC XBANI"',
    )
    comments = write(tmp_path, "sdn_comments.csv", "1,\"RTH; a.k.a. 'X'.\"")
    load = load_ofac_csv(sdn, comments=comments)
    assert load.reference.entries[0].bics == ["XBANIRTH"]


def test_version_is_dated_when_the_caller_knows_the_day(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(SDN_ROWS)
    undated = load_ofac_dir(tmp_path).reference
    dated = load_ofac_dir(tmp_path, published=date(2024, 5, 3)).reference
    assert len(undated.version) == 12
    assert dated.version == f"2024-05-03+{undated.version}"


# --- the real files -------------------------------------------------------------------------


def test_full_sdn_2024_counts(sdn_2024: OfacLoad) -> None:
    entries = sdn_2024.reference.entries
    assert len(entries) == 14_965
    programs = Counter(p for e in entries for p in e.programs)
    expected = {"IRAN": 669, "IRGC": 293, "IFSR": 1171, "SDGT": 2386, "NPWMD": 943}
    assert {p: programs[p] for p in expected} == expected
    assert (programs["IRAQ2"], programs["IRAQ3"]) == (191, 15)
    kinds = Counter(e.kind for e in entries)
    assert (kinds["individual"], kinds["vessel"], kinds["aircraft"]) == (6854, 851, 376)


def test_newer_alt_file_rows_for_missing_entries_are_skipped(sdn_2024: OfacLoad) -> None:
    assert sdn_2024.skipped["alt_ent_nums"] == 1567  # entries designated after 2024-05-03
    assert sdn_2024.skipped["alt"] == 2460  # their alias rows
    names = sum(len(e.names) for e in sdn_2024.reference.entries)
    assert names > 14_965 + 15_000  # primary names + joined aliases + remark aliases


def test_kataib_hizballah_with_its_aliases(sdn_2024: OfacLoad) -> None:
    kh = next(e for e in sdn_2024.reference.entries if e.entry_id == "ofac-sdn-11462")
    assert kh.primary_name == "KATA'IB HIZBALLAH"
    assert {"KATA'IB HEZBOLLAH", "HIZBALLAH BRIGADES", "ISLAMIC RESISTANCE IN IRAQ"} <= set(
        kh.names
    )
    assert kh.programs == ["FTO", "SDGT", "IRAQ3"]
    assert kh.countries == ["IQ"]


def test_al_bilad_islamic_bank_has_its_bic(sdn_2024: OfacLoad) -> None:
    bilad = next(e for e in sdn_2024.reference.entries if e.entry_id == "ofac-sdn-24545")
    assert bilad.bics == ["AIIFIQBA"]
    assert bilad.programs == ["SDGT", "IRGC", "IFSR"]


def test_vessel_with_imo_and_former_names(sdn_2024: OfacLoad) -> None:
    artavil = next(e for e in sdn_2024.reference.entries if e.entry_id == "ofac-sdn-15036")
    assert (artavil.kind, artavil.imo_numbers) == ("vessel", ["9187629"])
    assert "ALPHA" in artavil.names
    with_imo = [e for e in sdn_2024.reference.entries if e.kind == "vessel" and e.imo_numbers]
    assert len(with_imo) > 800


def test_every_swift_bic_in_remarks_is_parsed(sdn_2024: OfacLoad) -> None:
    bics = {b for e in sdn_2024.reference.entries for b in e.bics}
    assert {"BKMTIRTH", "SEPBIRTH", "AIIFIQBA", "RCDFIQBA", "MELIGB2L"} <= bics
    assert len(bics) >= 160


def test_complete_2021_set_loads_from_its_folder() -> None:
    load = load_ofac_dir(need(SET_2021))
    assert len(load.reference) > 8000
    assert load.skipped["alt"] == 0 and load.skipped["add"] == 0
    assert "sdn_comments.csv" in load.reference.source


def test_same_files_same_version(sdn_2024: OfacLoad) -> None:
    from tests.unit.rules.conftest import ADDALT_2025, SDN_2024

    again = load_ofac_csv(SDN_2024, ADDALT_2025 / "alt.csv", ADDALT_2025 / "add.csv")
    assert again.reference.version == sdn_2024.reference.version
