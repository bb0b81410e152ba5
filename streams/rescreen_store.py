"""The stored form of a screened payment, as delta re-screening reads it (docs/rescreen.md).

One JSON record per payment: the payment as screened, its original decision, and the alert keys
(rule|entry) already raised for it, live or retro. Re-screening reads it with orjson and hands
the payment's JSON to the probe (rules.rescreen.DeltaProbe) as a dict: only the few payments
that pass are validated into a Payment and screened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from rules.rescreen import DeltaScreen, alert_key
from schemas.common import Action
from schemas.decision import Decision, Finding
from schemas.payment import Payment


def encode_stored(
    payment_json: bytes, decision: Decision, alerted: Iterable[str] | None = None
) -> bytes:
    """The record for a payment just screened (`payment_json`: the payment's canonical JSON,
    already serialised for payments.valid or the decision, so it is not serialised twice)."""
    keys = (
        sorted(alerted)
        if alerted is not None
        else sorted(
            {alert_key(f.rule, f.entry_id) for f in decision.findings if f.action != Action.PASS}
        )
    )
    head = orjson.dumps(
        {
            "decision": decision.decision.value,
            "evaluated_at": decision.evaluated_at.isoformat(),
            "rule_pack_version": decision.rule_pack_version,
            "alerted": keys,
        }
    )
    return head[:-1] + b',"payment":' + payment_json + b"}"


@dataclass(frozen=True)
class StoredHit:
    """A stored payment the delta hits with findings not alerted before."""

    payment: Payment
    findings: list[Finding]
    record: dict[str, Any]
    """The stored record (decision, evaluated_at, rule_pack_version, alerted, payment)."""

    def updated(self) -> bytes:
        """The record again, with the new findings' keys added to `alerted`."""
        keys = set(self.record.get("alerted", ()))
        keys.update(alert_key(f.rule, f.entry_id) for f in self.findings)
        return orjson.dumps({**self.record, "alerted": sorted(keys)})


def rescreen_record(delta: DeltaScreen, value: bytes, at: datetime) -> StoredHit | None:
    """Re-screen one stored record against the delta; None when nothing new is found."""
    record = orjson.loads(value)
    doc = record.get("payment") if isinstance(record, dict) else None
    if not isinstance(doc, dict) or not delta.probe.payment_touches(doc):
        return None
    payment = Payment.model_validate(doc)
    findings = delta.findings(payment, at, frozenset(record.get("alerted", ())))
    return StoredHit(payment, findings, record) if findings else None
