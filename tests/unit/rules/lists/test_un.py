"""UN consolidated XML loader: counts and entries of the real file; entity tricks do not work."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from lxml import etree

from lists.files import load_un_xml
from rules.lists.un import parse_un_xml
from tests.unit.rules.conftest import UN_XML, need

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
 <INDIVIDUALS/>
 <ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>KATAIB TEST / KT</FIRST_NAME>
  <UN_LIST_TYPE>Iraq</UN_LIST_TYPE><REFERENCE_NUMBER>IQe.999</REFERENCE_NUMBER>
  <LISTED_ON>2004-04-26</LISTED_ON><NAME_ORIGINAL_SCRIPT>كتائب</NAME_ORIGINAL_SCRIPT>
  <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>TEST BRIGADES</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ADDRESS><COUNTRY>Iraq</COUNTRY></ENTITY_ADDRESS></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>""".encode()


def test_entity_maps_with_reference_date_aliases_and_original_script() -> None:
    entries, generated = parse_un_xml(SMALL)
    assert generated == date(2026, 2, 27)
    (entry,) = entries
    assert entry.entry_id == "un-consolidated-IQe.999"
    assert entry.names == ["KATAIB TEST", "KT", "TEST BRIGADES", "كتائب"]
    assert entry.names_original_script == ["كتائب"]
    assert (entry.listed_from, entry.programs, entry.countries) == (
        date(2004, 4, 26),
        ["Iraq"],
        ["IQ"],
    )
    assert "IQe.999" in entry.legal_source


def test_external_entities_are_not_resolved() -> None:
    hostile = SMALL.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    ).replace(b"TEST BRIGADES", b"&e;")
    try:
        entries, _ = parse_un_xml(hostile)
    except etree.XMLSyntaxError:
        return  # refusing the document is as good as not resolving it
    assert all("root:" not in n for e in entries for n in e.names)


@pytest.fixture(scope="module")
def un_list():  # type: ignore[no-untyped-def]
    return load_un_xml(need(UN_XML))


def test_real_file_counts(un_list) -> None:  # type: ignore[no-untyped-def]
    kinds = Counter(e.kind for e in un_list.entries)
    assert (kinds["individual"], kinds["entity"]) == (730, 273)
    committees = Counter(p for e in un_list.entries for p in e.programs)
    assert (committees["Iran"], committees["Iraq"]) == (121, 75)
    assert un_list.version.startswith("2026-02-27+")
    assert all(e.listed_from is not None for e in un_list.entries)


def test_real_file_original_script_names_are_searchable(un_list) -> None:  # type: ignore[no-untyped-def]
    with_script = [e for e in un_list.entries if e.names_original_script]
    assert len(with_script) > 300
    assert all(set(e.names_original_script) <= set(e.names) for e in with_script)
