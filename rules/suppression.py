"""Good-guy exceptions applied to findings: which finding an approved exception covers.

An exception (granted on the desk, docs/desk.md) says "this party is not this list entry, for
this rule, until this date". A finding it covers is *suppressed*: kept in the decision with the
exception's id (so the audit trail shows what was not alerted and why), but it raises no alert
and does not drive the decision.

A finding is covered only when every one of these holds:
  - the exception's rule and list entry id are the finding's;
  - the finding is not an identifier hit (BIC, IBAN, IBAN bank code, clearing id, IMO number):
    an identifier names the listed thing itself, so no statement about a party can clear it;
  - the exception has not expired at the screening time (`evaluated_at`, passed in);
  - the list entry is unchanged since the grant: the exception carries the content hash of
    the entry as the approver saw it, and the entry in the lists screened now must hash the
    same (a new alias, a new address or a changed programme voids the exception);
  - the exception's party fingerprint is the screened party's: normalised name plus its
    account (compared masked) or BIC (compared by its first 8 characters).

Pure: the exceptions, the lists and the time are all passed in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from rules.lists.base import ListSet
from schemas.decision import Finding, SuppressedFinding
from schemas.listentry import ListEntry
from schemas.masking import mask_account
from schemas.payment import Payment

IDENTIFIER_HITS = frozenset(
    {
        "bic",
        "text-bic",
        "iban",
        "text-iban",
        "iban-bank-code",
        "clearing-id",
        "imo",
        "imo-unlabelled",
    }
)
"""Match methods that name the listed thing by an identifier: never covered by an exception."""

_IDENTIFIER_WORDS = ("bic", "iban", "imo", "clearing")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_NOT_WORD = re.compile(r"[\W_]+")
_STARS = re.compile(r"\*+")


@dataclass(frozen=True)
class ActiveException:
    """One approved exception as the workers hold it (from the compacted `exceptions` topic)."""

    exception_id: str
    rule: str
    entry_id: str
    party_fingerprint: str
    expires_at: datetime
    entry_hash: str | None
    """Content hash of the list entry when the exception was granted (`entry_content_hash`);
    None covers nothing: the entry cannot be shown unchanged."""


@dataclass(frozen=True)
class ExceptionSet:
    """The active exceptions, looked up by (rule, entry id)."""

    by_key: Mapping[tuple[str, str], tuple[ActiveException, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, exceptions: Iterable[ActiveException]) -> ExceptionSet:
        grouped: dict[tuple[str, str], list[ActiveException]] = {}
        for item in sorted(exceptions, key=lambda e: e.exception_id):
            grouped.setdefault((item.rule, item.entry_id), []).append(item)
        return cls({key: tuple(items) for key, items in grouped.items()})

    def __len__(self) -> int:
        return sum(len(items) for items in self.by_key.values())

    def __bool__(self) -> bool:
        return bool(self.by_key)


def entry_content_hash(entry: ListEntry) -> str:
    """SHA-256 of the entry's canonical JSON (without `raw`, the source record as published):
    any change to what screening reads of the entry changes it."""
    content = entry.model_dump(mode="json", exclude={"raw"})
    doc = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(doc).hexdigest()


def is_identifier_hit(method: str | None) -> bool:
    """True for a match by identifier, and for a finding that does not say how it matched."""
    if not method:
        return True
    lowered = method.lower()
    return lowered in IDENTIFIER_HITS or any(word in lowered for word in _IDENTIFIER_WORDS)


def normalise_party_name(name: str) -> str:
    """Case-folded words of the name (NFKC, punctuation dropped): "Gulf Horizon Trading
    L.L.C." -> "gulf horizon trading l l c". Deliberately simple and stable: a fingerprint
    stored today must still match in a year, whatever the name matcher becomes."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def normalise_identifier(value: str) -> str:
    """A BIC by its first 8 characters; an account masked (country, check digits, last four),
    runs of `*` collapsed, so a full and a masked form of one account compare equal."""
    compact = value.replace(" ", "").upper()
    if _BIC.match(compact):
        return compact[:8]
    return _STARS.sub("*", mask_account(compact) or "")


def party_fingerprint(name: str, identifier: str) -> str:
    """`normalised name|identifier`: the form the desk shows and workers compare."""
    return f"{normalise_party_name(name)}|{normalise_identifier(identifier)}"


def normalise_fingerprint(fingerprint: str) -> str:
    """A fingerprint as given (`name|account or BIC`) in its compared form; "" when it has no
    `|` or an empty side."""
    name, sep, identifier = fingerprint.rpartition("|")
    if not sep or not name.strip() or not identifier.strip():
        return ""
    return party_fingerprint(name, identifier)


def party_fingerprints(payment: Payment, finding_field: str) -> frozenset[str]:
    """Every fingerprint of the party or agent a finding's field points at ("debtor",
    "creditor_agent", "intermediary_agents[1]", "debtor.address[0]" -> the debtor); empty for
    a field that is no party (remittance information)."""
    found: dict[str, tuple[str | None, tuple[str | None, ...]]] = {
        name: (party.name, (party.account, party.bic)) for name, party in payment.parties()
    }
    for field_name, agent in payment.agent_chain():
        found[field_name] = (agent.name, (agent.bic, agent.clearing_id))
    subject = found.get(finding_field) or found.get(finding_field.split(".", 1)[0])
    if subject is None:
        return frozenset()
    name, identifiers = subject
    if not name:
        return frozenset()
    return frozenset(party_fingerprint(name, i) for i in identifiers if i and i.strip())


def _current_entry(lists: ListSet, finding: Finding) -> ListEntry | None:
    reference = lists.get(finding.list_name) if finding.list_name else None
    if reference is None:
        return None
    return next((e for e in reference.entries if e.entry_id == finding.entry_id), None)


def covering_exception(
    finding: Finding,
    payment: Payment,
    exceptions: ExceptionSet,
    lists: ListSet,
    at: datetime,
) -> ActiveException | None:
    """The exception that covers `finding` (lowest id first), or None; see the module doc."""
    if finding.entry_id is None or is_identifier_hit(finding.match_method):
        return None
    candidates = [
        e
        for e in exceptions.by_key.get((finding.rule, finding.entry_id), ())
        if e.expires_at > at and e.entry_hash
    ]
    if not candidates:
        return None
    fingerprints = party_fingerprints(payment, finding.field)
    candidates = [
        e for e in candidates if normalise_fingerprint(e.party_fingerprint) in fingerprints
    ]
    if not candidates:
        return None
    entry = _current_entry(lists, finding)
    if entry is None:
        return None
    current = entry_content_hash(entry)
    return next((e for e in candidates if e.entry_hash == current), None)


def suppress(
    findings: Sequence[Finding],
    payment: Payment,
    exceptions: ExceptionSet,
    lists: ListSet,
    at: datetime,
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """(findings that stand, findings suppressed with the id of the exception covering them)."""
    if not exceptions:
        return list(findings), []
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        cover = covering_exception(finding, payment, exceptions, lists, at)
        if cover is None:
            kept.append(finding)
        else:
            suppressed.append(
                SuppressedFinding.model_validate(
                    {**finding.model_dump(), "exception_id": cover.exception_id}
                )
            )
    return kept, suppressed
