"""OpenSanctions FollowTheMoney loader on the real samples in ../shared/data/opensanctions
(yente's test fixtures: zala_entities.ftm.json, t1_entities.ftm.json; OpenSanctions data,
CC BY-NC 4.0, see ../shared/data/README.md)."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from rules.lists.errors import ListFormatError
from rules.lists.ftm import parse_ftm
from rules.lists.sources import parse_source
from rules.matching.names import WEAK_ALIAS, NameIndex
from tests.unit.lists_support import shared

FILE = "entities.ftm.json"


def load(name: str, published: date | None = None):
    data = shared(f"opensanctions/yente_fixtures/{name}").read_bytes()
    (reference,) = parse_source("opensanctions", {FILE: data}, published=published)
    return reference


@pytest.fixture(scope="module")
def zala():
    return load("zala_entities.ftm.json")


def test_only_targets_become_entries(zala):
    lines = shared("opensanctions/yente_fixtures/zala_entities.ftm.json").read_bytes()
    entities = [orjson.loads(line) for line in lines.splitlines()]
    targets = {e["id"] for e in entities if e.get("target")}
    assert len(zala) == len(targets) == 14
    assert {e.entry_id.removeprefix("opensanctions-") for e in zala} == targets
    assert zala.name == "opensanctions"
    # No date in the file: the version is dated by the latest last_change in it.
    assert zala.published == date.fromisoformat(
        max(e["last_change"] for e in entities if e.get("last_change"))[:10]
    )


def test_weak_alias_is_weak_and_matched_by_equality_only(zala):
    tsst = next(e for e in zala if "ZALA" in e.weak_names)
    assert "ZALA" not in tsst.names
    index = NameIndex([tsst])
    (hit,) = index.search("ZALA", 0.8)
    assert hit.strength == WEAK_ALIAS and hit.weak


def test_sanctions_give_programs_dates_and_authorities(zala):
    dated = [e for e in zala if e.listed_from is not None]
    assert dated, "some Sanction entities in the sample carry listingDate/startDate"
    for entry in zala:
        assert entry.raw is not None and entry.raw["entity"]["id"] in entry.entry_id
        assert entry.source_urls[0] == (
            f"https://www.opensanctions.org/entities/{entry.raw['entity']['id']}/"
        )
        assert set(entry.raw["entity"]["datasets"]) <= set(entry.programs)
    with_sanctions = [e for e in zala if e.raw and e.raw["sanctions"]]
    assert any("; " in e.legal_source for e in with_sanctions)  # authorities named


def test_identifiers_and_countries(zala):
    person = next(e for e in zala if e.entry_id == "opensanctions-NK-2Tbri3s6GgNtAwsSXh4qpL")
    assert person.kind == "individual"
    assert person.names[0] == "Maria Aleksandrovna Osetrova"
    assert "183116181362" in person.registration_numbers  # innCode / idNumber
    assert person.countries == ["RU"]
    assert "Мария Александровна Осетрова" in person.names_original_script


def test_t1_sample(zala):
    t1 = load("t1_entities.ftm.json", published=date(2024, 6, 1))
    assert len(t1) == 6 and t1.published == date(2024, 6, 1)
    tobacco = next(e for e in t1 if e.entry_id == "opensanctions-NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.registration_numbers == ["808000714"]
    assert tobacco.countries == ["BY"] and tobacco.programs == ["eu_fsf"]


def test_iraq_aml_freeze_list_shape():
    """An iq_aml_list record as OpenSanctions' crawler (datasets/iq/aml_list) emits it: an
    Arabic-named Person, a Sanction with recordId (the decision number) and listingDate as a
    year. Constructed: no iq_aml_list sample is available offline."""
    lines = [
        {
            "id": "iq-aml-0001",
            "schema": "Person",
            "target": True,
            "datasets": ["iq_aml_list"],
            "caption": "مثال اسم",
            "properties": {"name": ["مثال اسم"], "alias": ["Mithal Ism"], "nationality": ["iq"]},
            "last_change": "2026-11-30T10:00:00",
        },
        {
            "id": "iq-aml-s-0001",
            "schema": "Sanction",
            "target": False,
            "datasets": ["iq_aml_list"],
            "properties": {
                "entity": ["iq-aml-0001"],
                "recordId": ["12 لسنة 2023"],
                "listingDate": ["2023"],
                "authority": ["Iraq AML/CFT Office freezing committee"],
            },
        },
    ]
    data = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    (entry,), last_change = parse_ftm(data)
    assert entry.programs == ["iq_aml_list"] and entry.countries == ["IQ"]
    assert entry.listed_from == date(2023, 1, 1)
    assert entry.date_confidence == "source gives 2023 only"
    assert entry.names_original_script == ["مثال اسم"] and "Mithal Ism" in entry.names
    assert last_change == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (
            b'{"id": "x", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "y", "sch',
            "line 2 is not a JSON entity",
        ),
        (b"<html><body>502 Bad Gateway</body></html>", "line 1 is not a JSON entity"),
        (b'{"id": "a1", "schema": "Address", "properties": {}}\n', "no target entity"),
        (b'["not", "an", "entity"]\n', "line 1 is not a FollowTheMoney entity"),
    ],
)
def test_truncated_or_wrong_ftm_is_refused_in_one_line(data, reason):
    with pytest.raises(ListFormatError, match=reason) as error:
        parse_source("opensanctions", {FILE: data})
    assert "\n" not in str(error.value)


def test_truncated_real_sample_is_refused():
    data = shared("opensanctions/yente_fixtures/zala_entities.ftm.json").read_bytes()
    with pytest.raises(ListFormatError, match="truncated"):
        parse_source("opensanctions", {FILE: data[: len(data) // 2]})
