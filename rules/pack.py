"""Rule packs: versioned YAML documents that hold every threshold the rules use."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Action, Severity


class RuleSettings(BaseModel):
    """Settings every rule has, plus rule-specific ones kept as extra fields."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    action: Action = Action.BLOCK
    severity: Severity = Severity.HIGH
    currencies: list[str] = Field(default_factory=list)


class RulePack(BaseModel):
    """A named, versioned set of rule settings. `digest` pins the exact bytes it came from."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    name_match_threshold: float = Field(default=0.85, gt=0.0, le=1.0)
    window_allowed_lateness_hours: float = Field(
        default=6.0,
        ge=0.0,
        description="How late (event time) a payment may arrive and still be windowed",
    )
    rules: dict[str, RuleSettings]
    digest: str = ""

    def settings(self, rule_id: str) -> RuleSettings | None:
        """The rule's settings when it is enabled in this pack, else None."""
        found = self.rules.get(rule_id)
        return found if found is not None and found.enabled else None


def parse_rule_pack(text: str) -> RulePack:
    """Validate a rule pack document; the digest is the SHA-256 of its text."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return RulePack.model_validate({**yaml.safe_load(text), "digest": digest})


def load_rule_pack(path: Path | None = None) -> RulePack:
    """The pack at `path`, or the built-in "iraq" pack."""
    if path is not None:
        return parse_rule_pack(path.read_text("utf-8"))
    return parse_rule_pack(resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8"))
