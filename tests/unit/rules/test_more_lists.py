"""EU-SANCTIONS, UK-SANCTIONS, OFAC-NONSDN, OPENSANCTIONS on real list excerpts.

Lists: the committed excerpts of tests/data/lists (README.md there names each source), OFAC's
consolidated non-SDN CSV of December 2025 and OpenSanctions' zala sample in ../shared/data.
The iq_aml_list record is constructed (no sample is available offline; see test_lists_ftm.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import orjson
import pytest

from rules.context import ScreeningContext
from rules.engine import STATELESS_RULES, screen_payment
from rules.lists.base import ReferenceList
from rules.lists.sources import parse_source
from rules.more_lists import (
    EU_RULE_ID,
    NONSDN_RULE_ID,
    OPENSANCTIONS_RULE_ID,
    UK_RULE_ID,
    check_eu_sanctions,
    check_ofac_nonsdn,
    check_opensanctions,
    check_uk_sanctions,
)
from rules.pack import ProgramSanctionsSettings, parse_rule_pack
from rules.rescreen import DeltaScreen
from schemas.common import Action, Severity
from schemas.decision import Finding
from schemas.payment import Payment
from tests.factories import make_payment
from tests.unit.lists_support import fixture, shared
from tests.unit.rules.conftest import assert_full_evidence, context, pack_with

AT = datetime(2025, 4, 1, 10, tzinfo=UTC)
GULF_IBAN = "AE070331234567890123456"


def _one(source: str, files: dict[str, bytes]) -> ReferenceList:
    (reference,) = parse_source(source, files)
    return reference


@pytest.fixture(scope="module")
def eu() -> ReferenceList:
    return _one("eu", {"xmlFullSanctionsList_1_1.xml": fixture("eu_fsf_2018-12-21_excerpt.xml")})


@pytest.fixture(scope="module")
def uk() -> ReferenceList:
    data = fixture("uk_sanctions_list_2026-09-02_excerpt.xml")
    return _one("uk", {"UK-Sanctions-List.xml": data})


@pytest.fixture(scope="module")
def nonsdn_xml() -> ReferenceList:
    data = fixture("ofac_cons_enhanced_2025-01-10_excerpt.xml")
    return _one("ofac-nonsdn", {"cons_enhanced.xml": data})


@pytest.fixture(scope="module")
def nonsdn_csv() -> ReferenceList:
    folder = shared("ofac/non_sdn_consolidated_2025-12")
    return _one("ofac-nonsdn", {p.name: p.read_bytes() for p in folder.iterdir()})


@pytest.fixture(scope="module")
def zala() -> ReferenceList:
    data = shared("opensanctions/yente_fixtures/zala_entities.ftm.json").read_bytes()
    return _one("opensanctions", {"entities.ftm.json": data})


Check = Callable[[Payment, ScreeningContext], list[Finding]]


def _findings(check: Check, ctx: ScreeningContext, **payment: object) -> list[Finding]:
    screened = make_payment(**payment)
    return check(screened, ctx.for_payment(screened))


def test_the_rules_are_registered_and_typed() -> None:
    names = {rule.__name__ for rule in STATELESS_RULES}
    assert {
        "check_eu_sanctions",
        "check_uk_sanctions",
        "check_ofac_nonsdn",
        "check_opensanctions",
    } <= names
    pack = context().pack
    for rule in (EU_RULE_ID, UK_RULE_ID, NONSDN_RULE_ID, OPENSANCTIONS_RULE_ID):
        assert type(pack.rules[rule]) is ProgramSanctionsSettings, rule


# --- EU ---------------------------------------------------------------------------------------


def test_eu_listed_entity_blocks_with_the_eu_legal_source(eu: ReferenceList) -> None:
    ctx = context(None, eu)
    # The entity's first (primary) name in the regulation.
    creditor = {"name": "Islami Buyuk Dogu Akincilar Cephesi", "account": GULF_IBAN}
    (found,) = _findings(check_eu_sanctions, ctx, creditor=creditor)
    assert_full_evidence(found)
    assert (found.rule, found.action, found.severity) == (EU_RULE_ID, Action.BLOCK, Severity.HIGH)
    assert (found.field, found.entry_id, found.list_name) == ("creditor", "eu-fsf-207", "eu-fsf")
    assert found.list_version == eu.version
    assert (
        found.legal_source
        == "EU financial sanctions, programme TERR (EU.3523.13; 2018/468 (OJ L79))"
    )
    assert found.evidence["strength"] == "strong" and found.evidence["programs"] == "TERR"
    assert "matched_tokens" in found.evidence
    assert (
        "EU consolidated financial sanctions" in found.explanation
        and eu.version in found.explanation
    )


def test_eu_entity_named_by_another_alias_is_a_review(eu: ReferenceList) -> None:
    # Only the primary name or an identifier blocks: an alias alone is held for an analyst.
    ctx = context(None, eu)
    creditor = {"name": "Great Islamic Eastern Warriors Front", "account": GULF_IBAN}
    (found,) = _findings(check_eu_sanctions, ctx, creditor=creditor)
    assert (found.action, found.entry_id) == (Action.REVIEW, "eu-fsf-207")
    assert found.evidence["strength"] == "alias"
    assert found.evidence["name_strength"] == "strong_alias"
    assert "alias evidence" in found.explanation


def test_eu_person_by_name_alone_is_a_review(eu: ReferenceList) -> None:
    ctx = context(None, eu)
    (found,) = _findings(check_eu_sanctions, ctx, creditor={"name": "Robert Gabriel Mugabe"})
    assert found.action is Action.REVIEW and found.evidence["strength"] == "person"
    assert "confirm identity" in found.explanation


def test_no_list_no_finding() -> None:
    ctx = context()
    payment = {"creditor": {"name": "Great Islamic Eastern Warriors Front"}}
    for check in (check_eu_sanctions, check_uk_sanctions, check_ofac_nonsdn, check_opensanctions):
        assert _findings(check, ctx, **payment) == []
    decision = screen_payment(make_payment(**payment), ctx, AT)
    assert decision.decision is Action.PASS


def test_a_disabled_rule_finds_nothing(eu: ReferenceList) -> None:
    ctx = context(pack_with(EU_RULE_ID, enabled=False), eu)
    creditor = {"name": "Great Islamic Eastern Warriors Front"}
    assert _findings(check_eu_sanctions, ctx, creditor=creditor) == []


# --- UK ---------------------------------------------------------------------------------------


def test_uk_asset_freeze_blocks_and_cites_the_regime(uk: ReferenceList) -> None:
    ctx = context(None, uk)
    creditor = {"name": "Haji Khairullah Haji Sattar Money Exchange", "account": GULF_IBAN}
    (found,) = _findings(check_uk_sanctions, ctx, creditor=creditor)
    assert_full_evidence(found)
    assert (found.action, found.severity, found.entry_id) == (
        Action.BLOCK,
        Severity.HIGH,
        "uk-sanctions-AFG0001",
    )
    assert found.legal_source and "Asset freeze" in found.legal_source
    assert "AFG0001" in found.legal_source
    assert "UK asset freeze (Sanctions and Anti-Money Laundering Act 2018" in found.explanation


def test_uk_designation_without_asset_freeze_is_a_review(uk: ReferenceList) -> None:
    # The same real record with its measures cut to a travel ban: no asset freeze, no block.
    entry = next(e for e in uk.entries if e.entry_id == "uk-sanctions-AFG0001")
    travel_only = entry.model_copy(
        update={"legal_source": entry.legal_source.replace("Asset freeze", "Travel Ban")}
    )
    ctx = context(None, ReferenceList.build(uk.name, [travel_only], title=uk.title))
    creditor = {"name": "Haji Khairullah Haji Sattar Money Exchange"}
    (found,) = _findings(check_uk_sanctions, ctx, creditor=creditor)
    assert (found.action, found.severity) == (Action.REVIEW, Severity.MEDIUM)


def test_uk_vessel_is_not_matched_against_a_party(uk: ReferenceList) -> None:
    ctx = context(None, uk)
    assert _findings(check_uk_sanctions, ctx, creditor={"name": "Petrel 8"}) == []


# --- OFAC non-SDN -----------------------------------------------------------------------------


def test_ssi_bank_by_bic_is_a_review_that_says_what_ssi_prohibits(
    nonsdn_xml: ReferenceList,
) -> None:
    ctx = context(None, nonsdn_xml)
    agent = {"bic": "DOBAATWW", "name": "VTB Bank (Austria) AG"}
    (found,) = _findings(check_ofac_nonsdn, ctx, creditor_agent=agent)
    assert_full_evidence(found)
    assert (found.rule, found.action, found.severity) == (
        NONSDN_RULE_ID,
        Action.REVIEW,
        Severity.MEDIUM,
    )
    assert (found.match_method, found.evidence["strength"]) == ("bic", "identifier")
    assert found.entry_id == "ofac-nonsdn-18727" and found.list_version == nonsdn_xml.version
    assert "Sectoral Sanctions Identifications" in (found.legal_source or "")
    assert "UKRAINE-EO13662: SSI List (EO 13662 Directives 1-4)" in found.explanation


def test_capta_bank_blocks_dollars_only(nonsdn_xml: ReferenceList) -> None:
    ctx = context(None, nonsdn_xml)
    agent = {"bic": "CKLBCNBJ", "name": "Bank of Kunlun"}
    (usd,) = _findings(check_ofac_nonsdn, ctx, creditor_agent=agent)
    assert (usd.action, usd.severity) == (Action.BLOCK, Severity.HIGH)
    assert "CAPTA List (CISADA section 104" in usd.explanation
    (eur,) = _findings(check_ofac_nonsdn, ctx, creditor_agent=agent, currency="EUR")
    assert (eur.action, eur.severity) == (Action.REVIEW, Severity.MEDIUM)


def test_weak_alias_is_exact_only_and_a_review(nonsdn_xml: ReferenceList) -> None:
    ctx = context(None, nonsdn_xml)
    (found,) = _findings(check_ofac_nonsdn, ctx, creditor={"name": "ZAHAR, Mahmoud"})
    assert found.action is Action.REVIEW and found.evidence["strength"] == "weak-alias"
    assert found.entry_id == "ofac-nonsdn-9647"
    assert "NS-PLC: NS-PLC List: OFAC's General License 4" in found.explanation
    # Not equal to the weak alias: nothing (a weak alias is never matched fuzzily).
    assert _findings(check_ofac_nonsdn, ctx, creditor={"name": "ZAHAR, Mahmoud Ali"}) == []


@pytest.mark.parametrize(
    ("agent", "currency", "entry", "action", "severity", "says"),
    [
        # EO 14024 Directive 4: any transaction involving the Central Bank of Russia.
        ("CBRFRUMM", "EUR", "ofac-nonsdn-31695", Action.BLOCK, Severity.HIGH, "Directive 4"),
        # Sberbank: EO 14024 Directive 2 (CAPTA) blocks dollars; in euros SSI/Directive 3 review.
        ("SABRRUMM", "USD", "ofac-nonsdn-17018", Action.BLOCK, Severity.HIGH, "Directive 2"),
        ("SABRRUMM", "EUR", "ofac-nonsdn-17018", Action.REVIEW, Severity.MEDIUM, "SSI List"),
        # VTB: SSI Directive 1 only (no Directive 2 in its remarks): a review in dollars too.
        ("VTBRRUMM", "USD", "ofac-nonsdn-17013", Action.REVIEW, Severity.MEDIUM, "SSI List"),
    ],
)
def test_russia_directives_from_the_real_csv(
    nonsdn_csv: ReferenceList,
    agent: str,
    currency: str,
    entry: str,
    action: Action,
    severity: Severity,
    says: str,
) -> None:
    ctx = context(None, nonsdn_csv)
    found = _findings(check_ofac_nonsdn, ctx, creditor_agent={"bic": agent}, currency=currency)
    (hit,) = [f for f in found if f.entry_id == entry]
    assert (hit.action, hit.severity) == (action, severity)
    assert says in hit.explanation


def test_cmic_company_is_a_low_review(nonsdn_csv: ReferenceList) -> None:
    ctx = context(None, nonsdn_csv)
    found = _findings(check_ofac_nonsdn, ctx, creditor={"name": "China Mobile Limited"})
    (exact,) = [f for f in found if f.entry_id == "ofac-nonsdn-30923"]
    assert (exact.action, exact.severity, exact.score) == (Action.REVIEW, Severity.LOW, 1.0)
    assert "publicly traded securities" in exact.explanation
    # Other CMIC entries the name comes close to are reviews at most, never blocks.
    assert all(f.action is Action.REVIEW for f in found)


# --- OpenSanctions ----------------------------------------------------------------------------


def _iq_aml_list() -> ReferenceList:
    """An iq_aml_list company in the shape OpenSanctions' crawler emits (constructed)."""
    lines = [
        {
            "id": "iq-aml-test-0001",
            "schema": "Company",
            "target": True,
            "datasets": ["iq_aml_list"],
            "caption": "Rafidain Horizon General Trading Company",
            "properties": {
                "name": ["Rafidain Horizon General Trading Company", "شركة أفق الرافدين"],
                "weakAlias": ["RHGT"],
                "country": ["iq"],
            },
            "last_change": "2026-11-30T10:00:00",
        },
        {
            "id": "iq-aml-test-s-0001",
            "schema": "Sanction",
            "datasets": ["iq_aml_list"],
            "properties": {
                "entity": ["iq-aml-test-0001"],
                "recordId": ["12 لسنة 2023"],
                "listingDate": ["2023"],
                "authority": ["Iraq AML/CFT Office freezing committee"],
            },
        },
    ]
    data = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    return _one("opensanctions", {"entities.ftm.json": data})


def test_iraq_freeze_list_entry_blocks_critical() -> None:
    reference = _iq_aml_list()
    ctx = context(None, reference)
    creditor = {"name": "Rafidain Horizon General Trading Company", "account": GULF_IBAN}
    (found,) = _findings(check_opensanctions, ctx, creditor=creditor)
    assert_full_evidence(found)
    assert (found.rule, found.action, found.severity) == (
        OPENSANCTIONS_RULE_ID,
        Action.BLOCK,
        Severity.CRITICAL,
    )
    assert found.entry_id == "opensanctions-iq-aml-test-0001"
    assert found.list_version == reference.version
    assert (found.legal_source or "").startswith("OpenSanctions iq_aml_list")
    assert "iq_aml_list: Iraq's AML/CFT Office freeze list" in found.explanation
    # Before its listing (the source gives the year only) it was not in force.
    early = {"value_date": "2022-12-30", "created_at": "2022-12-30T09:00:00Z"}
    assert _findings(check_opensanctions, ctx, creditor=creditor, **early) == []
    # Its weak alias: whole-name equality only, and a review even on Iraq's own list.
    (weak,) = _findings(check_opensanctions, ctx, creditor={"name": "RHGT"})
    assert weak.action is Action.REVIEW and weak.evidence["strength"] == "weak-alias"
    assert _findings(check_opensanctions, ctx, creditor={"name": "RHGT Logistics"}) == []


def test_opensanctions_official_freeze_blocks_and_weak_alias_reviews(
    zala: ReferenceList,
) -> None:
    ctx = context(None, zala)
    (strong,) = _findings(check_opensanctions, ctx, creditor={"name": "JSC Kalashnikov Concern"})
    assert (strong.action, strong.severity) == (Action.BLOCK, Severity.HIGH)
    assert (
        "us_ofac_sdn" in strong.explanation and "asset freeze by OFAC (SDN)" in strong.explanation
    )
    # LLC CST's weak alias ZALA, written alone: a review; inside a longer name: nothing.
    (weak,) = _findings(check_opensanctions, ctx, creditor={"name": "ZALA"})
    assert weak.action is Action.REVIEW and weak.evidence["strength"] == "weak-alias"
    assert weak.entry_id == "opensanctions-NK-abdzbEBkqyT29GyREbiURZ"
    assert _findings(check_opensanctions, ctx, creditor={"name": "ZALA Group Trading"}) == []


def test_opensanctions_unofficial_only_entity_is_a_review(zala: ReferenceList) -> None:
    # The zala sample's association is there only through enrichment and annotation datasets
    # (ext_ru_egrul, ann_graph_topics): a review whatever the evidence.
    entry = next(e for e in zala if e.entry_id == "opensanctions-NK-SiYwWfxwLVrVeFswsvAvsm")
    assert set(entry.programs) == {"ext_ru_egrul", "ann_graph_topics"}
    ctx = context(None, zala)
    found = _findings(check_opensanctions, ctx, creditor={"name": entry.names[0]})
    (hit,) = [f for f in found if f.entry_id == entry.entry_id]
    assert (hit.action, hit.severity) == (Action.REVIEW, Severity.LOW)
    assert "not a financial sanction" in hit.explanation


# --- pack and engine --------------------------------------------------------------------------


def test_a_misspelt_program_action_key_is_an_error_naming_rule_and_key() -> None:
    pack = (
        "name: t\nversion: '1'\nrules:\n  OFAC-NONSDN:\n    program_actions:\n"
        "      - programs: [NS-PLC]\n        action: review\n        severity: low\n"
        "        meaning: x\n        record_say: [x]\n"
    )
    with pytest.raises(ValueError, match=r"rules\.OFAC-NONSDN\.program_actions\.0\.record_say"):
        parse_rule_pack(pack)


def test_engine_decision_carries_every_list_rule(
    eu: ReferenceList, nonsdn_xml: ReferenceList
) -> None:
    ctx = context(None, eu, nonsdn_xml)
    payment = make_payment(
        creditor={"name": "Great Islamic Eastern Warriors Front", "account": GULF_IBAN},
        creditor_agent={"bic": "CKLBCNBJ", "name": "Bank of Kunlun"},
    )
    decision = screen_payment(payment, ctx, AT)
    assert {f.rule for f in decision.findings} == {EU_RULE_ID, NONSDN_RULE_ID}
    assert decision.decision is Action.BLOCK
    assert set(decision.list_versions) >= {"eu-fsf", "ofac-nonsdn"}
    again = screen_payment(payment, context(None, eu, nonsdn_xml), AT)
    assert again.model_dump_json() == decision.model_dump_json()


def test_a_new_eu_designation_raises_a_retro_finding_on_an_earlier_payment() -> None:
    # The real EU record of 2022-02-25 (regulation 2022/332) as a delta, re-screened on
    # 2022-03-10 against a payment of 2022-02-20: the one engine, so EU-SANCTIONS speaks.
    data = fixture("eu_fsf_2022-02-25_entity_excerpt.xml")
    delta = _one("eu", {"xmlFullSanctionsList_1_1.xml": data})
    screen = DeltaScreen.build(context().pack, delta, date(2022, 3, 10))
    payment = make_payment(
        value_date="2022-02-20",
        created_at="2022-02-20T09:00:00Z",
        creditor={"name": "Vladimir Vladimirovich Putin"},
    )
    (found,) = screen.findings(payment, datetime(2022, 3, 10, tzinfo=UTC))
    assert (found.rule, found.entry_id, found.retro) == (EU_RULE_ID, "eu-fsf-135909", True)
    assert found.action is Action.REVIEW  # a person by name alone
    assert found.listed_from == date(2022, 2, 25)
    assert screen.findings(payment, AT, frozenset({f"{EU_RULE_ID}|eu-fsf-135909"})) == []
