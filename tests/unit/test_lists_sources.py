"""The list-source registry `lists fetch` works from: every source named in issue 16, its files,
official URLs and cadence, and parse_source on the real files in ../shared/data (OFAC legacy
CSV sets of 2021-07-07 and the consolidated non-SDN CSVs of 2025-12, UN XML of 2026-02-27; US
and UN public data, see ../shared/data/README.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lists.wire import decode_record, encode_list, list_key
from rules.lists.errors import ListFormatError
from rules.lists.sources import SOURCES, parse_source, source_spec
from tests.unit.lists_support import fixture, shared

SDN_SET = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
NONSDN_SET = ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")


def read_set(folder: str, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: shared(f"{folder}/{name}").read_bytes() for name in names}


def test_registry_names_every_source_with_files_urls_and_cadence():
    assert list(SOURCES) == [
        "ofac-sdn",
        "ofac-sls",
        "ofac-nonsdn",
        "un",
        "eu",
        "uk",
        "opensanctions",
    ]
    for name, spec in SOURCES.items():
        assert spec.name == name and spec.required
        assert set(spec.files) <= set(spec.urls), name
        assert all(url.startswith("https://") for url in spec.urls.values()), name
        assert timedelta(hours=1) <= spec.cadence <= timedelta(days=7), name
    assert SOURCES["ofac-sdn"].files == ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
    assert SOURCES["ofac-sdn"].folder_url == (
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
    )
    assert SOURCES["un"].folder_url is None  # one file: --url is the file's own URL
    assert SOURCES["ofac-nonsdn"].alternatives == (("cons_enhanced.xml",),)


def test_unknown_source_is_a_list_format_error():
    with pytest.raises(ListFormatError, match="unknown list source 'ofac'"):
        source_spec("ofac")


def test_ofac_sdn_legacy_csv_set_of_one_day():
    files = read_set("ofac/set_2021-07", SDN_SET)
    (reference,) = parse_source("ofac-sdn", files, published=date(2021, 7, 7))
    assert reference.name == "ofac-sdn" and reference.version.startswith("2021-07-07+")
    assert len(reference) == 8976
    upper = {name.upper(): data for name, data in files.items()}  # OFAC serves SDN.CSV
    (same,) = parse_source("ofac-sdn", upper, published=date(2021, 7, 7))
    assert same.version == reference.version


def test_ofac_nonsdn_legacy_csv_set():
    (reference,) = parse_source(
        "ofac-nonsdn", read_set("ofac/non_sdn_consolidated_2025-12", NONSDN_SET)
    )
    assert reference.name == "ofac-nonsdn" and len(reference) == 442
    kunlun = next(e for e in reference if e.entry_id == "ofac-nonsdn-15268")
    assert kunlun.bics == ["CKLBCNBJ"] and kunlun.programs == ["561-Related"]
    assert kunlun.legal_source.startswith("OFAC consolidated non-SDN lists, program 561-Related")


def test_un_xml():
    data = shared("un/UN_consolidated.xml").read_bytes()
    (reference,) = parse_source("un", {"consolidated.xml": data})
    assert reference.name == "un-consolidated" and len(reference) == 1003
    assert reference.published == date(2026, 2, 27)


@pytest.mark.parametrize(
    ("source", "files", "reason"),
    [
        ("ofac-sdn", {}, "file sdn.csv is missing"),
        ("ofac-sdn", {"sdn.csv": b""}, "sdn.csv is empty"),
        ("ofac-sdn", {"sdn.csv": b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CU'}, "ends mid-row"),
        ("ofac-sdn", {"sdn.csv": b"<html><body>Maintenance</body></html>\n"}, "no SDN rows"),
        ("ofac-sdn", {"sdn.csv": b'36,"\x81\x8d",-0-\r\n'}, "not OFAC's legacy CSV"),
        ("ofac-nonsdn", {"cons_alt.csv": b"1,2,aka,X\r\n"}, "file cons_prim.csv is missing"),
        ("un", {"consolidated.xml": b"<CONSOLIDATED_LIST><INDIV"}, "not well-formed"),
        ("un", {"consolidated.xml": b"<CONSOLIDATED_LIST/>"}, "no INDIVIDUAL or ENTITY"),
    ],
)
def test_bad_files_are_refused_in_one_line(source, files, reason):
    with pytest.raises(ListFormatError, match=reason) as error:
        parse_source(source, files)
    assert "\n" not in str(error.value)


def test_truncated_real_sdn_csv_is_refused():
    files = read_set("ofac/set_2021-07", SDN_SET)
    cut = files["sdn.csv"][: len(files["sdn.csv"]) // 3]
    assert not cut.endswith(b"\n")
    with pytest.raises(ListFormatError, match=r"sdn\.csv ends mid-row"):
        parse_source("ofac-sdn", {**files, "sdn.csv": cut})


def test_truncated_real_un_xml_is_refused():
    data = shared("un/UN_consolidated.xml").read_bytes()
    with pytest.raises(ListFormatError, match="not well-formed"):
        parse_source("un", {"consolidated.xml": data[: len(data) // 2]})


@pytest.mark.parametrize(
    ("source", "name", "fixture_name"),
    [
        ("ofac-nonsdn", "cons_enhanced.xml", "ofac_cons_enhanced_2025-01-10_excerpt.xml"),
        ("ofac-sls", "sdn_enhanced.xml", "ofac_advanced_constructed.xml"),
        ("eu", "xmlFullSanctionsList_1_1.xml", "eu_fsf_2018-12-21_excerpt.xml"),
        ("uk", "UK-Sanctions-List.xml", "uk_sanctions_list_2026-09-02_excerpt.xml"),
    ],
)
def test_every_loaded_list_survives_the_watchlists_topic(source, name, fixture_name):
    """What `lists fetch` publishes decodes to the same version (the raw record stays behind)."""
    (reference,) = parse_source(source, {name: fixture(fixture_name)})
    back = decode_record(list_key(reference.name), encode_list(reference))
    assert back.version == reference.version
    assert [e.weak_names for e in back] == [e.weak_names for e in reference]
    assert [e.registration_numbers for e in back] == [e.registration_numbers for e in reference]
    assert all(e.raw is None for e in back) and all(e.raw for e in reference)
