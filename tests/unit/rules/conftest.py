"""Shared fixtures for the rule tests: the real reference files in ../shared/data, when present."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lists.files import builtin_lists, load_ofac_csv, load_rule_pack
from rules.context import ScreeningContext
from rules.lists.base import ReferenceList
from rules.lists.ofac import OfacLoad, map_sdn_record, parse_sdn_rows, read_ofac_rows
from rules.pack import RULE_SETTINGS, RulePack, RuleSettings
from schemas.decision import Finding

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
SDN_2024 = SHARED_DATA / "ofac" / "sdn_2024-05-03" / "sdn.csv"
ADDALT_2025 = SHARED_DATA / "ofac" / "addalt_2025-12"
SET_2021 = SHARED_DATA / "ofac" / "set_2021-07"
UN_XML = SHARED_DATA / "un" / "UN_consolidated.xml"


def need(path: Path) -> Path:
    """The path, or skip: the shared reference data sits beside the repo, not in it."""
    if not path.exists():
        pytest.skip(f"shared reference data not found at {path} (expected ../shared/data)")
    return path


@pytest.fixture(scope="session")
def sdn_2024() -> OfacLoad:
    """The full SDN list of 2024-05-03 with the December 2025 aliases and addresses joined."""
    return load_ofac_csv(
        need(SDN_2024),
        need(ADDALT_2025 / "alt.csv"),
        need(ADDALT_2025 / "add.csv"),
        published=None,
    )


@pytest.fixture(scope="session")
def sdn_ctx(sdn_2024: OfacLoad) -> ScreeningContext:
    """Built-in lists plus the full SDN list, default pack."""
    return ScreeningContext.build(load_rule_pack(), builtin_lists().with_list(sdn_2024.reference))


# --- small lists and packs for rule tests -------------------------------------------------------

SMALL_SDN_CSV = (
    '25019,"BANK MELLAT",-0- ,"IRAN] [SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"SWIFT/BIC BKMTIRTH; Website www.bankmellat.ir."\r\n'
    '11462,"KATA\'IB HIZBALLAH",-0- ,"FTO] [SDGT] [IRAQ3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'HIZBALLAH BRIGADES'.\"\r\n"
    '47348,"AL-MOUSSAWI, Hamad","individual","SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"nationality Iraq."\r\n'
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    '15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker",-0- ,-0- ,"Iran",'
    "-0- ,\"Vessel Registration Identification IMO 9187629; f.k.a. 'ALPHA'.\"\r\n"
    '15037,"ARK III","vessel","IRAN",-0- ,-0- ,"Crude/Oil Products Tanker",-0- ,-0- ,"Iran",-0- ,'
    '"Vessel Registration Identification IMO 9187655."\r\n\x1a'
)


def small_sdn() -> ReferenceList:
    """Six real SDN records (a bank, a militia, a person, a Cuban bank, two tankers)."""
    records = parse_sdn_rows(read_ofac_rows(SMALL_SDN_CSV.encode("cp1252")))
    entries = [map_sdn_record(records[n]) for n in sorted(records, key=int)]
    return ReferenceList.build("ofac-sdn", entries, published=date(2024, 5, 3))


def pack_with(rule_id: str, **changes: Any) -> RulePack:
    """The default pack with one rule's settings changed."""
    pack = load_rule_pack()
    model = RULE_SETTINGS.get(rule_id, RuleSettings)
    settings = model.model_validate({**pack.rules[rule_id].model_dump(), **changes})
    return pack.model_copy(update={"rules": {**pack.rules, rule_id: settings}})


def context(pack: RulePack | None = None, *extra: ReferenceList) -> ScreeningContext:
    """Built-in lists (plus `extra`) under the default pack or `pack`."""
    lists = builtin_lists()
    for reference in extra:
        lists = lists.with_list(reference)
    return ScreeningContext.build(pack or load_rule_pack(), lists)


def assert_full_evidence(finding: Finding) -> None:
    """Every list finding names its field, entry, list, version, source, score and method."""
    assert finding.field and finding.matched and finding.explanation
    assert finding.entry_id and finding.entry_name and finding.list_name and finding.list_version
    assert finding.legal_source and finding.match_method
    assert 0.0 < finding.score <= 1.0
    assert finding.retro is False


CHAIN_POSITIONS = (
    "debtor_agent",
    "creditor_agent",
    "intermediary_agents",
    "instructing_agent",
    "instructed_agent",
)
"""Every payment field that holds a bank: each bank list rule must screen all of them."""


def at_position(position: str, agent: dict[str, str]) -> dict[str, object]:
    """make_payment changes that put `agent` at `position` (the intermediaries are a list)."""
    return {position: [agent] if position == "intermediary_agents" else agent}


def chain_field(position: str) -> str:
    """The field a finding names for an agent put there by `at_position`."""
    return "intermediary_agents[0]" if position == "intermediary_agents" else position
