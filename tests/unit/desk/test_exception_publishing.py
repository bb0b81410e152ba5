"""Exceptions leave the desk: the entry hash taken at approval from the workers' lists, and the
active / revoked / expired states published through the outbox to the `exceptions` topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import outbox
from desk.auth import Actor, Role, create_token
from desk.cases import store_alert
from desk.db.models import User
from desk.errors import Conflict, Invalid
from desk.exceptions import approve_exception, expire_due, request_exception, revoke_exception
from infra.topics import DISPOSITIONS, EXCEPTIONS
from rules.lists.base import ReferenceList
from rules.suppression import entry_content_hash
from schemas.listentry import ListEntry
from screening.exception_wire import decode_exception
from tests.unit.desk.builders import make_alerts

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
ENTRY = ListEntry.model_validate(
    {
        "entry_id": "sdn-12345",
        "names": ["GULF HORIZON TRADING"],
        "kind": "entity",
        "list": "ofac-sdn",
        "legal_source": "OFAC SDN",
    }
)


@dataclass
class Lists:
    """An EntryLookup holding one list."""

    reference: ReferenceList | None

    def current_list(self, name: str) -> ReferenceList | None:
        found = self.reference
        return found if found is not None and found.name == name else None


@dataclass
class Recorder:
    sent: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self.sent.append((topic, key, value))


def _list(version: str = "2025-03-31", entry: ListEntry = ENTRY) -> ReferenceList:
    return ReferenceList("ofac-sdn", version, (entry,))


def _actor(session: Session, name: str, role: Role) -> Actor:
    create_token(session, name, role.value)
    user = session.execute(select(User).where(User.name == name)).scalar_one()
    return Actor(user.id, name, role)


def _requested(session: Session, fingerprint: str = "gulf horizon trading llc|AE07****3456"):  # type: ignore[no-untyped-def]
    amal = _actor(session, "amal", Role.ANALYST)
    samir = _actor(session, "samir", Role.SUPERVISOR)
    [alert] = make_alerts("E2E-0001")
    store_alert(session, alert, NOW)
    row = request_exception(
        session,
        amal,
        alert_id=alert.alert_id,
        rule="OFAC-SDN",
        party_fingerprint=fingerprint,
        entry_id="sdn-12345",
        reason="not the listed entity",
        expires_at=NOW + timedelta(days=30),
        at=NOW,
    )
    return row, samir


def _sent(sessions: sessionmaker[Session]) -> list[tuple[str, bytes, dict[str, object]]]:
    recorder = Recorder()
    outbox.flush(sessions, recorder)
    return [(t, k, orjson.loads(v)) for t, k, v in recorder.sent]


def test_approval_takes_the_entry_hash_and_publishes_the_exception(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        row, samir = _requested(session)
        approve_exception(session, samir, row.id, NOW, Lists(_list()))
        exception_id = row.id
    [(topic, key, value)] = _sent(sessions)
    assert (topic, key) == (EXCEPTIONS, str(exception_id).encode())
    assert value["status"] == "active" and value["entry_hash"] == entry_content_hash(ENTRY)
    active = decode_exception(key, orjson.dumps(value))
    assert active is not None and active.exception_id == str(exception_id)
    assert active.expires_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("lists", "problem"),
    [
        (Lists(_list(version="2025-04-01")), "changed since the alert"),
        (Lists(ReferenceList("ofac-sdn", "2025-03-31", ())), "no longer on"),
        (Lists(None), "not among the lists"),
    ],
)
def test_approval_is_refused_when_the_entry_cannot_be_shown_unchanged(
    sessions: sessionmaker[Session], lists: Lists, problem: str
) -> None:
    with sessions.begin() as session:
        row, samir = _requested(session)
        with pytest.raises(Conflict, match=problem):
            approve_exception(session, samir, row.id, NOW, lists)


def test_a_fingerprint_needs_a_name_and_an_identifier(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(Invalid, match="account or BIC"):
        _requested(session, fingerprint="gulf horizon trading llc")


def test_revocation_and_expiry_of_active_exceptions_are_published(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        first, samir = _requested(session)
        sara = _actor(session, "sara", Role.SUPERVISOR)
        approve_exception(session, samir, first.id, NOW, Lists(_list()))
        [alert] = make_alerts("E2E-0001")
        second = request_exception(
            session,
            Actor(first.created_by, "amal", Role.ANALYST),
            alert_id=alert.alert_id,
            rule="OFAC-SDN",
            party_fingerprint="gulf horizon trading llc|AE07****3456",
            entry_id="sdn-12345",
            reason="still not the listed entity",
            expires_at=NOW + timedelta(days=5),
            at=NOW,
        )
        approve_exception(session, samir, second.id, NOW, Lists(_list()))
        pending = request_exception(
            session,
            Actor(first.created_by, "amal", Role.ANALYST),
            alert_id=alert.alert_id,
            rule="OFAC-SDN",
            party_fingerprint="gulf horizon trading llc|AE07****3456",
            entry_id="sdn-12345",
            reason="never approved",
            expires_at=NOW + timedelta(days=5),
            at=NOW,
        )
        revoke_exception(session, sara, first.id, "new adverse media", NOW)
        revoke_exception(session, sara, pending.id, "withdrawn", NOW)  # never published
        assert expire_due(session, NOW + timedelta(days=6)) == 1
    sent = _sent(sessions)
    assert [(t, k.decode(), v["status"]) for t, k, v in sent] == [
        (EXCEPTIONS, str(first.id), "active"),
        (EXCEPTIONS, str(second.id), "active"),
        (EXCEPTIONS, str(first.id), "revoked"),
        (EXCEPTIONS, str(second.id), "expired"),
    ]
    assert all(decode_exception(k, orjson.dumps(v)) is None for _, k, v in sent[2:])
    assert DISPOSITIONS not in {t for t, _, _ in sent}


@pytest.mark.parametrize(
    ("fingerprint", "problem"),
    [
        ("gulf horizon trading co|AE07****3456", "but the creditor is"),
        ("gulf horizon trading llc|AE07****9999", "account is not the creditor's"),
        ("Gulf Horizon Trading LLC|AE070331234567890123999", "account is not the creditor's"),
    ],
)
def test_a_fingerprint_must_name_the_alerted_party(
    sessions: sessionmaker[Session], fingerprint: str, problem: str
) -> None:
    with sessions.begin() as session, pytest.raises(Invalid, match=problem):
        _requested(session, fingerprint=fingerprint)


@pytest.mark.parametrize(
    "fingerprint",
    [
        "Gulf Horizon Trading LLC|AE070331234567890123456",
        "GULF HORIZON TRADING LLC|ae07 0331 2345 6789 0123 456",
        "gulf horizon trading llc|EBILAEADXXX",  # a BIC: the summary cannot check it
    ],
)
def test_fingerprints_of_the_alerted_party_are_accepted(
    sessions: sessionmaker[Session], fingerprint: str
) -> None:
    with sessions.begin() as session:
        row, _ = _requested(session, fingerprint=fingerprint)
        assert row.party_fingerprint == fingerprint
