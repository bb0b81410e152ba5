"""Reading ground-truth labels for a backtest: the JSONL `dinarwatch generate --labels` writes.

One object per line: `payment_id`, `expected_rules` (the rules the payment should raise; [] for a
clean payment) and optionally `expected_decision` (pass, review, block; null for a record that
should be rejected, which also carries `malformed`). Other keys are ignored. A line that breaks
the contract stops the replay before it starts, naming the file and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from infra.errors import InputError
from offline.replay.backtest import Label
from offline.screen import READ_ERRORS, input_error, open_binary


@dataclass
class LabelFile:
    """The labels by payment id, and what the report says about the file."""

    path: Path
    labels: dict[str, Label] = field(default_factory=dict)
    sha256: str = ""
    malformed: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "sha256": self.sha256,
            "labels": len(self.labels),
            "malformed_records": self.malformed,
        }


def read_labels(path: Path) -> LabelFile:
    """Every label of `path` (.gz ok); InputError naming the line of the first bad one."""
    found = LabelFile(path)
    digest = hashlib.sha256()
    number = 0
    try:
        with open_binary(path) as handle:
            for number, line in enumerate(handle, start=1):
                digest.update(line)
                if not line.strip():
                    continue
                payment_id, label, malformed = _parse(line, path, number)
                known = found.labels.get(payment_id)
                if known is not None and known != label:
                    raise InputError(
                        f"{path}:{number}: payment {payment_id} is labelled twice, differently"
                    )
                found.labels[payment_id] = label
                found.malformed += malformed
    except READ_ERRORS as exc:
        raise input_error(str(path), exc, number) from None
    found.sha256 = digest.hexdigest()
    return found


def _parse(line: bytes, path: Path, number: int) -> tuple[str, Label, bool]:
    where = f"{path}:{number}"
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise InputError(
            f"{where}: not JSON: give the labels file of `generate --labels`"
        ) from None
    if not isinstance(doc, dict):
        raise InputError(f"{where}: a label is a JSON object")
    payment_id, rules = doc.get("payment_id"), doc.get("expected_rules")
    if not isinstance(payment_id, str) or not payment_id:
        raise InputError(f"{where}: the label has no payment_id")
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise InputError(f"{where}: expected_rules must be a list of rule ids")
    decision = doc.get("expected_decision")
    if decision is not None and decision not in ("pass", "review", "block"):
        raise InputError(f"{where}: expected_decision must be pass, review, block or null")
    return payment_id, Label(frozenset(rules), decision), bool(doc.get("malformed"))
