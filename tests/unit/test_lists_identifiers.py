"""Identifier helpers the list loaders share (rules/lists/identifiers.py)."""

from __future__ import annotations

from rules.lists import identifiers


def test_bics_keep_well_formed_codes_once():
    assert identifiers.bics(["bkmt irth", "BKMTIRTH", "AIIFIQBAXXX", "12345678", "SHORT"]) == [
        "BKMTIRTH",
        "AIIFIQBAXXX",
    ]


def test_imo_numbers_in_the_ways_lists_write_them():
    assert identifiers.imo_numbers(["IMO 9187629", "IMO9562233", "9274082", "no number"]) == [
        "9187629",
        "9562233",
        "9274082",
    ]


def test_only_iraqi_bics_imply_an_iban_bank_code():
    assert identifiers.iban_bank_codes(["AIIFIQBA", "BKMTIRTH", "CKLBCNBJ", "AIIFIQBAXXX"]) == [
        "AIIF"
    ]


def test_bic_written_in_free_text():
    texts = [
        "SWIFT/BIC BKMTIRTH; Website www.bankmellat.ir.",
        "(SWIFT BIC: MELIIRTH)",
        "BIC code RCDFIQBA",
        "Tel: 12345678",
    ]
    found = [m for t in texts for m in identifiers.BIC_IN_TEXT.findall(t)]
    assert found == ["BKMTIRTH", "MELIIRTH", "RCDFIQBA"]


def test_non_latin_names():
    names = ["Maria Osetrova", "Мария", "مثال اسم", "“Inter Tobacco” LLC", "İslami Büyük", "中国"]
    assert identifiers.non_latin(names) == ["Мария", "مثال اسم", "中国"]
