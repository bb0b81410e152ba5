"""rules.mentions: what a payment says, read without lists."""

from __future__ import annotations

from rules.mentions import (
    SWIFT_NAME_LINE,
    clearing_bank_code,
    clearing_bic,
    continued_names,
    iban_bank_code,
    identifiers_in_text,
    name_spans,
    subjects,
    text_mentions,
    whole_field,
)
from tests.factories import make_payment

NAME_35 = "Al-Janoob Islamic Bank for Investm"  # 34 characters: the cut fell on a space


def test_name_filling_the_line_is_joined_with_the_next_line() -> None:
    assert len(NAME_35) == SWIFT_NAME_LINE - 1
    joined = continued_names(NAME_35, ["ent and Finance", "Baghdad"], SWIFT_NAME_LINE)
    assert joined == [f"{NAME_35} ent and Finance", f"{NAME_35}ent and Finance"]


def test_short_name_is_not_joined_with_its_address() -> None:
    assert continued_names("Babel Food Industries", ["Karrada, Baghdad"], SWIFT_NAME_LINE) == []
    assert continued_names(NAME_35, [], SWIFT_NAME_LINE) == []


def test_name_longer_than_the_line_was_not_cut_at_it() -> None:
    whole = "Al-Farabi Company for Poultry Feed Ltd"  # 38 characters: a pacs.008 name
    assert continued_names(whole, ["33 Avenue 79"], SWIFT_NAME_LINE) == []
    assert continued_names(whole + " and Sons", ["Baghdad"], SWIFT_NAME_LINE) == []
    assert continued_names(NAME_35 + "e", ["nt and Finance"], SWIFT_NAME_LINE) != []


def test_subjects_carry_accounts_clearing_ids_and_continued_names() -> None:
    payment = make_payment(
        creditor={"name": NAME_35, "account": "IQ64AIBI001123456789012", "address": ["ent x"]},
        creditor_agent={"bic": "EBILAEAD", "clearing_id": "USABA:011104238"},
    )
    found = subjects(payment)
    creditor = [s for s in found if s.field == "creditor"]
    assert [s.continued for s in creditor] == [False, True, True]
    assert creditor[0].account == "IQ64AIBI001123456789012"
    assert next(s for s in found if s.field == "creditor_agent").clearing_id == "USABA:011104238"
    assert all(not s.continued for s in subjects(payment, continued=False))


def test_text_mentions_cover_remittance_addresses_and_unknown_fields() -> None:
    payment = make_payment(
        remittance_info="INV 118",
        creditor={"name": "X", "address": ["c/o Somebody", "Baghdad"], "note": "hello"},
        debtor_agent={"bic": "BABIIQBA", "memo": {"b": ["two"], "a": "one"}},
        extra_field="on behalf of",
    )
    assert text_mentions(payment) == [
        ("remittance_info", "INV 118", False),
        ("creditor.address", "c/o Somebody\nBaghdad", False),
        ("creditor.extra.note", "hello", True),
        ("debtor_agent.extra.memo.a", "one", True),
        ("debtor_agent.extra.memo.b[0]", "two", True),
        ("extra.extra_field", "on behalf of", True),
    ]


def test_iban_bank_codes_of_iraq_and_iran() -> None:
    iraqi = iban_bank_code("IQ64 AIBI 0011 2345 6789 012")
    assert iraqi is not None and (iraqi.country, iraqi.code, iraqi.checked) == ("IQ", "AIBI", True)
    assert "123456789" not in iraqi.source  # evidence never holds the full account number
    iranian = iban_bank_code("IR670170000000108643339000")
    assert iranian is not None and (iranian.country, iranian.code) == ("IR", "017")
    bad_check = iban_bank_code("IQ00AIBI001123456789012")
    assert bad_check is not None and not bad_check.checked
    assert iban_bank_code("AE070331234567890123456") is None
    assert iban_bank_code(None) is None


def test_iban_checksum_agrees_with_schwifty() -> None:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    from rules.mentions import iban_checksum_ok

    for account in (
        "IQ64AIBI001123456789012",
        "IQ98BBAG001234567890123",
        "IR670170000000108643339000",
        "IR062960000000100324200001",
        "IQ00AIBI001123456789012",
        "IR000170000000108643339000",
    ):
        try:
            IBAN(account)
            valid = True
        except SchwiftyException:
            valid = False
        assert iban_checksum_ok(account) is valid, account


def test_clearing_ids() -> None:
    assert clearing_bank_code("IRISC:017") == ("IR", "017", "IRISC:017", True)
    assert clearing_bank_code("IQCBI:AIBI") is not None
    assert clearing_bank_code("USABA:011104238") is None
    assert clearing_bank_code("XX:017") is None
    assert clearing_bic("BIC:MELIIQBA") == "MELIIQBA"
    assert clearing_bic("USABA:011104238") is None


def test_identifiers_in_text() -> None:
    found = list(identifiers_in_text("pay IQ64 AIBI 0011 2345 6789 012 via MELIIQBA, thanks"))
    assert ("iban", "IQ64AIBI001123456789012") in found
    assert ("bic", "MELIIQBA") in found


def test_name_spans_follow_party_markers_to_a_reference_or_the_line_end() -> None:
    assert name_spans("PAYMENT ON BEHALF OF DEBBIYE 143 SAL INV 1234") == ("DEBBIYE 143 SAL",)
    assert name_spans("c/o Hamid AL-ALI\nPO Box 1234\nDubai") == ("Hamid AL-ALI",)
    assert name_spans("Payment for account of: Kataib Hezbollah; ref 12") == ("Kataib Hezbollah",)
    assert name_spans("BEN: POSH 8 DYNAMIC, INC. invoice no 22") == ("POSH 8 DYNAMIC, INC",)
    assert name_spans("FAO Shatt Cold Storage Co") == ("Shatt Cold Storage Co",)


def test_name_spans_need_a_marker_and_labels_need_a_colon() -> None:
    assert name_spans("INV 12345 GOODS") == ()
    assert name_spans("Beneficiary bank charges") == ()  # a label without its colon
    assert name_spans("Agent fee for March") == ()
    assert name_spans("ON BEHALF OF") == ()


def test_whole_field_is_one_short_line() -> None:
    assert whole_field(" HAMAS ") == ("HAMAS",)
    assert whole_field("line one\nline two") == ()
    assert whole_field(" ".join(["word"] * 30)) == ()
