"""CBI-USD-BAN: a USD payment touches a bank the Central Bank of Iraq barred from USD business.

Checks every agent in the chain and every party (a bank can be a party in a pacs.009 / MT202),
by BIC (8 or 11 characters, compared on the first 8) and by name, as of the payment's value
date. Currency-scoped: the same bank's IQD or EUR business passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.context import ListIndex, ScreeningContext, in_force, mark_retro
from rules.lists.cbi import CBI_LIST
from rules.matching import matcher_evidence
from rules.pack import RuleSettings
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

RULE_ID = "CBI-USD-BAN"


def check_cbi_usd_ban(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every barred bank in the payment, at most one per (field, entry)."""
    settings = ctx.pack.settings(RULE_ID)
    index = ctx.index(CBI_LIST)
    if settings is None or index is None:
        return []
    if settings.currencies and payment.currency not in settings.currencies:
        return []
    findings: dict[tuple[str, str], Finding] = {}
    for finding in _matches(payment, ctx, index, settings):
        key = (finding.field, finding.entry_id or "")
        if key not in findings or findings[key].score < finding.score:
            findings[key] = finding
    return [mark_retro(finding, payment) for finding in findings.values()]


def _matches(
    payment: Payment, ctx: ScreeningContext, index: ListIndex, settings: RuleSettings
) -> Iterator[Finding]:
    subjects = [(f, a.bic, a.name) for f, a in payment.agent_chain()]
    subjects += [(f, p.bic, p.name) for f, p in payment.parties()]
    for field, bic, name in subjects:
        if bic:
            for entry in index.by_bic8.get(bic[:8], ()):
                if in_force(entry, ctx, payment):
                    yield from _finding(
                        payment, index, settings, entry, field, bic, "bic", 1.0, bic
                    )
        if name:
            for hit in index.names.search(name, ctx.pack.name_match_threshold):
                if in_force(hit.entry, ctx, payment):
                    yield from _finding(
                        payment,
                        index,
                        settings,
                        hit.entry,
                        field,
                        name,
                        "name",
                        hit.score,
                        hit.alias,
                    )


def _finding(
    payment: Payment,
    index: ListIndex,
    settings: RuleSettings,
    entry: ListEntry,
    field: str,
    matched: str,
    method: str,
    score: float,
    listed_as: str,
) -> Iterator[Finding]:
    if not entry.covers_currency(payment.currency):
        return
    how = (
        f"BIC {matched} is listed" if method == "bic" else f'name "{matched}" matches "{listed_as}"'
    )
    yield Finding(
        rule=RULE_ID,
        action=settings.action,
        severity=settings.severity,
        field=field,
        matched=matched,
        entry_id=entry.entry_id,
        entry_name=entry.primary_name,
        list_name=index.reference.name,
        list_version=index.reference.version,
        legal_source=entry.legal_source,
        listed_from=entry.listed_from,
        score=score,
        match_method=method,
        explanation=(
            f"{field}: {how} (score {score:.2f}) for {entry.primary_name}, barred by the CBI from "
            f"{', '.join(entry.currency_scope) or 'all'} business since "
            f"{entry.listed_from or 'before records'}; payment is {payment.currency} "
            f"value-dated {payment.value_date}."
        ),
        evidence={
            "listed_as": listed_as,
            "date_confidence": entry.date_confidence or "",
            **matcher_evidence(method),
        },
    )
