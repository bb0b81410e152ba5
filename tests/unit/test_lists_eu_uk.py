"""EU FSF XML and UK Sanctions List XML loaders, on excerpts of the official files.

Sources (tests/data/lists/README.md):
- eu_fsf_2018-12-21_excerpt.xml: two <sanctionEntity> (EU.36.64 Robert Gabriel Mugabe, EU.3523.13
  IBDA-C, eight of its sixteen language names kept) of the EU Financial Sanctions Files export
  generated 2018-12-21 (globalFileId 118887), as quoted verbatim in a public repository.
- eu_fsf_2022-02-25_entity_excerpt.xml: one <sanctionEntity> (logicalId 135909, designated
  2022-02-25 under 2022/332) of an EU FSF file, quoted in a public repository; the <export>
  wrapper is ours.
- uk_sanctions_list_2026-09-02_excerpt.xml: designations AFG0001 and AFG0006 of the FCDO UK
  Sanctions List XML of 02/09/2026 and ship DPR0075 of the 26 Aug 2026 file, as quoted in
  public repositories' tests (trimmed there).
"""

from __future__ import annotations

from datetime import date

import pytest

from rules.lists.errors import ListFormatError
from rules.lists.sources import parse_source
from rules.matching.names import WEAK_ALIAS, NameIndex
from tests.unit.lists_support import fixture

EU_FILE = "xmlFullSanctionsList_1_1.xml"
UK_FILE = "UK-Sanctions-List.xml"


def eu(data: bytes | None = None):
    (reference,) = parse_source("eu", {EU_FILE: data or fixture("eu_fsf_2018-12-21_excerpt.xml")})
    return reference


def uk(data: bytes | None = None):
    data = data or fixture("uk_sanctions_list_2026-09-02_excerpt.xml")
    (reference,) = parse_source("uk", {UK_FILE: data})
    return reference


def test_eu_excerpt_entries_programmes_identifiers_and_version():
    reference = eu()
    assert reference.name == "eu-fsf" and reference.published == date(2018, 12, 21)
    mugabe, ibda = sorted(reference, key=lambda e: int(e.entry_id.rsplit("-", 1)[1]))
    assert mugabe.entry_id == "eu-fsf-1" and mugabe.kind == "individual"
    assert mugabe.names == ["Robert Gabriel Mugabe"]
    assert mugabe.programs == ["ZWE"]
    assert mugabe.registration_numbers == ["AD001095"]  # the passport
    assert mugabe.countries == []  # "00" UNKNOWN is no country
    assert "EU.36.64" in mugabe.legal_source and "2018/223 (OJ L43)" in mugabe.legal_source
    assert mugabe.source_urls[0].startswith("http://eur-lex.europa.eu/")
    assert ibda.kind == "entity" and ibda.programs == ["TERR"]
    assert "IBDA-C" in ibda.names and "Great Islamic Eastern Warriors Front" in ibda.names
    assert ibda.names_original_script == ["Фронт на великите ислямски източни воини"]
    assert ibda.raw is not None and 'euReferenceNumber="EU.3523.13"' in ibda.raw["xml"]


def test_eu_without_designation_date_is_undated_with_the_earliest_regulation_in_remarks():
    mugabe = next(e for e in eu() if e.entry_id == "eu-fsf-1")
    assert mugabe.listed_from is None
    assert mugabe.remarks == "earliest regulation cited 2005-06-16"


def test_eu_designation_date_is_the_listing_date():
    """A 2022 record carrying designationDate (eu_fsf_2022-02-25_entity_excerpt.xml)."""
    (putin,) = eu(fixture("eu_fsf_2022-02-25_entity_excerpt.xml")).entries
    assert putin.entry_id == "eu-fsf-135909" and putin.kind == "individual"
    assert putin.listed_from == date(2022, 2, 25)
    assert putin.programs == ["UKR"]
    assert putin.names == ["Vladimir Vladimirovitj PUTIN", "Vladimir Vladimirovich PUTIN"]
    assert putin.remarks is None  # no remark of its own; the birthdate's remark is not one


def test_eu_designation_date_weak_alias_bic_and_citizenship():
    """The attributes newer EU files carry, on a record edited from the excerpt's first entity."""
    data = fixture("eu_fsf_2018-12-21_excerpt.xml").replace(
        b'euReferenceNumber="EU.36.64" logicalId="1">',
        b'euReferenceNumber="EU.36.64" logicalId="1" designationDate="2002-02-21">'
        b'<nameAlias wholeName="Bob" strong="false" logicalId="9"/>'
        b'<identification number="ZWEBZWHX" identificationTypeCode="swiftbic"'
        b' identificationTypeDescription="SWIFT BIC" countryIso2Code="ZW" logicalId="10"/>'
        b'<citizenship countryIso2Code="ZW" logicalId="11"/>',
    )
    mugabe = next(e for e in eu(data) if e.entry_id == "eu-fsf-1")
    assert mugabe.listed_from == date(2002, 2, 21)
    assert mugabe.weak_names == ["Bob"] and "Bob" not in mugabe.names
    assert mugabe.bics == ["ZWEBZWHX"] and mugabe.countries == ["ZW"]
    (hit,) = NameIndex([mugabe]).search("Bob", 0.8)
    assert hit.strength == WEAK_ALIAS


def test_uk_excerpt_entries_dates_regimes_imo_and_countries():
    reference = uk()
    assert reference.name == "uk-sanctions" and reference.published == date(2026, 9, 2)
    by_id = {e.entry_id: e for e in reference}
    exchange = by_id["uk-sanctions-AFG0001"]
    assert exchange.kind == "entity"
    assert exchange.names == [
        "HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE",
        "Haji Alim Hawala",
        "Haji Hakim Hawala",
    ]
    assert exchange.listed_from == date(2012, 6, 29)
    assert exchange.programs == ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    assert exchange.countries == ["AE", "AF"]
    assert "TAe.010" in exchange.legal_source
    akhund = by_id["uk-sanctions-AFG0006"]
    assert akhund.kind == "individual" and akhund.names == ["MOHAMMAD HASSAN AKHUND"]
    assert akhund.listed_from == date(2001, 1, 25)
    ship = by_id["uk-sanctions-DPR0075"]
    assert ship.kind == "vessel" and ship.imo_numbers == ["9562233"]
    assert ship.names == ["Petrel 8", "Jal Vahini"] and ship.countries == ["KM"]
    assert ship.raw is not None and "<UniqueID>DPR0075</UniqueID>" in ship.raw["xml"]


def test_uk_low_quality_alias_strength_is_weak_and_registration_numbers_kept():
    """AliasStrength and BusinessRegistrationNumber as the UK list writes them, added to AFG0001."""
    data = (
        fixture("uk_sanctions_list_2026-09-02_excerpt.xml")
        .replace(
            b"<Name6>Haji Hakim Hawala</Name6>\n        <NameType>Alias</NameType>",
            b"<Name6>Haji Hakim Hawala</Name6>\n        <NameType>Alias</NameType>"
            b"<AliasStrength>Low quality a.k.a</AliasStrength>",
        )
        .replace(
            b"<IndividualEntityShip>Entity</IndividualEntityShip>",
            b"<IndividualEntityShip>Entity</IndividualEntityShip><EntityDetails><Entity>"
            b"<BusinessRegistrationNumbers><BusinessRegistrationNumber>044</BusinessRegistrationNumber>"
            b"</BusinessRegistrationNumbers></Entity></EntityDetails>",
        )
    )
    exchange = next(e for e in uk(data) if e.entry_id == "uk-sanctions-AFG0001")
    assert exchange.weak_names == ["Haji Hakim Hawala"]
    assert "Haji Hakim Hawala" not in exchange.names
    assert exchange.registration_numbers == ["044"]


@pytest.mark.parametrize(
    ("source", "name", "data", "reason"),
    [
        ("eu", EU_FILE, fixture("eu_fsf_2018-12-21_excerpt.xml")[:1500], "not well-formed"),
        ("eu", EU_FILE, fixture("uk_sanctions_list_2026-09-02_excerpt.xml"), "<Designations>"),
        ("eu", EU_FILE, b'<export xmlns="http://eu.europa.ec/fpi/fsd/export"/>', "no <sanct"),
        ("uk", UK_FILE, fixture("uk_sanctions_list_2026-09-02_excerpt.xml")[:2000], "well-formed"),
        ("uk", UK_FILE, b"<!DOCTYPE html><html><body>Not found</body></html>", "<html>"),
        ("uk", UK_FILE, b"   \n", "empty"),
    ],
)
def test_truncated_or_wrong_eu_uk_files_are_refused_in_one_line(source, name, data, reason):
    with pytest.raises(ListFormatError, match=reason) as error:
        parse_source(source, {name: data})
    assert "\n" not in str(error.value)


def test_entities_are_not_expanded():
    """An entity-expansion (billion laughs) document is refused, not expanded."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE Designations [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<Designations><Designation><UniqueID>X1</UniqueID><Names><Name><Name6>&b;</Name6>"
        b"<NameType>Primary Name</NameType></Name></Names></Designation></Designations>"
    )
    (entry,) = uk(bomb).entries
    assert "aaaaaaaaaa" not in " ".join(entry.names)
