"""Rule packs: each rule's settings are a typed model; a typo is an error naming rule and key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lists.files import load_rule_pack
from rules.pack import (
    RULE_SETTINGS,
    EnergySettings,
    FanoutSettings,
    ListRuleSettings,
    RuleSettings,
    SanctionsSettings,
    parse_rule_pack,
)
from schemas.common import Action

PACK = load_rule_pack()


def test_every_rule_of_the_default_pack_has_its_own_model() -> None:
    for rule_id, settings in PACK.rules.items():
        assert type(settings) is RULE_SETTINGS[rule_id], rule_id


def test_default_pack_values_arrive_typed() -> None:
    energy = PACK.typed("IRAN-ENERGY", EnergySettings)
    assert energy is not None and energy.waiver_lapse == date(2025, 3, 8)
    assert energy.action_before_lapse is Action.REVIEW
    fanout = PACK.typed("USD-FANOUT", FanoutSettings)
    assert fanout is not None and fanout.max_usd_sum == Decimal("250000")
    sdn = PACK.typed("OFAC-SDN", SanctionsSettings)
    assert sdn is not None and sdn.score_threshold == 0.9 and "IRGC" in sdn.critical_programs
    nexus = PACK.settings("IRAN-NEXUS")
    assert nexus is not None and nexus.yields_to == {"IRAN-ENERGY": [Action.REVIEW]}


def _pack(rule: str, body: str) -> str:
    return f"name: t\nversion: '1'\nrules:\n  {rule}:\n{body}"


def test_a_misspelt_key_is_an_error_naming_rule_and_key() -> None:
    with pytest.raises(ValidationError) as error:
        parse_rule_pack(_pack("OFAC-SDN", "    score_treshold: 0.5\n"))
    assert "rules.OFAC-SDN.score_treshold: Extra inputs are not permitted" in str(error.value)


def test_a_key_of_another_rule_is_an_error() -> None:
    with pytest.raises(ValidationError, match="waiver_lapse"):
        parse_rule_pack(_pack("CBI-USD-BAN", "    waiver_lapse: 2025-03-08\n"))


def test_a_wrong_value_is_an_error() -> None:
    with pytest.raises(ValidationError, match="strong_score"):
        parse_rule_pack(_pack("MILITIA-FRONT", "    strong_score: 3\n"))


def test_a_misspelt_top_level_key_is_an_error() -> None:
    with pytest.raises(ValidationError, match="name_match_treshold"):
        parse_rule_pack("name: t\nversion: '1'\nname_match_treshold: 0.8\nrules: {}\n")


def test_left_out_settings_take_the_documented_defaults() -> None:
    pack = parse_rule_pack(_pack("CBI-USD-BAN", "    currencies: [USD]\n"))
    settings = pack.typed("CBI-USD-BAN", ListRuleSettings)
    assert settings is not None
    assert (settings.strong_score, settings.text_threshold, settings.screen_text) == (
        0.97,
        0.92,
        True,
    )


def test_a_pack_built_in_code_with_common_settings_is_read_as_the_rules_model() -> None:
    pack = PACK.model_copy(update={"rules": {"CBI-USD-BAN": RuleSettings(action=Action.REVIEW)}})
    settings = pack.typed("CBI-USD-BAN", ListRuleSettings)
    assert settings is not None and settings.action is Action.REVIEW
    assert settings.strong_score == 0.97


def test_pack_round_trips_through_json() -> None:
    again = type(PACK).model_validate_json(PACK.model_dump_json(by_alias=True))
    assert again == PACK
