"""Rule packs: versioned YAML documents that hold every threshold the rules use.

Each rule's settings are a typed model (`extra="forbid"`): a mistyped key in a pack is an error
that names the rule and the key, never a setting silently left at its default. A pack is read
once, from text handed in by the caller (rules/ reads no files); `RULE_SETTINGS` says which
model each rule id's settings are.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    model_validator,
)

from schemas.common import Action, Severity

BUILTIN_PACK = "iraq.yaml"
"""The default pack's file in rules/packs (read by lists/files.py)."""

DEFAULT_STRONG_SCORE = 0.97
DEFAULT_TEXT_THRESHOLD = 0.92
DEFAULT_TEXT_WINDOW = 7


class RuleSettings(BaseModel):
    """Settings every rule has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    action: Action = Action.BLOCK
    severity: Severity = Severity.HIGH
    currencies: list[str] = Field(default_factory=list, description="Empty: every currency")
    yields_to: dict[str, list[Action]] = Field(
        default_factory=dict,
        description="Withdraw this rule's findings when OTHER-RULE found one of these actions",
    )


class ListRuleSettings(RuleSettings):
    """A rule that searches a designation list (rules.listmatch); docs/rules.md explains each."""

    list_name: str | None = Field(
        default=None, alias="list", description="Search this list instead of the rule's own"
    )
    score_threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    strong_score: float = Field(default=DEFAULT_STRONG_SCORE, gt=0.0, le=1.0)
    text_threshold: float = Field(default=DEFAULT_TEXT_THRESHOLD, gt=0.0, le=1.0)
    text_window: int = Field(default=DEFAULT_TEXT_WINDOW, ge=2, le=12)
    screen_text: bool = True
    screen_agents: bool = True
    skip_kinds: list[str] = Field(default_factory=lambda: ["vessel", "aircraft"])
    text_skip_kinds: list[str] | None = Field(
        default=None, description="Entry kinds not searched in free text; None: skip_kinds"
    )
    individual_name_action: Action = Action.REVIEW
    exact_names_block: bool = Field(
        default=False,
        description="A name of generic words met word for word is strong evidence (curated "
        "bank lists, whose entries are registered bank names)",
    )

    aliases_block: bool = Field(
        default=False,
        description="A near-exact match of any strong alias of an entity is strong evidence, "
        "not only of its primary name (curated lists, whose every name is the entity's own)",
    )
    text_common_names: bool = Field(
        default=False,
        description="Free text: also persons whose names are common names only, met word for "
        "word (short curated lists)",
    )

    model_config = ConfigDict(populate_by_name=True)


class SanctionsSettings(ListRuleSettings):
    """OFAC-SDN and UN-SANCTIONS: which programs are screened and which are critical."""

    programs: list[str] = Field(default_factory=list, description="fnmatch; empty: every one")
    critical_programs: list[str] = Field(
        default_factory=lambda: ["IRAN", "IRAN-*", "IFSR", "IRGC", "NPWMD"]
    )


class ProgramAction(BaseModel):
    """What a sanctions program means for a payment: the action on strong evidence, and why.

    An entry matches when one of its programs (OpenSanctions: also its datasets) fits a
    pattern, the payment is in `currencies` (empty: any) and, when `record_says` is given, its
    legal source or remarks hold one of those phrases (OFAC writes there which directive applies;
    the UK list which measures were imposed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    programs: list[str] = Field(min_length=1, description="fnmatch patterns over the programs")
    record_says: list[str] = Field(
        default_factory=list,
        description="Case-insensitive phrases of the entry's legal source or remarks, one of "
        "which must be there; empty: not checked",
    )
    currencies: list[str] = Field(default_factory=list, description="Empty: every currency")
    action: Action
    severity: Severity
    meaning: str = Field(min_length=1, description="The program's legal effect, cited")


class ProgramSanctionsSettings(SanctionsSettings):
    """EU-SANCTIONS, UK-SANCTIONS, OFAC-NONSDN, OPENSANCTIONS: a list whose programs differ in
    legal effect. The strongest matching `program_actions` item decides action and severity;
    an entry no item covers gets the rule's own `action` and `severity`."""

    program_actions: list[ProgramAction] = Field(default_factory=list)


class IranSettings(ListRuleSettings):
    """IRAN-NEXUS: what "located in Iran" means, and how names of Iranian banks are compared."""

    jurisdictions: list[str] = Field(default_factory=lambda: ["IR"])
    address_keywords: list[str] = Field(default_factory=list)
    named_bank_threshold: float = Field(default=0.92, gt=0.0, le=1.0)


class EnergySettings(IranSettings):
    """IRAN-ENERGY: the waiver's lapse, actions either side of it, what an energy payment is."""

    waiver_lapse: date = date(2025, 3, 8)
    action_before_lapse: Action = Action.REVIEW
    severity_before_lapse: Severity = Severity.MEDIUM
    action_from_lapse: Action = Action.BLOCK
    severity_from_lapse: Severity = Severity.CRITICAL
    purpose_codes: list[str] = Field(default_factory=lambda: ["ELEC", "GASB"])
    beneficiary_fields: list[str] = Field(
        default_factory=lambda: ["creditor", "ultimate_creditor", "creditor_agent"]
    )
    energy_keywords: list[str] = Field(default_factory=list)


class VesselSettings(RuleSettings):
    """OIL-VESSEL: the lists whose vessel entries are searched."""

    lists: list[str] = Field(default_factory=lambda: ["ofac-sdn"])


class StructuringSettings(RuleSettings):
    """USD-STRUCTURING: payments just under the reporting threshold within a window."""

    threshold: Decimal = Decimal("10000")
    lower_ratio: Decimal = Decimal("0.9")
    upper_ratio: Decimal = Decimal("1.0")
    min_count: int = Field(default=3, ge=1)
    window_hours: float = Field(default=24.0, gt=0.0)


class FanoutSettings(RuleSettings):
    """USD-FANOUT: many beneficiaries, or a large sum, in transit jurisdictions within a window."""

    jurisdictions: list[str] = Field(default_factory=lambda: ["AE", "TR", "LB", "SY", "OM", "JO"])
    min_beneficiaries: int = Field(default=5, ge=1)
    max_usd_sum: Decimal = Decimal("250000")
    min_beneficiaries_for_sum: int = Field(default=2, ge=1)
    window_hours: float = Field(default=24.0, gt=0.0)


RULE_SETTINGS: dict[str, type[RuleSettings]] = {
    "CBI-USD-BAN": ListRuleSettings,
    "FINCEN-311": ListRuleSettings,
    "MILITIA-FRONT": ListRuleSettings,
    "OFAC-SDN": SanctionsSettings,
    "UN-SANCTIONS": SanctionsSettings,
    "EU-SANCTIONS": ProgramSanctionsSettings,
    "UK-SANCTIONS": ProgramSanctionsSettings,
    "OFAC-NONSDN": ProgramSanctionsSettings,
    "OPENSANCTIONS": ProgramSanctionsSettings,
    "IRAN-NEXUS": IranSettings,
    "IRAN-ENERGY": EnergySettings,
    "OIL-VESSEL": VesselSettings,
    "USD-STRUCTURING": StructuringSettings,
    "USD-FANOUT": FanoutSettings,
}
"""The settings model of each rule id; a rule id not named here gets the common settings only."""

S = TypeVar("S", bound=RuleSettings)


class RulePack(BaseModel):
    """A named, versioned set of rule settings. `digest` pins the exact bytes it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    version: str
    name_match_threshold: float = Field(default=0.85, gt=0.0, le=1.0)
    window_allowed_lateness_hours: float = Field(
        default=6.0,
        ge=0.0,
        description="How late (event time) a payment may arrive and still be windowed",
    )
    iran_places: list[str] = Field(
        default_factory=list,
        description="Place names shared by IRAN-NEXUS and IRAN-ENERGY through a YAML anchor",
    )
    rules: dict[str, SerializeAsAny[RuleSettings]]
    digest: str = ""

    @model_validator(mode="before")
    @classmethod
    def _typed_rules(cls, data: Any) -> Any:
        """Validate each rule's settings with its own model, so a typo names rule and key."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
            return data
        typed = {}
        for rule_id, raw in data["rules"].items():
            model = RULE_SETTINGS.get(rule_id, RuleSettings)
            if isinstance(raw, model):
                typed[rule_id] = raw
                continue
            given = raw.model_dump(by_alias=True) if isinstance(raw, RuleSettings) else raw
            try:
                typed[rule_id] = model.model_validate(given or {})
            except ValidationError as error:
                raise ValueError(_settings_errors(rule_id, error)) from None
        return {**data, "rules": typed}

    def settings(self, rule_id: str) -> RuleSettings | None:
        """The rule's settings when it is enabled in this pack, else None."""
        found = self.rules.get(rule_id)
        return found if found is not None and found.enabled else None

    def typed(self, rule_id: str, model: type[S]) -> S | None:
        """The rule's settings as `model` when it is enabled, else None.

        A pack built in code may hold a rule's settings as a more general model; they are
        validated as `model` then (the defaults fill what the pack leaves out).
        """
        found = self.settings(rule_id)
        if found is None or isinstance(found, model):
            return found
        return model.model_validate(found.model_dump(by_alias=True, exclude_unset=True))


def _settings_errors(rule_id: str, error: ValidationError) -> str:
    """`rules.OFAC-SDN.score_treshold: Extra inputs are not permitted`, one per problem."""
    return "; ".join(
        f"rules.{rule_id}.{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors()
    )


def parse_rule_pack(text: str) -> RulePack:
    """Validate a rule pack document; the digest is the SHA-256 of its text."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return RulePack.model_validate({**yaml.safe_load(text), "digest": digest})
