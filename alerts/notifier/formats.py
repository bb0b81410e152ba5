"""What each channel receives, as pure functions of a group of alerts (no I/O, unit-tested).

A group is the alerts of one (rule, action, severity) that arrived within one grouping window:
a burst of one rule becomes one message with a count, itemising at most `max_listed` alerts.
Every payload names every alert id it carries, so a receiver (and the tests) can tell exactly
which alerts were delivered.

Alerts arrive with accounts masked (alerts.record); every renderer masks the names, accounts and
matched values it prints once more (belt and braces: an alert written by an older worker, or
parked on alerts.retry before masking existed, must not put a full IBAN in a chat channel).
Only those free-text fields are masked: amounts, ids and dates are printed as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from schemas.alert import Alert
from schemas.masking import mask_account, mask_text

ALERTNAME = "DinarwatchScreeningAlert"
_COLORS = {"critical": "B00020", "high": "E65100", "medium": "F9A825", "low": "607D8B"}


@dataclass(frozen=True)
class AlertGroup:
    """Alerts of one rule, action and severity, in arrival order."""

    rule: str
    action: str
    severity: str
    alerts: tuple[Alert, ...]

    @property
    def count(self) -> int:
        return len(self.alerts)

    @property
    def title(self) -> str:
        noun = "alert" if self.count == 1 else "alerts"
        return f"{self.count} {self.rule} {noun} ({self.action}, {self.severity})"

    @property
    def alert_ids(self) -> list[str]:
        return [a.alert_id for a in self.alerts]


def group_alerts(alerts: list[Alert]) -> list[AlertGroup]:
    """Group by (rule, action, severity), keeping first-seen order of groups and alerts."""
    groups: dict[tuple[str, str, str], list[Alert]] = defaultdict(list)
    for alert in alerts:
        groups[(alert.rule, alert.action.value, alert.severity.value)].append(alert)
    return [AlertGroup(r, a, s, tuple(items)) for (r, a, s), items in groups.items()]


def bank_of(alert: Alert) -> str:
    """The debtor agent's BIC8: a bounded label (the bank that sent the payment)."""
    return (alert.payment.debtor_agent_bic or "unknown")[:8]


def evidence(alert: Alert) -> str:
    """One line per finding: where it matched, which list entry, how strongly, on what basis."""
    lines = []
    for f in alert.findings:
        entry = f"{f.list_name or '-'}:{f.entry_id or '-'}@{f.list_version or '-'}"
        source = f"; source: {f.legal_source}" if f.legal_source else ""
        matched = mask_text(f.matched)
        lines.append(f"{f.field}='{matched}' matched {entry} score {f.score:.2f}{source}")
    return "\n".join(lines)


def summary(alert: Alert) -> str:
    p = alert.payment
    return (
        f"{alert.rule} {alert.action.value}: {p.amount} {p.currency} "
        f"{mask_text(p.debtor_name)} ({bank_of(alert)}) -> {mask_text(p.creditor_name)} "
        f"({p.creditor_agent_bic or '?'}), value date {p.value_date}"
    )


def alert_doc(alert: Alert) -> dict[str, Any]:
    """The JSON an alert contributes to a generic webhook message (accounts masked)."""
    p = alert.payment
    return {
        "alert_id": alert.alert_id,
        "payment_id": p.payment_id,
        "rule": alert.rule,
        "action": alert.action.value,
        "severity": alert.severity.value,
        "amount": str(p.amount),
        "currency": p.currency,
        "value_date": p.value_date.isoformat(),
        "debtor": mask_text(p.debtor_name),
        "debtor_account": mask_account(p.debtor_account),
        "debtor_agent_bic": p.debtor_agent_bic,
        "creditor": mask_text(p.creditor_name),
        "creditor_account": mask_account(p.creditor_account),
        "creditor_agent_bic": p.creditor_agent_bic,
        "raised_at": alert.raised_at.isoformat(),
        "rule_pack_version": alert.rule_pack_version,
        "evidence": evidence(alert),
    }


def alertmanager_alerts(group: AlertGroup, generator_url: str | None) -> list[dict[str, Any]]:
    """Alertmanager v2 `postableAlerts`. `alert_id` is a label too: Alertmanager identifies
    an alert by its label set, and two payments with equal (rule, bank, currency) must stay
    two alerts. Grouping, silencing and routing happen in Alertmanager (group_by rule etc.)."""
    out = []
    for alert in group.alerts:
        doc: dict[str, Any] = {
            "labels": {
                "alertname": ALERTNAME,
                "rule": alert.rule,
                "severity": alert.severity.value,
                "action": alert.action.value,
                "bank": bank_of(alert),
                "currency": alert.payment.currency,
                "alert_id": alert.alert_id,
            },
            "annotations": {
                "summary": summary(alert),
                "evidence": evidence(alert),
                "payment_id": alert.payment.payment_id,
            },
            "startsAt": alert.raised_at.isoformat(),
        }
        if generator_url:
            doc["generatorURL"] = generator_url
        out.append(doc)
    return out


def generic_payload(group: AlertGroup, max_listed: int) -> dict[str, Any]:
    listed = group.alerts[:max_listed]
    return {
        "source": "dinarwatch",
        "title": group.title,
        "rule": group.rule,
        "action": group.action,
        "severity": group.severity,
        "count": group.count,
        "alert_ids": group.alert_ids,
        "alerts": [alert_doc(a) for a in listed],
        "truncated": group.count - len(listed),
    }


def slack_payload(group: AlertGroup, max_listed: int) -> dict[str, Any]:
    """Slack Block Kit; `text` is the notification fallback. Ids go in a context block."""
    listed = group.alerts[:max_listed]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"dinarwatch: {group.title}"}},
    ]
    for alert in listed:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_line(alert)}})
    if group.count > len(listed):
        more = f"…and {group.count - len(listed)} more"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more}})
    ids = ", ".join(group.alert_ids)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"ids: {ids}"}]})
    return {"text": f"dinarwatch: {group.title}", "blocks": blocks[:50]}


def _slack_line(alert: Alert) -> str:
    return f"*{summary(alert)}*\n```{evidence(alert)[:2500]}```"


def teams_message_card(group: AlertGroup, max_listed: int) -> dict[str, Any]:
    """Microsoft Teams connector MessageCard."""
    listed = group.alerts[:max_listed]
    sections = [
        {
            "activityTitle": summary(a),
            "facts": [
                {"name": "alert id", "value": a.alert_id},
                {"name": "payment id", "value": a.payment.payment_id},
                {"name": "evidence", "value": evidence(a)},
            ],
        }
        for a in listed
    ]
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": f"dinarwatch: {group.title}",
        "themeColor": _COLORS.get(group.severity, "607D8B"),
        "title": f"dinarwatch: {group.title}",
        "text": f"alert ids: {', '.join(group.alert_ids)}",
        "sections": sections,
    }


def teams_adaptive_card(group: AlertGroup, max_listed: int) -> dict[str, Any]:
    """An Adaptive Card wrapped as Teams workflows / incoming webhooks expect it."""
    listed = group.alerts[:max_listed]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "text": group.title},
    ]
    for alert in listed:
        body.append({"type": "TextBlock", "wrap": True, "text": summary(alert)})
        body.append({"type": "TextBlock", "wrap": True, "isSubtle": True, "text": evidence(alert)})
    body.append({"type": "TextBlock", "wrap": True, "text": f"ids: {', '.join(group.alert_ids)}"})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


WEBHOOK_FORMATS = {
    "generic": generic_payload,
    "slack": slack_payload,
    "teams": teams_message_card,
    "teams-adaptive": teams_adaptive_card,
}


def email_message(group: AlertGroup, sender: str, recipients: list[str]) -> EmailMessage:
    """A plain-text e-mail; the X-Dinarwatch-Alert-Ids header lists every id it carries."""
    msg = EmailMessage()
    msg["Subject"] = f"[dinarwatch] {group.title}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["X-Dinarwatch-Rule"] = group.rule
    msg["X-Dinarwatch-Alert-Ids"] = " ".join(group.alert_ids)
    parts = [f"{group.title}\n"]
    for alert in group.alerts:
        parts.append(
            f"- {summary(alert)}\n  alert id: {alert.alert_id}\n"
            f"  payment id: {alert.payment.payment_id}\n"
            f"  debtor account: {mask_account(alert.payment.debtor_account) or '-'}; "
            f"creditor account: {mask_account(alert.payment.creditor_account) or '-'}\n"
            + "".join(f"  {line}\n" for line in evidence(alert).splitlines())
        )
    msg.set_content("\n".join(parts))
    return msg
