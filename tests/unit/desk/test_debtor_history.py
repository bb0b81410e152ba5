"""The debtor panel's pure core (desk/debtor_history.py): stored records in, the debtor's
payments in the window ending at the case payment and the rules' window state out, with every
account masked. The store itself is read in tests/integration/test_desk_debtor_history.py."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.auth import create_token
from desk.db.models import AuditRow
from desk.debtor_history import MAX_RECORDS, history_of, might_be_debtors, read_history
from desk.errors import NotFound
from desk.screened import PartitionRead, StoredRecord
from infra.settings import Settings
from lists.files import load_rule_pack
from rules.pack import RulePack
from schemas.masking import mask_account
from tests.factories import payment_doc
from tests.unit.desk.pages_seed import NOW, seed
from tests.unit.desk.test_api import RecordingPublisher
from tests.unit.desk.test_pages import as_user

pytestmark = pytest.mark.unit

CASE_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DEBTOR = "IQ98BBAG001234567890123"
OTHER = "IQ55RAFB009988776655443"
GULF = "AE070331234567890123456"
BERLIN = "DE89370400440532013000"


def record(
    pid: str,
    hours: float,
    amount: str,
    *,
    account: str = DEBTOR,
    creditor: dict[str, str] | None = None,
    decision: str = "pass",
    alerted: list[str] | None = None,
) -> dict[str, Any]:
    payment = payment_doc(
        payment_id=pid,
        created_at=(CASE_AT + timedelta(hours=hours)).isoformat(),
        amount=amount,
        debtor={"name": "Babel Food Industries", "account": account},
        creditor=creditor or {"name": "Gulf Horizon Trading LLC", "account": GULF, "country": "AE"},
    )
    return {"decision": decision, "alerted": alerted or [], "payment": payment}


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rule_pack(None)


def neighbours() -> list[dict[str, Any]]:
    found = [
        record("P1", -30, "9500.00"),  # before the 24 h window
        record("P2", -10, "9500.00"),
        record("P3", -5, "9800.00"),
        record("P4", -1, "120.00", creditor={"name": "Berlin GmbH", "account": BERLIN}),
        record("P5", 1, "9600.00"),  # after the case payment
        record("B1", -2, "9500.00", account=OTHER),  # another debtor, same name
    ]
    random.Random(3).shuffle(found)  # log order is arrival order, not event time
    # a later record of P3 (a retro alert's update) replaces the first, as compaction would
    return [*found, record("P3", -5, "9800.00", decision="review", alerted=["CBI-BAN|x"])]


def case_record() -> dict[str, Any]:
    return record("CASE", 0, "9900.00", decision="review", alerted=["USD-STRUCTURING|episode:P2"])


def test_the_debtors_payments_in_the_window_in_event_time_order(pack: RulePack) -> None:
    history = history_of(case_record(), neighbours(), pack, records_read=7)
    assert [p.payment_id for p in history.payments] == ["P2", "P3", "P4", "CASE"]
    assert [p.decision for p in history.payments] == ["pass", "review", "pass", "review"]
    assert history.payments[-1].is_case and not history.payments[0].is_case
    assert history.payments[1].amount == Decimal("9800.00")
    assert history.payments[1].alerted == ("CBI-BAN",)
    assert history.payments[-1].alerted == ("USD-STRUCTURING",)
    assert history.usd_sum == Decimal("29320.00")
    assert history.since == CASE_AT - timedelta(hours=24) and history.until == CASE_AT
    assert history.window_hours == 24
    assert history.records_read == 7 and not history.truncated


def test_the_fold_is_the_rules_own_window_state(pack: RulePack) -> None:
    history = history_of(case_record(), neighbours(), pack)
    rows = {p.payment_id: p for p in history.payments}
    # the third payment in the 9,000-10,000 USD band completes USD-STRUCTURING, anchored at P2
    assert rows["CASE"].fired == ("USD-STRUCTURING",)
    assert rows["P2"].fired == () and rows["P3"].fired == ()
    assert rows["P2"].counted == ("USD-STRUCTURING", "USD-FANOUT")
    assert rows["P4"].counted == ()  # 120 USD to Germany: no windowed rule counts it
    [episode] = history.episodes
    assert (episode.rule, episode.anchor) == ("USD-STRUCTURING", "P2")
    assert episode.first_at == CASE_AT - timedelta(hours=10) and episode.last_at == CASE_AT
    structuring, fanout = history.rules
    assert structuring.rule == "USD-STRUCTURING" and structuring.window_hours == 24
    assert structuring.members == ("P2", "P3", "CASE")
    [band] = structuring.measures
    assert (band.value, band.needed, band.reached) == ("3", "≥ 3", True)
    assert band.what == "payments between 9000 and 10000 USD"
    beneficiaries, total = fanout.measures
    assert (beneficiaries.value, beneficiaries.needed, beneficiaries.reached) == ("1", "≥ 5", False)
    assert (total.value, total.reached) == ("29200.00", False)


def test_without_the_third_payment_structuring_is_one_short(pack: RulePack) -> None:
    history = history_of(
        case_record(), [r for r in neighbours() if r["payment"]["payment_id"] != "P3"], pack
    )
    [band] = history.rules[0].measures
    assert (band.value, band.reached) == ("2", False)
    assert history.episodes == () and history.payments[-1].fired == ()


def test_accounts_are_masked_everywhere(pack: RulePack) -> None:
    history = history_of(case_record(), neighbours(), pack)
    answer = orjson.dumps(history.as_json()).decode()
    for full in (DEBTOR, OTHER, GULF, BERLIN):
        assert full not in answer and full not in repr(history)
    assert history.debtor_account == mask_account(DEBTOR)
    rows = {p.payment_id: p for p in history.payments}
    assert rows["P4"].beneficiary_account == mask_account(BERLIN) != BERLIN
    assert (rows["P4"].beneficiary_name, rows["P2"].beneficiary_country) == ("Berlin GmbH", "AE")
    assert history.as_json()["usd_sum"] == "29320.00"


def test_a_record_that_does_not_validate_is_left_out(pack: RulePack) -> None:
    broken = record("BAD", -3, "9500.00")
    broken["payment"]["amount"] = "-1"
    history = history_of(case_record(), [*neighbours(), broken, {"payment": None}], pack)
    assert "BAD" not in [p.payment_id for p in history.payments]


def test_the_prefilter_only_skips_records_that_cannot_be_the_debtors() -> None:
    mine = orjson.dumps(record("P2", -1, "1.00"))
    theirs = orjson.dumps(record("B1", -1, "1.00", account=OTHER))
    assert might_be_debtors(mine, DEBTOR) and not might_be_debtors(theirs, DEBTOR)
    # a debtor known by name, or an account a JSON writer might escape: always decoded
    assert might_be_debtors(theirs, None) and might_be_debtors(theirs, "IQ/12\\34")


def test_the_routes_need_a_login_and_a_desk_without_a_store_says_so(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions)
    with sessions.begin() as session:
        token = create_token(session, "amal-api", "analyst")
    app = create_app(sessions, RecordingPublisher(), clock=lambda: NOW)
    with TestClient(app) as client:
        assert client.get("/api/cases/1/debtor").status_code == 401
        anonymous = client.get("/cases/1/debtor", follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
        answer = client.get("/api/cases/1/debtor", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 503 and "no payment store" in answer.json()["error"]
        unknown = client.get("/api/cases/999/debtor", headers={"Authorization": f"Bearer {token}"})
        assert unknown.status_code == 404
    auditor, _ = as_user(app, "aud")
    case_page = auditor.get("/cases/1").text
    assert 'hx-get="/cases/1/debtor"' in case_page
    assert 'data-testid="load-debtor"' not in auditor.get("/cases/1/print").text
    fragment = auditor.get("/cases/1/debtor", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "no payment store" in fragment.text
    assert auditor.get("/cases/1/debtor").status_code == 503
    with sessions() as session:
        rows = session.execute(
            select(AuditRow).where(AuditRow.action == "case.debtor_history").order_by(AuditRow.id)
        ).scalars()
        seen = [(r.actor, r.target, orjson.loads(r.after)["outcome"]) for r in rows]
    assert seen == [
        ("amal-api", "case:1", "failed: no payment store"),
        ("aud", "case:1", "failed: no payment store"),
        ("aud", "case:1", "failed: no payment store"),
    ]


@dataclass
class RecordingStore:
    """The store as lists of records; it remembers which partition and times it was asked for."""

    case: StoredRecord
    partition: list[StoredRecord]
    asked: list[tuple[int, datetime, datetime, int | None]] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    def record(self, payment_id: str, created_at: datetime) -> StoredRecord:
        assert payment_id == self.case.key.decode()
        return self.case

    def partition_records(
        self, partition: int, start: datetime, stop: datetime, max_records: int | None = None
    ) -> PartitionRead:
        self.asked.append((partition, start, stop, max_records))
        return PartitionRead(self.partition, truncated=True)


def stored(doc: dict[str, Any] | bytes, offset: int) -> StoredRecord:
    value = doc if isinstance(doc, bytes) else orjson.dumps(doc)
    return StoredRecord(2, offset, 0, b"k", value)


def test_read_history_reads_the_case_payments_partition_over_the_window(pack: RulePack) -> None:
    records = [stored(r, i) for i, r in enumerate(neighbours())]
    store = RecordingStore(
        StoredRecord(2, 99, 0, b"CASE", orjson.dumps(case_record())),
        [*records, stored(b"{not json", 98), stored(b"[1, 2]", 97)],
    )
    history = read_history(store, "CASE", CASE_AT, pack)
    assert store.asked == [
        (2, CASE_AT - timedelta(hours=24), CASE_AT + timedelta(hours=6), MAX_RECORDS)
    ]
    assert [p.payment_id for p in history.payments] == ["P2", "P3", "P4", "CASE"]
    assert history.records_read == len(records) + 2 and history.truncated


def test_a_stored_case_record_without_a_valid_payment_is_not_found(pack: RulePack) -> None:
    broken = case_record()
    broken["payment"]["amount"] = "-1"
    store = RecordingStore(StoredRecord(2, 99, 0, b"CASE", orjson.dumps(broken)), [])
    with pytest.raises(NotFound, match="does not hold a valid payment"):
        read_history(store, "CASE", CASE_AT, pack)
    garbled = RecordingStore(StoredRecord(2, 99, 0, b"CASE", b"{garbled"), [])
    with pytest.raises(NotFound, match="carries no payment"):
        read_history(garbled, "CASE", CASE_AT, pack)
