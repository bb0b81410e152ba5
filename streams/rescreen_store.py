"""The stored form of a screened payment, as delta re-screening reads it (docs/rescreen.md).

One JSON record per payment: the payment as screened, its original decision, and the alert keys
(rule|entry) already raised for it, live or retro. The record carries a header, PROBE_HEADER:
the strings the probe reads (rules.rescreen.probe_form), so that re-screening decides on them
without decoding the record; only the few payments that pass are decoded, validated into a
Payment and screened. A record without the header (written before it existed) is decoded and
its payment's JSON handed to the probe as a dict, with the same verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from rules.rescreen import DeltaScreen, PartyForms, alert_key, probe_form
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


PROBE_HEADER = "dw-probe"
"""The record header holding the payment's probe form (UTF-8)."""

Headers = list[tuple[str, bytes]]


def stored_headers(payment_json: bytes, parties_memo: PartyForms | None = None) -> Headers:
    """The headers of a stored record: the payment's probe form (none when a string of the
    payment cannot be written in it). Costs one decode of the payment on the live path; with
    the worker's `parties_memo`, parties and agents seen before are not walked again."""
    doc = orjson.loads(payment_json)
    form = probe_form(doc, parties_memo) if isinstance(doc, dict) else None
    return [] if form is None else [(PROBE_HEADER, form.encode())]


def probe_header(headers: Sequence[tuple[str, bytes]] | None) -> str | None:
    """The probe form a record's headers carry, if any."""
    for key, value in headers or ():
        if key == PROBE_HEADER and value is not None:
            return value.decode()
    return None


@dataclass(frozen=True)
class StoredHit:
    """A stored payment the delta hits with findings not alerted before."""

    payment: Payment
    findings: list[Finding]
    record: dict[str, Any]
    """The stored record (decision, evaluated_at, rule_pack_version, alerted, payment)."""
    headers: Headers
    """The record's probe header, written again with the update (recomputed for a record
    stored without one)."""

    def updated(self) -> bytes:
        """The record again, with the new findings' keys added to `alerted`."""
        keys = set(self.record.get("alerted", ()))
        keys.update(alert_key(f.rule, f.entry_id) for f in self.findings)
        return orjson.dumps({**self.record, "alerted": sorted(keys)})


def rescreen_record(
    delta: DeltaScreen,
    value: bytes,
    at: datetime,
    headers: Sequence[tuple[str, bytes]] | None = None,
) -> StoredHit | None:
    """Re-screen one stored record against the delta; None when nothing new is found. With
    the record's probe header, a payment the probe rejects is never decoded."""
    form = probe_header(headers)
    if form is not None and not delta.probe.form_touches(form):
        return None
    record = orjson.loads(value)
    doc = record.get("payment") if isinstance(record, dict) else None
    if not isinstance(doc, dict):
        return None
    if form is None and not delta.probe.payment_touches(doc):
        return None
    payment = Payment.model_validate(doc)
    findings = delta.findings(payment, at, frozenset(record.get("alerted", ())))
    if not findings:
        return None
    kept = [(PROBE_HEADER, form.encode())] if form is not None else None
    return StoredHit(payment, findings, record, kept or stored_headers(orjson.dumps(doc)))
