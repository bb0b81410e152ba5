"""Invisible characters and look-alike letters are cleaned before a name is normalised."""

from __future__ import annotations

import pytest

from rules.matching import name_tokens
from rules.matching.glyphs import fold_lookalikes, lookalike, strip_invisible
from rules.matching.normalize import analyse_name


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark / zero-width no-break space
        "\u00ad",  # soft hyphen
        "\u200e",  # left-to-right mark
        "\u202e",  # right-to-left override
        "\u2067",  # right-to-left isolate
        "\u3164",  # Hangul filler (a letter that renders as nothing)
    ],
)
def test_invisible_characters_inside_a_word_vanish(invisible: str) -> None:
    assert name_tokens(f"Bank Mel{invisible}li") == ("bank", "melli")


def test_ascii_transliteration_no_longer_splits_or_marks_the_word() -> None:
    # normality's ascii_text alone writes U+200B as "?" and U+00AD as "-".
    assert name_tokens("Ka\u200btaib Hizb\u00adallah") == ("kataib", "hizballah")


def test_zero_width_non_joiner_between_arabic_letters_separates_words() -> None:
    assert strip_invisible("\u067e\u0633\u062a\u200c\u0628\u0627\u0646\u06a9") == (
        "\u067e\u0633\u062a \u0628\u0627\u0646\u06a9"
    )


@pytest.mark.parametrize(
    ("char", "latin"),
    [
        ("\u0430", "a"),  # Cyrillic a
        ("\u0440", "p"),  # Cyrillic er: looks like p, transliterates as r
        ("\u0441", "c"),  # Cyrillic es: looks like c, transliterates as s
        ("\u0412", "B"),  # Cyrillic Ve: looks like B, transliterates as V
        ("\u041d", "H"),  # Cyrillic En: looks like H, transliterates as N
        ("\u043a", "k"),  # Cyrillic ka (UTS #39 pairs it with the small capital kra)
        ("\u0399", "I"),  # Greek Iota: capital I, not small l
        ("\u03bf", "o"),  # Greek omicron
        ("\u03bd", "v"),  # Greek nu
    ],
)
def test_lookalikes_fold_to_the_latin_letter_a_reader_sees(char: str, latin: str) -> None:
    assert lookalike(char) == latin


def test_arabic_letters_are_never_folded_to_latin() -> None:
    assert lookalike("\u0647") is None  # heh looks like o in some fonts
    assert name_tokens("\u0645\u0635\u0631\u0641 \u0627\u0644\u0647\u062f\u0649") == (
        "bank",
        "hda",
    )


def test_mixed_script_words_fold_but_real_cyrillic_words_stay_cyrillic() -> None:
    assert fold_lookalikes("B\u0430nk S\u0435\u0440ah") == "Bank Sepah"
    # Every letter of "ВАНК" has a Latin twin and the name has Latin letters elsewhere.
    assert fold_lookalikes("\u0412\u0410\u041d\u041a MELLI") == "BAHK MELLI"
    # "Сергей" has letters no Latin letter resembles: a real word, left to transliteration.
    sergei = "\u0421\u0435\u0440\u0433\u0435\u0439"
    assert fold_lookalikes(f"{sergei} Ivanov") == f"{sergei} Ivanov"
    assert name_tokens(f"{sergei} Ivanov") == ("sergej", "ivanov")


def test_spaced_out_letters_close_up_and_are_marked() -> None:
    analysed = analyse_name("K A T A I B Hizballah")
    assert analysed.tokens == ("kataib", "hizballah")
    assert analysed.collapsed == frozenset({"kataib"})
    assert name_tokens("K.I.B.") == ("kib",)
    assert name_tokens("J. R. Smith") == ("j", "r", "smith")  # two initials are not a word


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Inv. Bk of Ashur", ("investment", "bank", "ashur")),
        ("Mesref Melli", ("bank", "melli")),
        ("Banque Saderat", ("bank", "saderat")),
        ("Kurdistan Intl Isl. Bank", ("kurdistan", "international", "islamic", "bank")),
        ("Mosul Dev. Org.", ("mosul", "development", "organization")),
        ("Al Noor Est. Br. Basra", ("noor", "establishment", "branch", "basra")),
    ],
)
def test_abbreviations_and_bank_word_variants_are_data(raw: str, expected: tuple[str, ...]) -> None:
    assert name_tokens(raw) == expected
