"""What each channel receives, as pure functions of a group of alerts (no I/O, unit-tested).

A group is the alerts of one (rule, action, severity) that arrived within one grouping window:
a burst of one rule becomes one message with a count. A channel that limits how much one
message may hold (a chat webhook) gets the group split into parts (`split_group`: "part 2 of
3"), each part itemising every alert it carries; no alert is ever left as a bare id. Every
payload names every alert id it carries, so a receiver (and the tests) can tell exactly which
alerts were delivered.

Every alert, in every channel, shows: rule, severity, payment id, amount, masked accounts, the
matched list entry (list, entry id and name, list version) and a link (`Links`): the desk's
case page when DINARWATCH_NOTIFY_DESK_URL is set, else the `dinarwatch replay` command that
screens the payment again.

Alerts arrive with accounts masked (screening.alerts); every renderer masks the names, accounts and
matched values it prints once more (belt and braces: an alert written by an older worker, or
parked on alerts.retry before masking existed, must not put a full IBAN in a chat channel).
Only those free-text fields are masked: amounts, ids and dates are printed as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from infra import topics as names
from schemas.alert import Alert
from schemas.masking import mask_account, mask_text

ALERTNAME = "DinarwatchScreeningAlert"
_COLORS = {"critical": "B00020", "high": "E65100", "medium": "F9A825", "low": "607D8B"}
SLACK_MAX_ALERTS = 45
"""Block Kit allows 50 blocks: a header, one section per alert and the ids' context block."""


@dataclass(frozen=True)
class AlertGroup:
    """Alerts of one rule, action and severity, in arrival order; `part` of `parts` when a
    channel's message limit split the group."""

    rule: str
    action: str
    severity: str
    alerts: tuple[Alert, ...]
    part: int = 1
    parts: int = 1

    @property
    def count(self) -> int:
        return len(self.alerts)

    @property
    def title(self) -> str:
        noun = "alert" if self.count == 1 else "alerts"
        part = f", part {self.part} of {self.parts}" if self.parts > 1 else ""
        return f"{self.count} {self.rule} {noun} ({self.action}, {self.severity}{part})"

    @property
    def alert_ids(self) -> list[str]:
        return [a.alert_id for a in self.alerts]


def group_alerts(alerts: list[Alert]) -> list[AlertGroup]:
    """Group by (rule, action, severity), keeping first-seen order of groups and alerts."""
    groups: dict[tuple[str, str, str], list[Alert]] = defaultdict(list)
    for alert in alerts:
        groups[(alert.rule, alert.action.value, alert.severity.value)].append(alert)
    return [AlertGroup(r, a, s, tuple(items)) for (r, a, s), items in groups.items()]


def split_group(group: AlertGroup, size: int | None) -> list[AlertGroup]:
    """The group in parts of at most `size` alerts (None: one part), numbered in order."""
    if size is None or group.count <= size:
        return [group]
    chunks = [group.alerts[i : i + size] for i in range(0, group.count, size)]
    return [
        replace(group, alerts=chunk, part=n, parts=len(chunks))
        for n, chunk in enumerate(chunks, start=1)
    ]


@dataclass(frozen=True)
class Links:
    """Where a person goes from an alert. `desk_url` is a template with `{alert_id}` and/or
    `{payment_id}` (without either, the alert id is appended as a path segment)."""

    desk_url: str | None = None
    raw_topic: str = names.RAW

    def link(self, alert: Alert) -> str:
        if self.desk_url:
            if "{alert_id}" not in self.desk_url and "{payment_id}" not in self.desk_url:
                return f"{self.desk_url.rstrip('/')}/{alert.alert_id}"
            return self.desk_url.replace("{alert_id}", alert.alert_id).replace(
                "{payment_id}", alert.payment.payment_id
            )
        return self.replay_command(alert)

    def replay_command(self, alert: Alert) -> str:
        """`dinarwatch replay` over the raw topic around the payment (record timestamps fall
        between the payment's creation and the alert), writing a report for this alert."""
        start = min(alert.payment.created_at, alert.raised_at) - timedelta(minutes=10)
        end = alert.raised_at + timedelta(minutes=1)
        fmt = "%Y-%m-%dT%H:%M:%S"
        return (
            f"dinarwatch replay --topic {self.raw_topic} --from {start.strftime(fmt)} "
            f"--to {end.strftime(fmt)} --report replay-{alert.alert_id[:12]}/"
            f"  # payment {alert.payment.payment_id}"
        )


NO_LINKS = Links()


def bank_of(alert: Alert) -> str:
    """The bank the alert is about, as a bounded label: the debtor agent's BIC8, else the listed
    bank a finding on an agent names (a bank without a BIC matched by name), else unknown."""
    if alert.payment.debtor_agent_bic:
        return alert.payment.debtor_agent_bic[:8]
    agents = [f for f in alert.findings if "agent" in f.field]
    agents.sort(key=lambda f: f.field != "debtor_agent")
    for finding in agents:
        if finding.entry_name:
            return finding.entry_name
    return "unknown"


def list_entries(alert: Alert) -> str:
    """The list entries the alert matched: `list:entry_id "name" @version`, or what the rule
    matched on when it is a pattern with no list entry."""
    seen: list[str] = []
    for f in alert.findings:
        if f.entry_id or f.list_name:
            name = f' "{f.entry_name}"' if f.entry_name else ""
            text = f"{f.list_name or '-'}:{f.entry_id or '-'}{name} @{f.list_version or '-'}"
        else:
            text = f"no list entry ({f.match_method or 'pattern'} on {f.field})"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def accounts(alert: Alert) -> tuple[str, str]:
    p = alert.payment
    return mask_account(p.debtor_account) or "-", mask_account(p.creditor_account) or "-"


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


def details(alert: Alert, links: Links) -> list[tuple[str, str]]:
    """The facts every channel shows for one alert, in order."""
    debtor, creditor = accounts(alert)
    p = alert.payment
    return [
        ("rule", alert.rule),
        ("severity", alert.severity.value),
        ("payment id", p.payment_id),
        ("amount", f"{p.amount} {p.currency}"),
        ("debtor account", debtor),
        ("creditor account", creditor),
        ("list entry", list_entries(alert)),
        ("alert id", alert.alert_id),
        ("link", links.link(alert)),
    ]


def details_text(alert: Alert, links: Links, indent: str = "") -> str:
    return "\n".join(f"{indent}{name}: {value}" for name, value in details(alert, links))


def alert_doc(alert: Alert, links: Links = NO_LINKS) -> dict[str, Any]:
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
        "bank": bank_of(alert),
        "debtor": mask_text(p.debtor_name),
        "debtor_account": mask_account(p.debtor_account),
        "debtor_agent_bic": p.debtor_agent_bic,
        "creditor": mask_text(p.creditor_name),
        "creditor_account": mask_account(p.creditor_account),
        "creditor_agent_bic": p.creditor_agent_bic,
        "list_entry": list_entries(alert),
        "raised_at": alert.raised_at.isoformat(),
        "rule_pack_version": alert.rule_pack_version,
        "evidence": evidence(alert),
        "link": links.link(alert),
    }


def alertmanager_alerts(
    group: AlertGroup, generator_url: str | None, links: Links = NO_LINKS
) -> list[dict[str, Any]]:
    """Alertmanager v2 `postableAlerts`. `alert_id` is a label too: Alertmanager identifies
    an alert by its label set, and two payments with equal (rule, bank, currency) must stay
    two alerts; it is also what the critical route groups by (one notification per alert).
    `payment_id` is a label so that a route or silence can select one payment."""
    out = []
    for alert in group.alerts:
        debtor, creditor = accounts(alert)
        doc: dict[str, Any] = {
            "labels": {
                "alertname": ALERTNAME,
                "rule": alert.rule,
                "severity": alert.severity.value,
                "action": alert.action.value,
                "bank": bank_of(alert),
                "currency": alert.payment.currency,
                "payment_id": alert.payment.payment_id,
                "alert_id": alert.alert_id,
            },
            "annotations": {
                "summary": summary(alert),
                "amount": f"{alert.payment.amount} {alert.payment.currency}",
                "debtor_account": debtor,
                "creditor_account": creditor,
                "list_entry": list_entries(alert),
                "evidence": evidence(alert),
                "payment_id": alert.payment.payment_id,
                "link": links.link(alert),
            },
            "startsAt": alert.raised_at.isoformat(),
        }
        if generator_url:
            doc["generatorURL"] = generator_url
        elif links.desk_url:
            doc["generatorURL"] = links.link(alert)
        out.append(doc)
    return out


def generic_payload(group: AlertGroup, links: Links = NO_LINKS) -> dict[str, Any]:
    """Every alert of the (part of the) group in full; `part`/`parts` and `group_count` say
    how the group was split."""
    return {
        "source": "dinarwatch",
        "title": group.title,
        "rule": group.rule,
        "action": group.action,
        "severity": group.severity,
        "count": group.count,
        "part": group.part,
        "parts": group.parts,
        "alert_ids": group.alert_ids,
        "alerts": [alert_doc(a, links) for a in group.alerts],
    }


def slack_payload(group: AlertGroup, links: Links = NO_LINKS) -> dict[str, Any]:
    """Slack Block Kit; `text` is the notification fallback. Ids go in a context block. The
    notifier splits groups to SLACK_MAX_ALERTS, so every alert gets its section."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"dinarwatch: {group.title}"}},
    ]
    for alert in group.alerts:
        text = _slack_line(alert, links)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    ids = ", ".join(group.alert_ids)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"ids: {ids}"}]})
    return {"text": f"dinarwatch: {group.title}", "blocks": blocks}


def _slack_line(alert: Alert, links: Links) -> str:
    # A section's text is at most 3000 characters; the evidence is what gets cut.
    head = f"*{summary(alert)}*\n{details_text(alert, links)}"
    return f"{head}\n```{evidence(alert)[: max(0, 2900 - len(head))]}```"


def teams_message_card(group: AlertGroup, links: Links = NO_LINKS) -> dict[str, Any]:
    """Microsoft Teams connector MessageCard."""
    sections = [
        {
            "activityTitle": summary(a),
            "facts": [{"name": name, "value": value} for name, value in details(a, links)]
            + [{"name": "evidence", "value": evidence(a)}],
        }
        for a in group.alerts
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


def teams_adaptive_card(group: AlertGroup, links: Links = NO_LINKS) -> dict[str, Any]:
    """An Adaptive Card wrapped as Teams workflows / incoming webhooks expect it."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "text": group.title},
    ]
    for alert in group.alerts:
        body.append({"type": "TextBlock", "wrap": True, "text": summary(alert)})
        facts = [{"title": name, "value": value} for name, value in details(alert, links)]
        body.append({"type": "FactSet", "facts": facts})
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


def email_message(
    group: AlertGroup, sender: str, recipients: list[str], links: Links = NO_LINKS
) -> EmailMessage:
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
            f"- {summary(alert)}\n{details_text(alert, links, '  ')}\n"
            + "".join(f"  {line}\n" for line in evidence(alert).splitlines())
        )
    msg.set_content("\n".join(parts))
    return msg
