"""Good-guy exceptions in the screening core: what an exception covers and what it never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rules.engine import screen_payment
from rules.lists.base import ReferenceList
from rules.suppression import (
    ActiveException,
    ExceptionSet,
    entry_content_hash,
    is_identifier_hit,
    normalise_fingerprint,
    party_fingerprint,
    party_fingerprints,
)
from schemas.codec import dumps
from schemas.common import Action
from tests.factories import make_payment
from tests.unit.rules.conftest import context, small_sdn

AT = datetime(2025, 4, 1, 12, tzinfo=UTC)
SDN = small_sdn()
PERSON = "ofac-sdn-47348"  # a listed person: a name-only hit on him is a review
MILITIA = "militia-facilitator-hamad-al-moussawi"  # the same man on the built-in militia list
MELLAT = "ofac-sdn-25019"  # a listed bank, hit by BIC
ACCOUNT = "AE070331234567890123456"
CREDITOR = {"name": "Hamad Al-Moussawi", "account": ACCOUNT}


def _entry(reference: ReferenceList, entry_id: str):  # type: ignore[no-untyped-def]
    return next(e for e in reference.entries if e.entry_id == entry_id)


def _exception(
    entry_id: str = PERSON,
    rule: str = "OFAC-SDN",
    fingerprint: str = "hamad al moussawi|AE07****3456",
    expires_at: datetime = AT + timedelta(days=30),
    entry_hash: str | None = "current",
    reference: ReferenceList = SDN,
) -> ActiveException:
    digest = entry_content_hash(_entry(reference, entry_id)) if entry_hash == "current" else None
    return ActiveException(
        exception_id="7" if rule == "OFAC-SDN" else "8",
        rule=rule,
        entry_id=entry_id,
        party_fingerprint=fingerprint,
        expires_at=expires_at,
        entry_hash=digest if entry_hash == "current" else entry_hash,
    )


def _militia() -> ActiveException:
    militia = context().lists.get("militia-fronts")
    assert militia is not None
    return replace(
        _exception(),
        exception_id="8",
        rule="MILITIA-FRONT",
        entry_id=MILITIA,
        entry_hash=entry_content_hash(_entry(militia, MILITIA)),
    )


def _sdn_findings(decision) -> list[tuple[str | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(f.entry_id, f.match_method) for f in decision.findings if f.rule == "OFAC-SDN"]


def _screen(*exceptions: ActiveException, reference: ReferenceList = SDN, **changes: object):  # type: ignore[no-untyped-def]
    ctx = replace(context(None, reference), exceptions=ExceptionSet.build(exceptions))
    return screen_payment(make_payment(**{"creditor": CREDITOR, **changes}), ctx, AT)


def test_without_exception_the_name_hits_are_reviews() -> None:
    decision = _screen()
    assert [(f.rule, f.entry_id) for f in decision.findings] == [
        ("MILITIA-FRONT", MILITIA),
        ("OFAC-SDN", PERSON),
    ]
    assert decision.decision is Action.REVIEW and decision.suppressed_findings is None
    assert b"suppressed_findings" not in dumps(decision)  # decisions keep their bytes


def test_a_covering_exception_suppresses_the_finding_with_its_id() -> None:
    decision = _screen(_exception())
    assert [f.rule for f in decision.findings] == ["MILITIA-FRONT"]  # not covered: stands
    (kept,) = decision.suppressed_findings or []
    assert (kept.rule, kept.entry_id, kept.exception_id) == ("OFAC-SDN", PERSON, "7")
    assert kept.match_method == "name" and kept.explanation
    assert b'"exception_id":"7"' in dumps(decision)


def test_suppressed_findings_do_not_drive_the_decision() -> None:
    decision = _screen(_exception(), _militia())
    assert decision.findings == [] and decision.decision is Action.PASS
    assert [f.exception_id for f in decision.suppressed_findings or []] == ["8", "7"]


def test_the_full_account_in_the_fingerprint_works_too() -> None:
    exception = _exception(fingerprint=f"Hamad AL-MOUSSAWI|{ACCOUNT}")
    assert _sdn_findings(_screen(exception)) == []


@pytest.mark.parametrize(
    "fingerprint",
    [
        "hamad al moussawi|AE07****9999",  # another account
        "hamad moussawi|AE07****3456",  # another name
        "hamad al moussawi",  # no identifier
    ],
)
def test_another_party_is_not_covered(fingerprint: str) -> None:
    assert _sdn_findings(_screen(_exception(fingerprint=fingerprint))) == [(PERSON, "name")]


def test_an_expired_exception_covers_nothing() -> None:
    decision = _screen(_exception(expires_at=AT))
    assert _sdn_findings(decision) == [(PERSON, "name")] and decision.suppressed_findings is None


def test_a_list_entry_changed_since_the_grant_is_not_covered() -> None:
    granted = _exception()  # hash of the entry as it stood
    person = _entry(SDN, PERSON)
    changed = person.model_copy(update={"names": [*person.names, "Abu Hamad"]})
    relisted = ReferenceList.build(
        SDN.name, [changed if e.entry_id == PERSON else e for e in SDN.entries]
    )
    decision = _screen(granted, reference=relisted)
    assert _sdn_findings(decision) == [(PERSON, "name")]
    assert decision.suppressed_findings is None


def test_an_exception_without_an_entry_hash_covers_nothing() -> None:
    assert _sdn_findings(_screen(_exception(entry_hash=None))) == [(PERSON, "name")]


def test_an_identifier_hit_is_never_covered() -> None:
    bank = {"bic": "BKMTIRTH", "name": "Bank Mellat"}
    # every part of the exception matches the BIC hit, and still it stands
    exception = _exception(entry_id=MELLAT, fingerprint="bank mellat|BKMTIRTH")
    decision = _screen(exception, debtor_agent=bank, creditor={"name": "Omar Saleh"})
    assert _sdn_findings(decision) == [(MELLAT, "bic")]
    assert decision.decision is Action.BLOCK and decision.suppressed_findings is None


@pytest.mark.parametrize(
    "method",
    ["bic", "text-bic", "iban", "text-iban", "iban-bank-code", "clearing-id", "imo", None],
)
def test_identifier_methods(method: str | None) -> None:
    assert is_identifier_hit(method)


def test_name_methods_are_not_identifiers() -> None:
    assert not any(is_identifier_hit(m) for m in ("name", "name-context", "name-phrase"))


def test_other_rules_findings_are_not_covered() -> None:
    other = replace(_exception(), rule="UN-SANCTIONS")
    assert _sdn_findings(_screen(other)) == [(PERSON, "name")]


def test_fingerprints_of_agents_and_of_address_fields() -> None:
    payment = make_payment(
        creditor=CREDITOR, debtor_agent={"bic": "RAFBIQBAXXX", "name": "Rafidain Bank"}
    )
    assert party_fingerprints(payment, "debtor_agent") == {"rafidain bank|RAFBIQBA"}
    assert party_fingerprints(payment, "creditor.address[0]") == {
        party_fingerprint("Hamad Al-Moussawi", ACCOUNT)
    }
    assert party_fingerprints(payment, "remittance_info") == frozenset()
    assert normalise_fingerprint("Rafidain Bank|rafbiqba") == "rafidain bank|RAFBIQBA"
    assert normalise_fingerprint("no separator") == ""
