"""mask_text: IBAN-like tokens and long digit runs in free text, masked like mask_account."""

from __future__ import annotations

import pytest

from schemas.masking import account_tokens, mask_account, mask_text

IR_IBAN = "IR062960000000100324200001"
IR_MASKED = "IR06" + "*" * 18 + "0001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"iban {IR_IBAN}; Tehran", f"iban {IR_MASKED}; Tehran"),
        (f"creditor ({IR_IBAN}) is located in Iran", f"creditor ({IR_MASKED}) is located in Iran"),
        ("IQ87NBIQ850123456784661", "IQ87" + "*" * 15 + "4661"),
        # printed in groups of four, and at the end of a sentence
        ("pay to IR06 2960 0000 0010 0324 2000 01.", f"pay to {IR_MASKED}."),
        ("GB29 NWBK 6016 1331 9268 19 paid", "GB29" + "*" * 14 + "6819 paid"),
        # lowercase IBANs are still IBANs
        (IR_IBAN.lower(), IR_MASKED.lower()),
        # account numbers: 8+ digits standing alone (ASCII or Arabic-Indic)
        ("account 0123456789", "account ******6789"),
        ("/12345678", "/****5678"),
        ("acct:98765432109,x", "acct:*******2109,x"),
        ("٠١٢٣٤٥٦٧٨٩", "******٦٧٨٩"),
    ],
)
def test_account_like_tokens_are_masked_keeping_country_check_digits_and_last_four(
    text: str, expected: str
) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Bank Sepah SEPBIRTH, BIC8 MELIGB2L",
        "IMO 9187629 (7 digits), value-dated 2025-04-01, at 2025-04-01T09:30:00Z",
        "amount 13000000.00 IQD, rate 0.00076923",  # decimal amounts are no account numbers
        "SYN-42-00000123 E2E-0001",  # ids with hyphens
        "alert 4f9a12345678901bcdef0123456789ab",  # digit run inside a hex id
        "ab12cdef0123456789abcdef01234567",  # a 32-character hex id shaped like an IBAN
        "ref REF2024011512345678",  # digits inside a word
        "USD 28500.00 exceeds 250000.00",
    ],
)
def test_text_without_accounts_is_unchanged(text: str) -> None:
    assert mask_text(text) == text
    assert account_tokens(text) == []


def test_masking_is_idempotent_and_agrees_with_mask_account() -> None:
    for account in (IR_IBAN, "IQ98BBAG001234567890123", "0123456789"):
        once = mask_text(f"x {account} y")
        assert once == f"x {mask_account(account)} y"
        assert mask_text(once) == once
        assert mask_account(mask_account(account)) == mask_account(account)


def test_kept_tokens_stay_readable() -> None:
    text = "payments: 20250401000017 at 09:30; debtor 0123456789"
    keep = frozenset(account_tokens("20250401000017"))
    assert mask_text(text, keep) == "payments: 20250401000017 at 09:30; debtor ******6789"
    assert account_tokens(text) == ["20250401000017", "0123456789"]
