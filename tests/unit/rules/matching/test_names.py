"""NameIndex: interface, ordering, determinism and the matching behaviours the rules rely on."""

from __future__ import annotations

import itertools

import pytest

from rules.matching import MATCHER_VERSION, NameHit, NameIndex
from schemas.listentry import ListEntry


def entry(
    entry_id: str, *names: str, original: tuple[str, ...] = (), kind: str = "bank"
) -> ListEntry:
    return ListEntry(
        entry_id=entry_id,
        list_name="test",
        kind=kind,
        names=list(names),
        names_original_script=list(original),
        legal_source="test",
    )


ENTRIES = [
    entry(
        "ashur", "Ashur International Bank for Investment", "Assyria International Investment Bank"
    ),
    entry("huda", "Al-Huda Bank", original=("مصرف الهدى",)),
    entry("intl-islamic", "International Islamic Bank"),
    entry("trust", "Trust International Islamic Bank"),
    entry("moussawi", "AL-MOUSSAWI, Hamad", kind="individual"),
    entry("kh", "KATA'IB HIZBALLAH", original=("كتائب حزب الله",)),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(ENTRIES)


def ids(hits: list[NameHit]) -> list[str]:
    return [h.entry.entry_id for h in hits]


def test_matcher_is_named_and_versioned() -> None:
    assert MATCHER_VERSION == "dw-names-5"


def test_exact_name_scores_one(index: NameIndex) -> None:
    hits = index.search("Al-Huda Bank", 0.85)
    assert ids(hits) == ["huda"]
    assert hits[0].score == 1.0
    assert hits[0].alias == "Al-Huda Bank"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Assur International Bank", "ashur"),
        ("International Investment Bank of Ashur", "ashur"),
        ("Ashur International Bank", "ashur"),
        ("ALHUDA BANK", "huda"),
        ("Al Hoda Bank Baghdad Branch", "huda"),
        ("Hamad al-Moussawi", "moussawi"),
        ("MUSAWI, HAMAD", "moussawi"),
        ("Kataib Hezbollah", "kh"),
        ("كتائب حزب الله", "kh"),
        ("مصرف الهدى", "huda"),
    ],
)
def test_variants_match(index: NameIndex, query: str, expected: str) -> None:
    assert expected in ids(index.search(query, 0.85))


@pytest.mark.parametrize(
    "query",
    [
        "Iraqi Islamic Bank",
        "Ashur Hotel",
        "Al Huda Company for General Trading",
        "Rafidain Bank",
        "Bank",
    ],
)
def test_names_sharing_words_do_not_match(index: NameIndex, query: str) -> None:
    assert index.search(query, 0.85) == []


def test_all_generic_name_still_matches_itself_but_not_a_longer_listed_name(
    index: NameIndex,
) -> None:
    assert ids(index.search("Islamic International Bank", 0.85)) == ["intl-islamic"]
    assert "trust" not in ids(index.search("International Islamic Bank", 0.85))


def test_one_hit_per_entry_best_first_scores_in_range(index: NameIndex) -> None:
    hits = index.search("Assyria International Investment Bank", 0.0)
    assert len(ids(hits)) == len(set(ids(hits)))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    # Assyria and Ashur are one name: both aliases score 1.0 and the tie goes to the first by text.
    assert (hits[0].entry.entry_id, hits[0].score) == ("ashur", 1.0)
    assert hits[0].alias == "Ashur International Bank for Investment"


def test_threshold_is_respected(index: NameIndex) -> None:
    loose = index.search("Ashur Bank", 0.5)
    strict = index.search("Ashur Bank", 0.99)
    assert all(h.score >= 0.5 for h in loose)
    assert all(h.score >= 0.99 for h in strict)
    assert len(strict) <= len(loose)


def test_token_order_does_not_matter(index: NameIndex) -> None:
    words = ["Ashur", "International", "Bank"]
    results = {
        tuple((h.entry.entry_id, h.score) for h in index.search(" ".join(p), 0.5))
        for p in itertools.permutations(words)
    }
    assert len(results) == 1


def test_same_input_same_output_across_indexes() -> None:
    first, second = NameIndex(ENTRIES), NameIndex(list(reversed(ENTRIES)))
    for query in ["Ashur Bank", "Al Huda", "International Islamic Bank", "Hamad Musawi"]:
        assert [(h.entry.entry_id, h.score) for h in first.search(query, 0.3)] == [
            (h.entry.entry_id, h.score) for h in second.search(query, 0.3)
        ]


def test_repeated_search_returns_equal_fresh_lists(index: NameIndex) -> None:
    first = index.search("Assur International Bank", 0.85)
    first.clear()
    assert index.search("Assur International Bank", 0.85) != []


def test_empty_query_and_empty_index() -> None:
    assert NameIndex([]).search("Ashur Bank", 0.85) == []
    assert NameIndex(ENTRIES).search("", 0.85) == []
    assert NameIndex(ENTRIES).search("&&&", 0.85) == []


def test_purpose_tail_is_optional(index: NameIndex) -> None:
    hits = index.search("Ashur International Bank", 0.85)
    assert hits[0].entry.entry_id == "ashur"
    assert hits[0].score == 1.0


def test_a_strong_alias_hit_says_when_the_primary_name_is_met_near_exact_too() -> None:
    from rules.matching.names import STRONG_ALIAS

    index = NameIndex(
        [
            entry("karwan", "KARWAN ZAGROS TRADING LLC", "KARWAN ZAGROS TRADING", kind="entity"),
            entry("sadiq", "WAAD PROJECT", "AL-WAAD AL-SADIQ", kind="entity"),
        ]
    )
    # The alias scores 1.0 and is reported; the primary name (its legal form missing) is met
    # near-exact too, and the hit carries its score.
    (hit,) = index.search("Karwan Zagros Trading", 0.9)
    assert (hit.alias, hit.strength, hit.score) == ("KARWAN ZAGROS TRADING", STRONG_ALIAS, 1.0)
    assert 0.9 < hit.primary_score < 1.0
    assert hit.evidence()["primary_name_score"] == f"{hit.primary_score:.4f}"
    # An alias the primary name does not meet near-exact carries no primary score.
    (other,) = index.search("Al-Waad Al-Sadiq", 0.9)
    assert (other.alias, other.strength, other.score) == ("AL-WAAD AL-SADIQ", STRONG_ALIAS, 1.0)
    assert other.primary_score == 0.0 and "primary_name_score" not in other.evidence()


@pytest.mark.parametrize(
    ("shown", "wanted"),
    [
        ("A-l-Huda Bank", "huda"),
        ("A L Huda Bank", "huda"),
        ("E-l Huda Bank", "huda"),
        ("Hamad A L-MOUSSAWI", "moussawi"),
    ],
)
def test_an_article_spelt_out_letter_by_letter_is_closed_up(
    index: NameIndex, shown: str, wanted: str
) -> None:
    (hit,) = index.search(shown, 0.9)
    assert hit.entry.entry_id == wanted and hit.score == 1.0


def test_single_letters_that_spell_no_article_are_not_joined(index: NameIndex) -> None:
    # "A B Huda Bank" is no spelling of the article: the initials stay two extra words.
    assert all(h.score < 1.0 for h in index.search("A B Huda Bank", 0.5))


def test_a_typing_error_inside_a_word_glued_to_bank_is_still_found() -> None:
    glued = NameIndex(
        [
            entry("oner", "ONERBANK ZAO", "HONORBANK"),
            entry("kafolat", "KAFOLATBANK"),
            entry("rafidain", "Rafidain Bank"),
        ]
    )
    # ONERBANK is read as oner + bank; indexed whole too, a typo inside it still meets it.
    for shown, wanted in [
        ("ONERBAKN ZAO", "oner"),
        ("ONERANK ZAO", "oner"),
        ("ONERBANAK ZAO", "oner"),
        ("KAFOLATBANRK", "kafolat"),
        ("KAFOLABTANK", "kafolat"),
    ]:
        (hit,) = glued.search(shown, 0.9)
        assert hit.entry.entry_id == wanted, shown
    # Only names the list writes glued get the whole form: "Rafidain Bank" is two words.
    assert glued.search("Rafidainbakn", 0.9) == []
    assert glued.search("Taliban", 0.5) == []


def test_list_words_written_together_are_split_apart() -> None:
    joined = NameIndex(
        [
            entry("kh", "KATA'IB HIZBALLAH", kind="entity"),
            entry("mellat", "BANK MELLAT"),
            entry("iraq", "Investment Bank of Iraq"),
            entry("kazemi", "KAZEMI, Mohammad Reza", kind="individual"),
        ]
    )
    for shown, wanted in [
        ("KataibHizballah", "kh"),
        ("BANKMELLAT", "mellat"),
        ("Investment Bank ofIraq", "iraq"),  # a stop word glued on is a piece too
        ("MohammadReza KAZEMI", "kazemi"),
    ]:
        (hit,) = joined.search(shown, 0.9)
        assert (hit.entry.entry_id, hit.score) == (wanted, 1.0), shown
    # A word that spells no two list words stays one word.
    assert joined.search("Karradatrading", 0.5) == []
