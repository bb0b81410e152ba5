"""A small, fixed desk for the page tests and the browser tests (and their screenshots): four
people, twelve cases from real alert records (alerts_for), opened at fixed times before NOW."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from desk.auth import add_user
from desk.cases import store_alerts, store_decisions
from schemas.common import Action, Severity
from schemas.decision import Decision, Finding
from screening.alerts import alerts_for
from tests.factories import make_payment

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
USERS = {"amal": "analyst", "samir": "supervisor", "sara": "supervisor", "aud": "auditor"}
UETR_1 = "8a562c67-ca16-48ba-b074-65581be6f011"


def _finding(rule: str, severity: Severity, action: Action, **extra: object) -> Finding:
    base: dict[str, object] = {
        "rule": rule,
        "action": action,
        "severity": severity,
        "field": "creditor",
        "matched": "Gulf Horizon Trading LLC",
        "entry_id": "sdn-12345",
        "entry_name": "GULF HORIZON TRADING L.L.C.",
        "list_name": "ofac-sdn",
        "list_version": "2025-03-31",
        "legal_source": "OFAC SDN (31 CFR 501)",
        "score": 0.91,
        "match_method": "name",
        "explanation": "creditor name resembles a listed entity",
        "evidence": {
            "matched_tokens": "gulf=gulf (similarity 1.00, weight 0.30); horizon=horizon "
            "(similarity 1.00, weight 0.45)",
            "strength": "strong",
        },
    }
    base.update(extra)
    return Finding.model_validate(base)


# (payment id, hours before NOW, rule, severity, debtor, debtor bank, amount, uetr)
CASES: list[tuple[str, float, str, Severity, str, str, str, str | None]] = [
    (
        "E2E-0001",
        30,
        "OFAC-SDN",
        Severity.HIGH,
        "Babel Food Industries",
        "BABIIQBA",
        "9500",
        UETR_1,
    ),
    (
        "E2E-0002",
        2,
        "CBI-USD-BAN",
        Severity.CRITICAL,
        "Tigris Trading Co",
        "MSKIIQBA",
        "250000",
        None,
    ),
    ("E2E-0003", 5, "OFAC-SDN", Severity.HIGH, "Babel Food Industries", "BABIIQBA", "12000", None),
    ("E2E-0004", 50, "UN-SANCTIONS", Severity.MEDIUM, "Nineveh Steel", "RAFBIQBA", "3100", None),
    ("E2E-0005", 80, "FINCEN-311", Severity.HIGH, "Basra Oil Services", "RAFBIQBA", "87000", None),
    ("E2E-0006", 0.5, "CBI-USD-BAN", Severity.CRITICAL, "Kufa Exchange", "MSKIIQBA", "40000", None),
    ("E2E-0007", 10, "MILITIA-FRONT", Severity.HIGH, "Anbar Logistics", "TRIQIQBA", "15500", None),
    ("E2E-0008", 26, "OFAC-SDN", Severity.LOW, "Babel Food Industries", "BABIIQBA", "700", None),
    ("E2E-0009", 3, "IRAN-NEXUS", Severity.MEDIUM, "Erbil Import House", "TRIQIQBA", "6400", None),
    ("E2E-0010", 100, "UN-SANCTIONS", Severity.LOW, "Karbala Textiles", "BABIIQBA", "2200", None),
    ("E2E-0011", 7, "FINCEN-311", Severity.MEDIUM, "Najaf Motors", "RAFBIQBA", "51000", None),
    (
        "E2E-0012",
        1.5,
        "OFAC-SDN",
        Severity.CRITICAL,
        "Tigris Trading Co",
        "MSKIIQBA",
        "99000",
        None,
    ),
]


def seed(sessions: sessionmaker[Session]) -> None:
    """Users with PASSWORD and the twelve cases; on SQLite case ids 1..12 follow CASES'
    order (PostgreSQL's sequence leaves gaps)."""
    with sessions.begin() as session:
        for name, role in USERS.items():
            add_user(session, name, role, PASSWORD)
    for payment_id, hours, rule, severity, debtor, bank, amount, uetr in CASES:
        action = Action.BLOCK if severity == Severity.CRITICAL else Action.REVIEW
        payment = make_payment(
            payment_id=payment_id,
            uetr=uetr,
            amount=amount,
            debtor={"name": debtor, "account": "IQ98BBAG001234567890123"},
            debtor_agent={"bic": bank},
            created_at=(NOW - timedelta(hours=hours)).isoformat(),
        )
        decision = Decision(
            payment_id=payment_id,
            decision=action,
            findings=[_finding(rule, severity, action)],
            rule_pack="iraq",
            rule_pack_version="2025.03",
            evaluated_at=NOW - timedelta(hours=hours),
        )
        opened = NOW - timedelta(hours=hours)
        with sessions.begin() as session:
            store_alerts(session, alerts_for(payment, decision, opened), opened)
            store_decisions(session, [decision], opened)


def total_usd(bank: str) -> Decimal:
    return sum((Decimal(c[6]) for c in CASES if c[5] == bank), Decimal(0))
