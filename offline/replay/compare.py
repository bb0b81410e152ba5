"""Compare a replay's alerts with alerts captured live: missing, extra and changed, with reasons.

Alerts are matched by alert_id, a hash of (payment or episode anchor, rule, rule pack version):
the same payment under the same pack has the same id live and in replay. `raised_at` is the
only field ignored (live stamps the wall clock, replay the event time). For every difference the
comparison says why, as far as the records show it: the rule pack version differs, a list version
differs, the payment was not in the replay input, or the findings differ (and how).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

IGNORED = ("raised_at",)


@dataclass(frozen=True)
class AlertDiff:
    """One difference: kind is missing (live only), extra (replay only) or changed."""

    kind: str
    alert_id: str
    rule: str
    payment_id: str
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "alert_id": self.alert_id,
            "rule": self.rule,
            "payment_id": self.payment_id,
            "reasons": list(self.reasons),
        }


@dataclass
class Comparison:
    """The outcome of a comparison; `differs` decides the command's exit code."""

    live: int
    replay: int
    live_duplicates: int
    identical: int
    diffs: list[AlertDiff] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.diffs)

    def count(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.diffs)

    def as_json(self) -> dict[str, Any]:
        return {
            "live_alerts": self.live,
            "replay_alerts": self.replay,
            "live_duplicate_records": self.live_duplicates,
            "identical": self.identical,
            "missing": self.count("missing"),
            "extra": self.count("extra"),
            "changed": self.count("changed"),
            "differences": [d.as_json() for d in self.diffs],
        }


def read_alerts(path: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """Alerts by id from a JSONL file, and how many records repeated an id already seen.

    Accepts alert documents one per line, or topic dumps whose lines hold the alert under
    "value" (as an object or a JSON string). A live topic may carry an alert twice after a
    redelivery; the first record of an id is kept.
    """
    alerts: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for doc in _documents(path):
        if doc["alert_id"] in alerts:
            duplicates += 1
            continue
        alerts[doc["alert_id"]] = doc
    return alerts, duplicates


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
                if isinstance(doc, dict) and "alert_id" not in doc and "value" in doc:
                    value = doc["value"]
                    doc = orjson.loads(value) if isinstance(value, str | bytes) else value
            except orjson.JSONDecodeError:
                raise ValueError(f"{path}:{number}: not JSON") from None
            if not isinstance(doc, dict) or "alert_id" not in doc:
                raise ValueError(f"{path}:{number}: not an alert record")
            yield doc


def read_payment_ids(decisions: Path) -> set[str]:
    """The payments a replay decided (from its decisions.jsonl)."""
    with decisions.open("rb") as handle:
        return {orjson.loads(line)["payment_id"] for line in handle if line.strip()}


def compare_alerts(
    live_path: Path,
    replay_path: Path,
    replay_lists: dict[str, str],
    replay_payments: set[str] | None = None,
) -> Comparison:
    """Diff live alerts against a replay's alerts.jsonl; `replay_lists` are its list versions."""
    live, duplicates = read_alerts(live_path)
    replay, _ = read_alerts(replay_path)
    context = _Context(live, replay, replay_lists, replay_payments)
    diffs = [d for alert_id in sorted(live.keys() | replay.keys()) if (d := context.diff(alert_id))]
    identical = len(live.keys() & replay.keys()) - sum(d.kind == "changed" for d in diffs)
    return Comparison(len(live), len(replay), duplicates, identical, diffs)


@dataclass
class _Context:
    live: dict[str, dict[str, Any]]
    replay: dict[str, dict[str, Any]]
    replay_lists: dict[str, str]
    replay_payments: set[str] | None

    def __post_init__(self) -> None:
        self.live_by_subject = _by_subject(self.live.values())
        self.replay_packs = {a["rule_pack_version"] for a in self.replay.values()}

    def diff(self, alert_id: str) -> AlertDiff | None:
        live, replay = self.live.get(alert_id), self.replay.get(alert_id)
        if live is not None and replay is not None:
            reasons = changed_reasons(live, replay)
            return _make("changed", replay, reasons) if reasons else None
        if live is not None:
            return _make("missing", live, self._missing_reasons(live))
        assert replay is not None
        return _make("extra", replay, self._extra_reasons(replay))

    def _missing_reasons(self, live: dict[str, Any]) -> list[str]:
        reasons = []
        if self.replay_packs and live["rule_pack_version"] not in self.replay_packs:
            replay = ", ".join(sorted(self.replay_packs))
            reasons.append(
                f"rule pack version differs (live {live['rule_pack_version']}, replay {replay})"
            )
        reasons += _list_reasons(live["findings"], self.replay_lists, "live", "replay")
        payment = live["payment"]["payment_id"]
        if self.replay_payments is not None and payment not in self.replay_payments:
            reasons.append(f"payment {payment} is not in the replay input")
        elif not reasons:
            reasons.append(f"findings differ: the replay raised no {live['rule']} alert here")
        return reasons

    def _extra_reasons(self, replay: dict[str, Any]) -> list[str]:
        reasons = []
        others = self.live_by_subject.get(_subject(replay), [])
        packs = sorted({a["rule_pack_version"] for a in others} - {replay["rule_pack_version"]})
        if packs:
            reasons.append(
                f"rule pack version differs (live {', '.join(packs)}, "
                f"replay {replay['rule_pack_version']})"
            )
        live_lists = _finding_lists(a["findings"] for a in self.live.values())
        reasons += _list_reasons(replay["findings"], live_lists, "replay", "live")
        if not reasons:
            reasons.append(f"findings differ: live raised no {replay['rule']} alert here")
        return reasons


def changed_reasons(live: dict[str, Any], replay: dict[str, Any]) -> list[str]:
    """Why two alerts with the same id differ (empty when they are the same but for raised_at)."""
    a, b = _strip(live), _strip(replay)
    if a == b:
        return []
    reasons: list[str] = []
    if a["rule_pack_version"] != b["rule_pack_version"]:
        reasons.append(
            f"rule pack version differs (live {a['rule_pack_version']}, "
            f"replay {b['rule_pack_version']})"
        )
    reasons += _list_reasons(a["findings"], _finding_lists([b["findings"]]), "live", "replay")
    reasons += _finding_reasons(a["findings"], b["findings"])
    for key in ("action", "severity"):
        if a[key] != b[key]:
            reasons.append(f"{key} differs (live {a[key]}, replay {b[key]})")
    if a["payment"] != b["payment"]:
        fields = sorted(
            k
            for k in a["payment"].keys() | b["payment"].keys()
            if a["payment"].get(k) != b["payment"].get(k)
        )
        reasons.append(f"payment summary differs ({', '.join(fields)})")
    return reasons or ["records differ"]


def _finding_reasons(live: list[dict[str, Any]], replay: list[dict[str, Any]]) -> list[str]:
    def keyed(findings: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(f["rule"], f["field"], f.get("entry_id") or ""): f for f in findings}

    a, b = keyed(live), keyed(replay)
    reasons = []
    for key in sorted(a.keys() - b.keys()):
        reasons.append(f"findings differ: live only {'/'.join(k for k in key if k)}")
    for key in sorted(b.keys() - a.keys()):
        reasons.append(f"findings differ: replay only {'/'.join(k for k in key if k)}")
    for key in sorted(a.keys() & b.keys()):
        ignore = {"list_version", "explanation"}
        fields = sorted(
            k
            for k in a[key].keys() | b[key].keys()
            if k not in ignore and a[key].get(k) != b[key].get(k)
        )
        if fields:
            reasons.append(
                f"findings differ: {'/'.join(k for k in key if k)} ({', '.join(fields)})"
            )
    return reasons


def _list_reasons(
    findings: list[dict[str, Any]], other: dict[str, str], mine: str, theirs: str
) -> list[str]:
    reasons = []
    for name, version in sorted(_finding_lists([findings]).items()):
        if name in other and other[name] != version:
            reasons.append(
                f"list version differs: {name} ({mine} {version}, {theirs} {other[name]})"
            )
    return reasons


def _finding_lists(groups: Iterable[list[dict[str, Any]]]) -> dict[str, str]:
    return {
        f["list"]: f["list_version"]
        for findings in groups
        for f in findings
        if f.get("list") and f.get("list_version")
    }


def _by_subject(alerts: Iterable[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alert in alerts:
        found.setdefault(_subject(alert), []).append(alert)
    return found


def _subject(alert: dict[str, Any]) -> tuple[str, str]:
    return (alert["payment"]["payment_id"], alert["rule"])


def _strip(alert: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in alert.items() if k not in IGNORED}


def _make(kind: str, alert: dict[str, Any], reasons: list[str]) -> AlertDiff:
    return AlertDiff(
        kind, alert["alert_id"], alert["rule"], alert["payment"]["payment_id"], tuple(reasons)
    )
