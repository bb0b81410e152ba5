"""Retro alerts: what re-screening a stored payment against a list delta raises.

A retro alert is an ordinary Alert (one per payment and rule, findings masked the same way, so
the notifier and the desk handle it like any other) with `retro` set: the list version whose
delta found it, the earliest listing date of the entries found, and the payment's original
decision. Its id hashes the payment, the rule and the entries found, so it never equals the
live alert id of that payment and rule, and re-raising the same finding (a retry) gives the
same id for downstream dedupe.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from itertools import groupby

from schemas.alert import Alert, RetroOrigin
from schemas.common import Action
from schemas.decision import Finding, strongest
from schemas.masking import account_tokens
from schemas.payment import Payment
from screening.alerts import mask_finding, summarize

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def retro_alert_id(payment_id: str, rule: str, entry_ids: list[str]) -> str:
    """Deterministic and distinct from the live alert id (screening.alerts.alert_id)."""
    text = "\x1f".join(["retro", payment_id, rule, *sorted(entry_ids)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def retro_alerts(
    payment: Payment,
    findings: list[Finding],
    *,
    list_version: str,
    original_decision: Action,
    original_evaluated_at: datetime,
    original_rule_pack_version: str,
    rule_pack: str,
    rule_pack_version: str,
    raised_at: datetime,
) -> list[Alert]:
    """One alert per rule among `findings` (the delta's new findings on `payment`)."""
    summary = summarize(payment)
    keep = frozenset(account_tokens(payment.payment_id))  # a reference, not an account
    alerts = []
    for rule, group in groupby(sorted(findings, key=_order), key=lambda f: f.rule):
        found = list(group)
        listed = [f.listed_from for f in found if f.listed_from is not None]
        alerts.append(
            Alert(
                alert_id=retro_alert_id(
                    payment.payment_id, rule, [f.entry_id or "" for f in found]
                ),
                rule=rule,
                action=strongest(found),
                severity=max(found, key=lambda f: _SEVERITY_RANK[f.severity]).severity,
                findings=[mask_finding(f, keep) for f in found],
                payment=summary,
                rule_pack=rule_pack,
                rule_pack_version=rule_pack_version,
                raised_at=raised_at,
                retro=RetroOrigin(
                    list_name=found[0].list_name or "",
                    list_version=list_version,
                    listed_from=min(listed) if listed else None,
                    original_decision=original_decision,
                    original_evaluated_at=original_evaluated_at,
                    original_rule_pack_version=original_rule_pack_version,
                ),
            )
        )
    return alerts


def _order(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule, finding.field, finding.entry_id or "")
