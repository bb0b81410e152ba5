"""dw-names-3's precision and evidence: weak aliases, common names, kinds, strengths, token
evidence, SWIFT-cut names and re-joined fragments, on a small index built for each behaviour."""

from __future__ import annotations

import pytest
from pydantic import Field

from rules.matching import NameHit, NameIndex
from rules.matching.names import (
    EXACT_PRIMARY,
    FUZZY,
    KIND_MISMATCH,
    ORGANIZATION,
    PERSON,
    STRONG_ALIAS,
    WEAK_ALIAS,
    TokenMatch,
    infer_kind,
)
from schemas.listentry import ListEntry

THRESHOLD = 0.85


def entry(
    entry_id: str,
    *names: str,
    kind: str = "entity",
    remarks: str | None = None,
) -> ListEntry:
    return ListEntry(
        entry_id=entry_id,
        list_name="test",
        kind=kind,
        names=list(names),
        legal_source="test",
        remarks=remarks,
    )


ENTRIES = [
    entry(
        "hammami",
        "HAMMAMI, Omar",
        "HAMMAMI, Umar",
        kind="individual",
        remarks="DOB 06 May 1984; a.k.a. 'FAROUK'; a.k.a. 'FAROUQ'.",
    ),
    entry("bukhari", "KATIBAT AL-IMAM AL-BUKHARI", "IMAM BUKHARI JAMAAT", remarks="a.k.a. 'KIB'."),
    entry("dar-salam", "DAR AL SALAM FOR TRAVEL & TOURISM"),
    entry("shammari", "AL-SHAMMARI, Muhammad", kind="individual"),
    entry("melli", "BANK MELLI IRAN", "BANK MELLI", "MELLI BANK"),
    entry("mustashar", "Al Mustashar Islamic Bank for Investment and Finance"),
    entry("tanker", "SEPAH STAR", kind="vessel"),
    entry("sepah", "BANK SEPAH"),
    entry("ghali", "Iyad ag GHALI", kind="individual"),
    entry("ahmadian", "Ali Akbar AHMADIAN", kind="individual"),
    entry("rajih", "Al-Rajih Bank"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(ENTRIES)


def hits_for(index: NameIndex, query: str, **kwargs: object) -> dict[str, NameHit]:
    return {h.entry.entry_id: h for h in index.search(query, THRESHOLD, **kwargs)}  # type: ignore[arg-type]


# --- weak aliases ---------------------------------------------------------------------------


def test_a_quoted_ofac_aka_matches_only_as_the_whole_name(index: NameIndex) -> None:
    alone = hits_for(index, "Faruk")["hammami"]
    assert alone.strength == WEAK_ALIAS and alone.weak and alone.alias == "FAROUK"
    assert "hammami" not in hits_for(index, "Faruk Holding Sulaymaniyah")
    assert "hammami" not in hits_for(index, "Farouk Trading Company")


def test_short_acronyms_are_weak_and_must_be_spelt_alike(index: NameIndex) -> None:
    assert hits_for(index, "KIB")["bukhari"].strength == WEAK_ALIAS
    assert "bukhari" not in hits_for(index, "KIIB")
    assert "bukhari" not in hits_for(index, "KIB Trading")


def test_weak_names_field_is_honoured_when_a_loader_sets_it() -> None:
    class Marked(ListEntry):
        weak_names: list[str] = Field(default_factory=list)

    marked = Marked(
        entry_id="x",
        list_name="test",
        names=["GOLDEN CRESCENT TRADING"],
        weak_names=["CRESCENT"],
        legal_source="test",
    )
    index = NameIndex([marked])
    assert index.search("Crescent", THRESHOLD)[0].strength == WEAK_ALIAS
    assert index.search("Crescent Pharmacy", THRESHOLD) == []


def test_a_strong_hit_outranks_a_weak_one_for_the_same_entry(index: NameIndex) -> None:
    hit = hits_for(index, "Omar Hammami")["hammami"]
    assert hit.strength in (EXACT_PRIMARY, STRONG_ALIAS)


# --- generic words and common names ---------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "Dar Al-Salam Pharmacy",
        "Dar Al Salam Trading Company",
        "Dar Al-Salam Hospital",
        "Dar Al Salam Real Estate",
    ],
)
def test_a_shared_generic_prefix_is_not_a_match(index: NameIndex, query: str) -> None:
    assert "dar-salam" not in hits_for(index, query)


def test_the_all_generic_name_itself_still_matches(index: NameIndex) -> None:
    assert hits_for(index, "Dar Al-Salam Travel and Tourism")["dar-salam"].score >= 0.95


def test_a_common_names_only_person_is_matched_word_for_word(index: NameIndex) -> None:
    assert hits_for(index, "Mohammed Al-Shammari")["shammari"].score == 1.0
    assert hits_for(index, "Muhamad Al Shamari")["shammari"].score >= THRESHOLD
    for other in ("Ali Hussein Al-Shammari", "Mohammed Hassan Al-Shammari", "Al-Shammari"):
        assert "shammari" not in hits_for(index, other), other


# --- kinds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "kind"),
    [
        (("ali", "hussein", "shammari"), PERSON),
        (("sara", "abdullah"), PERSON),
        (("huda", "bank"), ORGANIZATION),
        (("baghdad", "trading", "company"), ORGANIZATION),
        (("rafidain",), ""),
        (("hamad", "moussawi"), ""),
    ],
)
def test_kind_is_read_from_the_name(tokens: tuple[str, ...], kind: str) -> None:
    assert infer_kind(tokens) == kind


def test_an_organisation_query_against_a_vessel_pays_the_kind_penalty(index: NameIndex) -> None:
    loose = {h.entry.entry_id: h for h in index.search("Sepah Star", 0.5)}
    assert loose["tanker"].score == 1.0
    firm = {h.entry.entry_id: h for h in index.search("Sepah Star", 0.5, kind="organization")}
    assert firm["tanker"].score == pytest.approx(KIND_MISMATCH)
    assert firm["tanker"].query_kind == ORGANIZATION and firm["tanker"].entity_kind == "vessel"


def test_a_firm_bearing_a_listed_persons_whole_name_is_still_found(index: NameIndex) -> None:
    # "ag" and "general" read as organisation words; the person's whole name is there.
    assert "ghali" in hits_for(index, "Iyad ag GHALI")
    assert "ghali" in hits_for(index, "Iyad ag GHALI FZE")


# --- strength and evidence ------------------------------------------------------------------


def test_strength_separates_exact_primary_strong_alias_and_fuzzy(index: NameIndex) -> None:
    assert hits_for(index, "Bank Melli Iran PJSC")["melli"].strength == EXACT_PRIMARY
    assert hits_for(index, "Melli Bank")["melli"].strength == STRONG_ALIAS
    assert hits_for(index, "Bank Melil Iran")["melli"].strength == FUZZY


def test_hits_explain_which_tokens_matched_with_weights(index: NameIndex) -> None:
    hit = hits_for(index, "Bank Mellli Iran Baghdad")["melli"]
    listed = {m.listed: m for m in hit.matched}
    assert set(listed) == {"bank", "melli", "iran"}
    assert isinstance(listed["melli"], TokenMatch)
    assert listed["melli"].query == "mellli" and listed["melli"].similarity < 1.0
    assert listed["bank"].weight < listed["melli"].weight
    assert hit.unmatched_query == ("baghdad",)
    evidence = hit.evidence()
    assert evidence["strength"] == hit.strength
    assert "mellli=melli" in evidence["matched_tokens"]
    assert evidence["unmatched_query_tokens"] == "baghdad"


def test_the_old_three_field_hit_still_constructs() -> None:
    hit = NameHit(ENTRIES[0], "HAMMAMI, Omar", 0.9)
    assert (hit.strength, hit.matched, hit.weak) == (FUZZY, (), False)


# --- SWIFT cuts and injected splits ---------------------------------------------------------


def test_a_35_character_name_is_read_as_cut(index: NameIndex) -> None:
    name = "AL MUSTASHAR ISLAMIC BANK FOR INVES"
    assert len(name) == 35
    hit = hits_for(index, name)["mustashar"]
    assert hit.strength == EXACT_PRIMARY and hit.truncated
    uncut = hits_for(index, name, truncated=False).get("mustashar")
    assert uncut is None or (uncut.strength == FUZZY and not uncut.truncated)


def test_a_cut_word_matches_as_a_prefix_only_when_the_caller_says_so(index: NameIndex) -> None:
    assert "sepah" not in hits_for(index, "Bank Sep")
    hit = hits_for(index, "Bank Sep", truncated=True)["sepah"]
    assert hit.truncated and hit.evidence()["truncated"]


def test_injected_splits_are_rejoined_against_the_vocabulary(index: NameIndex) -> None:
    for query in ("Bank Mel-li Iran", "Bank Mel li Iran", "BANK S-EPAH", "Bank Sep ah"):
        assert any(e in hits_for(index, query) for e in ("melli", "sepah")), query
    # A join that glues two real words must not spoil the reading that needs another join.
    assert "ahmadian" in hits_for(index, "Ali Akbar AHM-ADIAN")


def test_names_the_region_tells_apart_are_not_typing_errors(index: NameIndex) -> None:
    assert "rajih" not in hits_for(index, "Al Rajhi Bank")
    assert "rajih" in hits_for(index, "Al Rajih Bank")
