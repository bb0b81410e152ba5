"""rules.listmatch: every field a payment has is searched, and the action follows the evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.cbi import check_cbi_usd_ban
from rules.engine import screen_payment
from rules.fincen import check_fincen_311
from rules.listmatch import ListMatch, action_for, name_strength, text_windows
from rules.lists.base import ReferenceList
from rules.matching import NameHit
from rules.matching.names import EXACT_PRIMARY, FUZZY, STRONG_ALIAS, WEAK_ALIAS
from rules.mentions import Subject
from rules.militia import check_militia_front
from rules.sdn import check_ofac_sdn
from schemas.codec import dumps
from schemas.common import Action
from schemas.listentry import ListEntry
from tests.factories import make_payment
from tests.unit.rules.conftest import assert_full_evidence, context, pack_with, small_sdn

CTX = context()
AT = datetime(2025, 4, 1, 12, tzinfo=UTC)


def iq_iban(bank_code: str) -> str:
    """A valid Iraqi IBAN at the bank with this code (IQkk + code + branch 001 + account)."""
    bban = f"{bank_code}001123456789012"
    digits = "".join(str(int(c, 36)) for c in bban + "IQ00")
    return f"IQ{98 - int(digits) % 97:02d}{bban}"


@pytest.mark.parametrize(
    "remittance",
    [
        "Payment on behalf of Kata'ib Hizballah for services",
        "ON BEHALF OF KATAIB HIZBALLAH INV 2024/118",
        "دفعة نيابة عن كتائب حزب الله",
    ],
)
def test_militia_named_in_remittance_is_blocked(remittance: str) -> None:
    (found,) = check_militia_front(make_payment(remittance_info=remittance), CTX)
    assert (found.field, found.match_method) == ("remittance_info", "name-text")
    assert found.entry_id == "militia-kataib-hizballah"
    assert found.action is Action.BLOCK and found.evidence["strength"] == "strong"
    assert found.evidence["text"] == remittance
    assert_full_evidence(found)


def test_care_of_a_militia_in_an_address_line() -> None:
    payment = make_payment(
        creditor={
            "name": "Noor Al-Rafidain Trading",
            "address": ["c/o Asa'ib Ahl al-Haq", "Baghdad"],
        }
    )
    (found,) = check_militia_front(payment, CTX)
    assert (found.field, found.entry_id) == ("creditor.address", "militia-asaib-ahl-al-haq")
    assert found.action is Action.BLOCK


def test_unknown_fields_are_screened() -> None:
    payment = make_payment(creditor={"name": "X Co", "note": "for Harakat al-Nujaba"})
    (found,) = check_militia_front(payment, CTX)
    assert (found.field, found.entry_id) == ("creditor.extra.note", "militia-harakat-al-nujaba")


def test_a_person_named_in_free_text_is_a_review() -> None:
    payment = make_payment(remittance_info="commission for Hamad al-Moussawi, Baghdad")
    (found,) = check_militia_front(payment, CTX)
    assert (found.entry_id, found.action) == (
        "militia-facilitator-hamad-al-moussawi",
        Action.REVIEW,
    )
    assert found.evidence["strength"] == "person"


def test_creditor_iban_at_a_cbi_barred_bank_is_blocked() -> None:
    payment = make_payment(creditor={"name": "Ahmed Trading", "account": iq_iban("AIBI")})
    (found,) = check_cbi_usd_ban(payment, CTX)
    assert (found.field, found.match_method) == ("creditor", "iban-bank-code")
    assert found.entry_id == "cbi-2024-02-04-ashur" and found.action is Action.BLOCK
    assert found.evidence["strength"] == "identifier"
    assert "123456789" not in found.matched + found.explanation  # account masked
    # Currency scope still applies: the same account in IQD passes.
    assert check_cbi_usd_ban(payment.model_copy(update={"currency": "IQD"}), CTX) == []


def test_iban_of_a_barred_bank_written_in_the_remittance() -> None:
    payment = make_payment(remittance_info=f"please credit {iq_iban('BHDA')} (Al Huda)")
    (cbi,) = check_cbi_usd_ban(payment, CTX)
    (fincen,) = check_fincen_311(payment, CTX)
    assert (cbi.match_method, cbi.entry_id) == ("text-iban", "cbi-2024-02-04-al-huda")
    assert fincen.match_method == "text-iban" and fincen.action is Action.BLOCK


def test_clean_iraqi_iban_passes() -> None:
    payment = make_payment(creditor={"name": "Ahmed Trading", "account": iq_iban("RAFB")})
    assert check_cbi_usd_ban(payment, CTX) == []


def test_agent_clearing_id_naming_a_barred_bank() -> None:
    payment = make_payment(
        intermediary_agents=[{"name": "Correspondent", "clearing_id": "IQCBI:AIBI"}]
    )
    (found,) = check_cbi_usd_ban(payment, CTX)
    assert (found.field, found.match_method) == ("intermediary_agents[0]", "clearing-id")


def test_name_continued_on_the_next_line() -> None:
    name = "Al-Janoob Islamic Bank for Investm"
    payment = make_payment(creditor={"name": name, "address": ["ent and Finance", "Baghdad"]})
    found = check_cbi_usd_ban(payment, CTX)
    assert [(f.field, f.entry_id) for f in found] == [("creditor", "cbi-2024-02-04-janoob")]
    assert found[0].match_method in ("name", "name-continued")


def test_fuzzy_name_hit_on_an_entity_is_a_review_not_a_block() -> None:
    pack = pack_with("MILITIA-FRONT", strong_score=1.0, score_threshold=0.8)
    ctx = context(pack)
    (found,) = check_militia_front(make_payment(creditor={"name": "Kataib Hizballa Co"}), ctx)
    assert found.score < 1.0 and found.action is Action.REVIEW
    assert found.evidence["strength"] == "fuzzy"


def test_persons_never_match_agents_and_name_hits_on_persons_are_reviews() -> None:
    ctx = context(None, small_sdn())
    assert check_ofac_sdn(make_payment(creditor_agent={"name": "Hamad Al-Moussawi"}), ctx) == []
    (found,) = check_ofac_sdn(make_payment(creditor={"name": "Hamad Al-Moussawi"}), ctx)
    assert found.action is Action.REVIEW and found.evidence["strength"] == "person"


def test_vessels_are_not_matched_in_free_text_by_the_sdn_rule() -> None:
    ctx = context(None, small_sdn())
    payment = make_payment(remittance_info="freight ARK III discharge")
    assert [f for f in check_ofac_sdn(payment, ctx) if f.entry_id == "ofac-sdn-15037"] == []


def _entry(kind: str = "entity") -> ListEntry:
    return ListEntry(entry_id="x", list="t", kind=kind, names=["X"], legal_source="s")


def _hit(score: float, kind: str = "entity", strength: str = EXACT_PRIMARY) -> NameHit:
    return NameHit(_entry(kind), "X", score, strength)


def test_strength_and_action_table() -> None:
    settings = CTX.pack.settings("MILITIA-FRONT")
    assert settings is not None
    who = Subject("creditor", "X", None, False)

    def action(strength: str) -> Action:
        return action_for(settings, ListMatch(who, _entry(), "name", "X", "X", 0.9, strength))

    assert name_strength(_hit(0.99), 0.97) == "strong"
    # Only the primary name is the entity's own on a large list; a curated list's every name is.
    assert name_strength(_hit(0.99, strength=STRONG_ALIAS), 0.97) == "alias"
    assert name_strength(_hit(0.99, strength=STRONG_ALIAS), 0.97, aliases_block=True) == "strong"
    assert name_strength(_hit(0.95, strength=STRONG_ALIAS), 0.97, aliases_block=True) == "fuzzy"
    # An alias hit whose entry's primary name is met near-exact at the strong score too.
    primary_too = NameHit(_entry(), "X", 1.0, STRONG_ALIAS, primary_score=0.98)
    assert name_strength(primary_too, 0.97) == "strong"
    primary_weaker = NameHit(_entry(), "X", 1.0, STRONG_ALIAS, primary_score=0.96)
    assert name_strength(primary_weaker, 0.97) == "alias"
    assert name_strength(_hit(0.95), 0.97) == "fuzzy"
    assert name_strength(_hit(0.99, strength=FUZZY), 0.97) == "fuzzy"
    assert name_strength(_hit(1.0, strength=WEAK_ALIAS), 0.97) == "weak-alias"
    assert name_strength(_hit(1.0, "individual"), 0.97) == "person"
    kinds = ("identifier", "strong", "alias", "fuzzy", "person", "weak-alias")
    assert [action(s) for s in kinds] == [
        Action.BLOCK,
        Action.BLOCK,
        Action.REVIEW,
        Action.REVIEW,
        Action.REVIEW,
        Action.REVIEW,
    ]


def test_text_windows_skip_numbers_and_single_words() -> None:
    windows = text_windows("INV 118 Kataib Hizballah 7 x", 3)
    assert ("kataib hizballah", "", "") in windows
    assert all(" " in w.text and not any(t.isdigit() for t in w.text.split()) for w in windows)
    (inner,) = [w for w in text_windows("paid Ali Hassan Mohammed", 2) if w.text == "ali hassan"]
    assert (inner.before, inner.after) == ("paid", "muhammad")
    # A line break ends the name for its neighbours; windows still span it (wrapped names).
    lines = text_windows("c/o Sobhi Mahmoud Fayad\nPO Box 7 Dubai", 4)
    (whole,) = [w for w in lines if w.text == "sobhi mahmoud fayad"]
    assert whole.after == ""
    assert any(w.text == "fayad po" for w in lines)


def test_clean_payments_pass_every_list_rule() -> None:
    payment = make_payment(
        remittance_info="INVOICE 2024/118 CEMENT SUPPLY, DAR AL SALAM BUILDING",
        creditor={"name": "Gulf Horizon Trading LLC", "address": ["Office 12, Deira", "Dubai"]},
    )
    assert screen_payment(payment, CTX, AT).findings == []


def test_same_payment_same_lists_byte_identical_decision() -> None:
    payment = make_payment(
        remittance_info="on behalf of Kata'ib Hizballah",
        creditor={"name": "Ahmed Trading", "account": iq_iban("AIBI"), "address": ["c/o KH"]},
    )
    first = dumps(screen_payment(payment, CTX, AT))
    again = dumps(screen_payment(payment, context(), AT))
    assert first == again


def _people() -> ReferenceList:
    def person(num: str, name: str, countries: list[str]) -> ListEntry:
        return ListEntry(
            entry_id=f"ofac-sdn-{num}",
            list="ofac-sdn",
            kind="individual",
            names=[name],
            countries=countries,
            legal_source="OFAC SDN list, test entry",
        )

    return ReferenceList.build(
        "ofac-sdn",
        [
            person("1", "ALI, Ahmed Mohammed", ["EG"]),
            person("2", "AL-JUBOURI, Ahmed", ["IQ"]),
            person("3", "AHMAD, Najmuddin Faraj", ["NO"]),
            person("4", "HASSAN, Omar Hussein", []),
        ],
    )


PEOPLE = context(None, _people())


def _sdn(**changes: object) -> list[tuple[str, Action]]:
    return [(f.entry_id or "", f.action) for f in check_ofac_sdn(make_payment(**changes), PEOPLE)]


def test_common_name_elsewhere_is_a_namesake_not_the_listed_person() -> None:
    iraqi = {"name": "Mohammed Ahmed Ali", "account": "IQ98BBAG001234567890123"}
    assert _sdn(debtor=iraqi) == []
    # Listed in Iraq: the country agrees, a human must look.
    assert _sdn(debtor={**iraqi, "name": "Ahmed Al-Jubouri"}) == [("ofac-sdn-2", Action.REVIEW)]
    # A distinctive name counts wherever the account is.
    assert _sdn(debtor={**iraqi, "name": "Najmuddin Faraj Ahmad"}) == [
        ("ofac-sdn-3", Action.REVIEW)
    ]
    # No country given: the name is all there is, so it is reviewed.
    assert _sdn(debtor={"name": "Mohammed Ahmed Ali"}) == [("ofac-sdn-1", Action.REVIEW)]
    # The list places the person nowhere: a common name cannot be corroborated.
    assert _sdn(debtor={**iraqi, "name": "Omar Hussein Hassan"}) == []
    assert _sdn(debtor={"name": "Omar Hussein Hassan"}) == [("ofac-sdn-4", Action.REVIEW)]


def test_persons_in_free_text() -> None:
    assert _sdn(remittance_info="on behalf of Najmuddin Faraj Ahmad") == [
        ("ofac-sdn-3", Action.REVIEW)
    ]
    # Common names only: a text has no country to tell namesakes apart.
    assert _sdn(remittance_info="on behalf of Mohammed Ahmed Ali") == []


def test_a_registered_bank_name_of_generic_words_blocks_on_the_cbi_list_only_word_for_word() -> (
    None
):
    # Every word of "Asia Iraq Islamic Bank" is generic: the matcher does not call it near-exact.
    payment = make_payment(debtor_agent={"name": "Asia Iraq Islamic Bank"})
    (found,) = check_cbi_usd_ban(payment, CTX)
    assert (found.action, found.evidence["strength"]) == (Action.BLOCK, "strong")
    assert found.evidence["name_strength"] == "fuzzy"
    lenient = context(pack_with("CBI-USD-BAN", exact_names_block=False))
    (reviewed,) = check_cbi_usd_ban(payment, lenient)
    assert reviewed.action is Action.REVIEW
    # A word more or less is no longer the registered name.
    (other,) = check_cbi_usd_ban(make_payment(debtor_agent={"name": "Asia Iraq Bank"}), CTX) or [
        None
    ]
    assert other is None or other.action is Action.REVIEW


def test_when_a_person_hit_in_free_text_counts() -> None:
    from rules.listmatch import TextWindow, _text_hit_counts

    distinctive = NameHit(_entry("individual"), "Najmuddin Faraj", 1.0, EXACT_PRIMARY)
    bounded = TextWindow("najmuddin faraj", "behalf", "")
    assert _text_hit_counts(distinctive, bounded, frozenset())
    # The name goes on: a common name or a word of a listed person's name follows.
    assert not _text_hit_counts(distinctive, bounded._replace(after="hussein"), frozenset())
    assert not _text_hit_counts(distinctive, bounded._replace(after="rawi"), frozenset({"rawi"}))
    # Fuzzy, weak, or common names only: no evidence in a text.
    fuzzy = NameHit(_entry("individual"), "Najmuddin Faraj", 0.95, FUZZY)
    assert not _text_hit_counts(fuzzy, bounded, frozenset())
    weak = NameHit(_entry(), "KH", 1.0, WEAK_ALIAS)
    assert not _text_hit_counts(weak, bounded, frozenset())
    common = NameHit(_entry("individual"), "Ahmed Ali", 1.0, EXACT_PRIMARY)
    assert not _text_hit_counts(common, bounded, frozenset())
    assert _text_hit_counts(common, bounded, frozenset(), common_names=True)


def _organisations() -> ReferenceList:
    def organisation(num: str, *names: str) -> ListEntry:
        return ListEntry(
            entry_id=f"ofac-sdn-{num}",
            list="ofac-sdn",
            kind="entity",
            names=list(names),
            legal_source="OFAC SDN list, test entry",
        )

    def person(num: str, name: str, *aliases: str) -> ListEntry:
        return ListEntry(
            entry_id=f"ofac-sdn-{num}",
            list="ofac-sdn",
            kind="individual",
            names=[name, *aliases],
            legal_source="OFAC SDN list, test entry",
        )

    return ReferenceList.build(
        "ofac-sdn",
        [
            organisation("10", "DEBBIYE 143 SAL"),
            organisation("11", "HANDASIEH"),
            organisation(
                "12",
                "FEDERAL STATE BUDGETARY SCIENTIFIC INSTITUTION RESEARCH AND PRODUCTION "
                "COMPLEX TECHNOLOGY CENTER",
            ),
            organisation("13", "WAAD PROJECT", "WAAD COMPANY", "AL-WAAD AL-SADIQ"),
            person("14", "AL-JUBOURI, Ahmad Abdullah", "AL-JUBOURI, Ahmed"),
            person("15", "MOUSTFA, Djamel", "Ali Barkani"),
            person("16", "FARAJ, Najmuddin Kareem"),
        ],
    )


ORGS = context(None, _organisations())


def _org(**changes: object) -> list[tuple[str, str, Action]]:
    return [
        (f.entry_id or "", f.field, f.action) for f in check_ofac_sdn(make_payment(**changes), ORGS)
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"remittance_info": "PAYMENT ON BEHALF OF DEBBIYE 143 SAL INV 4711"},
        {"creditor": {"name": "X Co", "address": ["c/o DEBBIYE 143 SAL", "Beirut"]}},
        {"related_party": "DEBBIYE 143 SAL"},
    ],
)
def test_a_name_with_a_number_is_found_where_the_text_presents_a_party(
    changes: dict[str, object],
) -> None:
    # A number ends a window of free text, so only the marked span reads the whole name.
    ((entry, _, action),) = _org(**changes)
    assert (entry, action) == ("ofac-sdn-10", Action.BLOCK)


def test_one_word_and_long_names_in_a_field_of_their_own_or_after_a_marker() -> None:
    assert _org(narrative="HANDASIEH") == [("ofac-sdn-11", "extra.narrative", Action.BLOCK)]
    long_name = (
        "FEDERAL STATE BUDGETARY SCIENTIFIC INSTITUTION RESEARCH AND PRODUCTION COMPLEX "
        "TECHNOLOGY CENTER"
    )
    assert _org(remittance_info=f"on behalf of {long_name} invoice no 12") == [
        ("ofac-sdn-12", "remittance_info", Action.BLOCK)
    ]
    # Without a marker a single word in running text is not searched.
    assert _org(remittance_info="HANDASIEH SPARE PARTS 2024") == []


def test_a_care_of_marker_is_no_part_of_the_name() -> None:
    # "c/o Waad" once read as "Co Waad", i.e. WAAD COMPANY near-exact: a block. The span is
    # "Waad", which meets the listed name as a party named "Waad" would: a fuzzy review.
    assert _org(creditor={"name": "X Co", "address": ["c/o Waad", "Basrah"]}) == [
        ("ofac-sdn-13", "creditor.address", Action.REVIEW)
    ]


def test_only_an_entitys_primary_name_blocks_on_a_large_list() -> None:
    # 'AL-WAAD AL-SADIQ' is an a.k.a. of WAAD PROJECT and also a man's name: met word for word
    # in a party field or in free text, it is held for review; the primary name blocks.
    assert _org(creditor={"name": "Waad Sadiq"}) == [("ofac-sdn-13", "creditor", Action.REVIEW)]
    assert _org(remittance_info="on behalf of Al-Waad Al-Sadiq") == [
        ("ofac-sdn-13", "remittance_info", Action.REVIEW)
    ]
    assert _org(creditor={"name": "Waad Project"}) == [("ofac-sdn-13", "creditor", Action.BLOCK)]
    (alias,) = check_ofac_sdn(make_payment(creditor={"name": "Al Waad Al Sadiq"}), ORGS)
    assert (alias.evidence["strength"], alias.evidence["name_strength"]) == (
        "alias",
        "strong_alias",
    )
    assert alias.evidence["listed_as"] == "AL-WAAD AL-SADIQ"


def test_person_hits_on_another_common_name_or_a_short_common_alias_are_no_evidence() -> None:
    # Barzani is a family name in its own right, not a misspelling of Barkani.
    assert _org(debtor={"name": "Ali Barzani"}) == []
    assert _org(debtor={"name": "Ali Barkani"}) == [("ofac-sdn-15", "debtor", Action.REVIEW)]
    # A two-word alias of common names only is not the person; the full name is.
    assert _org(debtor={"name": "Ahmed Al-Jubouri"}) == []
    assert _org(debtor={"name": "Ahmad Abdullah Al-Jubouri"}) == [
        ("ofac-sdn-14", "debtor", Action.REVIEW)
    ]
    # A listed person's name written word for word after a marker is a review.
    assert _org(remittance_info="on behalf of Najmuddin Kareem Faraj") == [
        ("ofac-sdn-16", "remittance_info", Action.REVIEW)
    ]
