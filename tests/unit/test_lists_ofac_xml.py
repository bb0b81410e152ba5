"""OFAC Sanctions List Service XML: the enhanced format (real CONS_ENHANCED.XML excerpt) and the
advanced format (OFAC's SDN_ADVANCED.XML record for AEROCARIBBEAN AIRLINES in an assembled
document), through the source registry as `lists fetch` calls it.

Sources (tests/data/lists/README.md): ofac_cons_enhanced_2025-01-10_excerpt.xml is four
<entity> records copied byte for byte from OFAC's CONS_ENHANCED.XML of 2025-01-10 (US
government work, public domain) as carried in moov-io/watchman (pkg/sources/csl_us/testdata).
"""

from __future__ import annotations

from datetime import date

import pytest

from rules.lists.errors import ListFormatError
from rules.lists.sources import parse_source
from rules.matching.names import WEAK_ALIAS, NameIndex
from tests.unit.lists_support import fixture

ENHANCED = "ofac_cons_enhanced_2025-01-10_excerpt.xml"
ADVANCED = "ofac_sdn_advanced_assembled.xml"


@pytest.fixture(scope="module")
def nonsdn() -> dict[str, object]:
    (reference,) = parse_source("ofac-nonsdn", {"cons_enhanced.xml": fixture(ENHANCED)})
    return {"list": reference, **{e.entry_id: e for e in reference}}


def test_enhanced_excerpt_loads_as_the_nonsdn_list_dated_by_data_as_of(nonsdn):
    reference = nonsdn["list"]
    assert reference.name == "ofac-nonsdn"
    assert reference.published == date(2025, 1, 10)
    assert reference.version.startswith("2025-01-10+")
    assert reference.source == "OFAC SLS enhanced XML"
    assert sorted(e.entry_id for e in reference) == [
        "ofac-nonsdn-15268",
        "ofac-nonsdn-18727",
        "ofac-nonsdn-9639",
        "ofac-nonsdn-9647",
    ]


def test_enhanced_keeps_ofac_low_quality_names_as_weak(nonsdn):
    zahar = nonsdn["ofac-nonsdn-9647"]
    assert zahar.kind == "individual"
    assert zahar.names[0] == "ZAHHAR, Mahmoud Khaled"
    assert zahar.weak_names == ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    assert not set(zahar.weak_names) & set(zahar.names)
    assert zahar.programs == ["NS-PLC", "SDGT"]
    assert zahar.listed_from == date(2006, 4, 12)


def test_enhanced_keeps_bic_registration_country_program_and_listing_date(nonsdn):
    kunlun = nonsdn["ofac-nonsdn-15268"]
    assert kunlun.bics == ["CKLBCNBJ"]
    assert kunlun.countries == ["CN"]
    assert kunlun.programs == ["561-Related"]
    assert kunlun.listed_from == date(2014, 10, 10)
    assert "CAPTA List" in kunlun.legal_source
    vtb_austria = nonsdn["ofac-nonsdn-18727"]
    assert vtb_austria.bics == ["DOBAATWW"]
    assert vtb_austria.registration_numbers == ["FN 117595 i"]
    assert vtb_austria.programs == ["UKRAINE-EO13662"]
    assert vtb_austria.listed_from == date(2015, 12, 22)


def test_enhanced_keeps_the_raw_record_outside_the_version_and_the_contract(nonsdn):
    entry = nonsdn["ofac-nonsdn-9639"]
    assert entry.raw is not None and entry.raw["format"] == "ofac-enhanced-xml"
    assert entry.raw["xml"].startswith("<entity ") and 'id="9639"' in entry.raw["xml"]
    assert "raw" not in entry.content_dump()
    assert "raw" not in entry.model_dump(mode="json")  # in memory only, never published
    assert entry.model_copy(update={"raw": None}).content_dump() == entry.content_dump()


def test_advanced_record_loads_as_the_sdn_list():
    (reference,) = parse_source("ofac-sls", {"sdn_enhanced.xml": fixture(ADVANCED)})
    (entry,) = reference.entries
    assert reference.name == "ofac-sdn" and reference.source == "OFAC SLS advanced XML"
    assert reference.published == date(2025, 1, 10)
    assert entry.entry_id == "ofac-sdn-36"
    assert entry.kind == "entity"
    assert entry.names == ["AEROCARIBBEAN AIRLINES", "AERO-CARIBBEAN"]
    assert entry.programs == ["CUBA"]
    assert entry.listed_from is None  # the assembled entry carries no EntryEvent date


# A constructed advanced document (not OFAC data) for what the real record above lacks: a
# LowQuality alias, IMO and SWIFT/BIC documents, a vessel flag and an entry event date.
CONSTRUCTED_ADVANCED = fixture("ofac_advanced_constructed.xml")


def test_advanced_resolves_documents_features_and_entry_events():
    (reference,) = parse_source("ofac-sls", {"sdn_enhanced.xml": CONSTRUCTED_ADVANCED})
    (entry,) = reference.entries
    assert entry.kind == "vessel"
    assert entry.names == ["TEST TANKER"] and entry.weak_names == ["OCEAN PEARL"]
    assert entry.imo_numbers == ["9187629"] and entry.bics == ["TESTIRTH"]
    assert entry.countries == ["IR"] and entry.programs == ["IRAN"]
    assert entry.listed_from == date(2019, 9, 4)


def test_matcher_finds_an_ofac_low_quality_name_by_equality_only():
    """LowQuality names reach the matcher as weak_names: whole-name equality, never fuzzy."""
    (reference,) = parse_source("ofac-sls", {"sdn_enhanced.xml": CONSTRUCTED_ADVANCED})
    index = NameIndex(reference.entries)
    (hit,) = index.search("Ocean Pearl", 0.8)
    assert hit.strength == WEAK_ALIAS and hit.weak
    assert index.search("Ocean Pearls", 0.8) == []
    (strong,) = index.search("Test Tanker", 0.8)
    assert not strong.weak


@pytest.mark.parametrize(
    ("source", "name", "data", "reason"),
    [
        ("ofac-nonsdn", "cons_enhanced.xml", fixture(ENHANCED)[:5000], "not well-formed"),
        ("ofac-sls", "sdn_enhanced.xml", fixture(ADVANCED)[:900], "not well-formed"),
        (
            "ofac-sls",
            "sdn_enhanced.xml",
            b"<html><body>Service Unavailable</body></html>",
            "<html>",
        ),
        ("ofac-sls", "sdn_enhanced.xml", b"", "empty"),
    ],
)
def test_truncated_or_wrong_ofac_xml_is_refused_in_one_line(source, name, data, reason):
    with pytest.raises(ListFormatError, match=reason) as error:
        parse_source(source, {name: data})
    assert "\n" not in str(error.value)
