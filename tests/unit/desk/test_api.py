"""The desk's HTTP API on SQLite: auth, roles, four-eyes, dispositions on the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk import audit
from desk.api import create_app
from desk.auth import create_token
from desk.cases import store_alert
from desk.db.models import AuditRow, ExceptionRow
from schemas.common import Action, Severity
from tests.unit.desk.builders import finding, make_alerts

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)


@dataclass
class RecordingPublisher:
    """Keeps what the desk sent; `down` makes every send fail like an absent broker."""

    sent: list[tuple[str, bytes, dict[str, object]]] = field(default_factory=list)
    down: bool = False

    def publish(self, topic: str, key: bytes, value: bytes) -> None:
        if self.down:
            raise ConnectionError("broker away")
        self.sent.append((topic, key, orjson.loads(value)))


@dataclass
class Desk:
    client: TestClient
    publisher: RecordingPublisher
    tokens: dict[str, str]
    sessions: sessionmaker[Session]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> Iterator[Desk]:
    tokens = {}
    with sessions.begin() as session:
        for name, role in [
            ("amal", "analyst"),
            ("bashir", "analyst"),
            ("samir", "supervisor"),
            ("sara", "supervisor"),
            ("aud", "auditor"),
        ]:
            # tokens make machine users; argon2 (deliberately slow) is tested in test_auth.py
            tokens[name] = create_token(session, name, role)
        bic_hit = finding(
            rule="CBI-USD-BAN",
            entry_id="cbi-ashur",
            match_method="bic",
            severity=Severity.CRITICAL,
            action=Action.BLOCK,
        )
        for alert in make_alerts("E2E-0001") + make_alerts("E2E-0002", bic_hit):
            store_alert(session, alert, NOW)
    publisher = RecordingPublisher()
    with TestClient(create_app(sessions, publisher, clock=lambda: NOW)) as client:
        yield Desk(client, publisher, tokens, sessions)


def _case_of(desk: Desk, payment_id: str) -> dict[str, object]:
    answer = desk.client.get(f"/api/cases?payment_id={payment_id}", headers=desk.as_("amal"))
    assert answer.status_code == 200
    [case] = answer.json()["cases"]
    return case  # type: ignore[no-any-return]


ENDPOINTS = [
    ("get", "/api/cases", None),
    ("get", "/api/cases/1", None),
    ("post", "/api/cases/1/disposition", {"disposition": "escalate"}),
    ("post", "/api/cases/1/release", {}),
    ("post", "/api/cases/1/approve", None),
    ("post", "/api/exceptions", {}),
    ("get", "/api/exceptions", None),
    ("get", "/api/audit/verify", None),
    ("get", "/metrics", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize(
    "header", [None, "Bearer dwd_not-a-token", "Basic YW1hbDpwdw==", "Bearer "]
)
def test_no_or_bad_token_is_401(
    desk: Desk, method: str, path: str, body: object, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    answer = desk.client.request(method, path, json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_queue_lists_open_cases_most_severe_first(desk: Desk) -> None:
    answer = desk.client.get("/api/cases?status=open&limit=10", headers=desk.as_("aud"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 2
    first, second = body["cases"]
    assert (first["payment_id"], first["severity"], first["rules"]) == (
        "E2E-0002",
        "critical",
        ["CBI-USD-BAN"],
    )
    assert (second["payment_id"], second["status"], second["rules"]) == (
        "E2E-0001",
        "open",
        ["OFAC-SDN"],
    )
    assert len(second["alert_ids"]) == 1 and len(second["alert_ids"][0]) == 32
    assert set(first) >= {"case_id", "payment_id", "status", "severity", "rules", "alert_ids"}


def test_limit_and_total(desk: Desk) -> None:
    body = desk.client.get("/api/cases?status=open&limit=1", headers=desk.as_("amal")).json()
    assert body["total"] == 2 and len(body["cases"]) == 1


def test_disposition_closes_the_case_and_is_published(desk: Desk) -> None:
    case = _case_of(desk, "E2E-0001")
    answer = desk.client.post(
        f"/api/cases/{case['case_id']}/disposition",
        json={"disposition": "false_positive", "comment": "different company, Dubai register"},
        headers=desk.as_("amal"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closed"
    [(topic, key, event)] = desk.publisher.sent
    assert (topic, key) == ("alerts.dispositions", b"E2E-0001")
    assert event["type"] == "disposition" and event["disposition"] == "false_positive"
    assert event["by"] == "amal" and event["alert_ids"] == case["alert_ids"]
    open_now = desk.client.get("/api/cases?status=open", headers=desk.as_("amal")).json()
    assert [c["payment_id"] for c in open_now["cases"]] == ["E2E-0002"]
    detail = desk.client.get(f"/api/cases/{case['case_id']}", headers=desk.as_("aud")).json()
    assert detail["comments"][0]["body"] == "different company, Dubai register"
    assert detail["payment"]["creditor_account"].startswith("AE07*")


def test_unknown_disposition_is_422(desk: Desk) -> None:
    case = _case_of(desk, "E2E-0001")
    answer = desk.client.post(
        f"/api/cases/{case['case_id']}/disposition",
        json={"disposition": "looks_fine"},
        headers=desk.as_("amal"),
    )
    assert answer.status_code == 422
    assert desk.publisher.sent == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/cases/{id}/disposition", {"disposition": "true_match"}),
        ("post", "/api/cases/{id}/release", {}),
        ("post", "/api/cases/{id}/block", {}),
        ("post", "/api/cases/{id}/claim", None),
        ("post", "/api/cases/{id}/comments", {"comment": "x"}),
        ("post", "/api/cases/{id}/approve", None),
    ],
)
def test_auditor_cannot_write(desk: Desk, method: str, path: str, body: object) -> None:
    case = _case_of(desk, "E2E-0001")
    url = path.format(id=case["case_id"])
    answer = desk.client.request(method, url, json=body, headers=desk.as_("aud"))
    assert answer.status_code == 403
    assert _case_of(desk, "E2E-0001")["status"] == "open"
    with desk.sessions() as session:
        assert session.execute(select(AuditRow).where(AuditRow.actor == "aud")).first() is None


def test_four_eyes_release(desk: Desk) -> None:
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    proposed = desk.client.post(
        f"/api/cases/{case_id}/release",
        json={"comment": "cleared by phone with the beneficiary bank"},
        headers=desk.as_("samir"),
    )
    assert proposed.status_code == 200, proposed.text
    assert desk.publisher.sent == []  # a proposal is not effective: nothing for the gateway yet
    # the proposer, though a supervisor, cannot approve it
    assert (
        desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("samir")).status_code
        == 403
    )
    # an analyst cannot approve
    assert (
        desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("bashir")).status_code
        == 403
    )
    assert _case_of(desk, "E2E-0001")["status"] == "pending_approval"
    approved = desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("sara"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "released"
    [(_, key, event)] = desk.publisher.sent
    assert key == b"E2E-0001"
    assert (event["type"], event["proposed_by"], event["approved_by"]) == (
        "release",
        "samir",
        "sara",
    )
    again = desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("sara"))
    assert again.status_code == 409


def test_analyst_proposal_needs_a_supervisor(desk: Desk) -> None:
    case_id = _case_of(desk, "E2E-0002")["case_id"]
    assert (
        desk.client.post(f"/api/cases/{case_id}/block", headers=desk.as_("amal")).status_code == 200
    )
    assert (
        desk.client.post(f"/api/cases/{case_id}/release", headers=desk.as_("bashir")).status_code
        == 409
    )
    assert (
        desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("amal")).status_code
        == 403
    )
    answer = desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("samir"))
    assert answer.json()["status"] == "blocked"


def test_unknown_case_is_404(desk: Desk) -> None:
    answer = desk.client.post(
        "/api/cases/999/disposition", json={"disposition": "escalate"}, headers=desk.as_("amal")
    )
    assert answer.status_code == 404


def test_unsent_events_wait_in_the_outbox(desk: Desk) -> None:
    desk.publisher.down = True
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    answer = desk.client.post(
        f"/api/cases/{case_id}/disposition",
        json={"disposition": "escalate"},
        headers=desk.as_("amal"),
    )
    assert answer.status_code == 200  # committed: the broker being away does not undo it
    assert (
        "dinarwatch_desk_outbox_pending 1.0"
        in desk.client.get("/metrics", headers=desk.as_("aud")).text
    )
    desk.publisher.down = False
    other = _case_of(desk, "E2E-0002")["case_id"]
    desk.client.post(
        f"/api/cases/{other}/disposition",
        json={"disposition": "true_match"},
        headers=desk.as_("amal"),
    )
    assert [e["payment_id"] for _, _, e in desk.publisher.sent] == ["E2E-0001", "E2E-0002"]


def _exception_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "rule": "OFAC-SDN",
        "party_fingerprint": "gulf horizon trading llc|AE07****3456",
        "entry_id": "sdn-12345",
        "reason": "Dubai-registered trader, licence 12345, not the listed entity",
        "expires_at": (NOW + timedelta(days=90)).isoformat(),
    }
    body.update(changes)
    return body


def test_exception_needs_another_supervisor(desk: Desk) -> None:
    alert_id = _case_of(desk, "E2E-0001")["alert_ids"][0]  # type: ignore[index]
    made = desk.client.post(
        "/api/exceptions", json=_exception_body(alert_id=alert_id), headers=desk.as_("samir")
    )
    assert made.status_code == 201, made.text
    exception = made.json()
    assert (exception["status"], exception["list_version"]) == ("pending", "2025-03-31")
    url = f"/api/exceptions/{exception['id']}/approve"
    assert desk.client.post(url, headers=desk.as_("samir")).status_code == 403
    assert desk.client.post(url, headers=desk.as_("amal")).status_code == 403
    approved = desk.client.post(url, headers=desk.as_("sara"))
    assert approved.json()["status"] == "active"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"expires_at": (NOW + timedelta(days=181)).isoformat()}, 422),
        ({"expires_at": (NOW - timedelta(days=1)).isoformat()}, 422),
        ({"expires_at": "2025-06-01T00:00:00"}, 422),  # no time zone
        ({"entry_id": "sdn-other"}, 422),
        ({"alert_id": "0" * 32}, 404),
        ({"reason": " "}, 422),
    ],
)
def test_exception_refusals(desk: Desk, changes: dict[str, object], status: int) -> None:
    alert_id = _case_of(desk, "E2E-0001")["alert_ids"][0]  # type: ignore[index]
    answer = desk.client.post(
        "/api/exceptions",
        json=_exception_body(**{"alert_id": alert_id, **changes}),
        headers=desk.as_("amal"),
    )
    assert answer.status_code == status, answer.text
    with desk.sessions() as session:
        assert session.execute(select(ExceptionRow)).first() is None


def test_no_exception_for_an_identifier_hit(desk: Desk) -> None:
    alert_id = _case_of(desk, "E2E-0002")["alert_ids"][0]  # type: ignore[index]
    answer = desk.client.post(
        "/api/exceptions",
        json=_exception_body(alert_id=alert_id, rule="CBI-USD-BAN", entry_id="cbi-ashur"),
        headers=desk.as_("amal"),
    )
    assert answer.status_code == 422
    assert "identifier" in answer.json()["error"]


def test_every_action_is_in_the_audit_chain(desk: Desk) -> None:
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    desk.client.post(f"/api/cases/{case_id}/claim", headers=desk.as_("amal"))
    desk.client.post(f"/api/cases/{case_id}/release", headers=desk.as_("amal"))
    desk.client.post(f"/api/cases/{case_id}/approve", headers=desk.as_("samir"))
    with desk.sessions() as session:
        rows = session.execute(select(AuditRow).order_by(AuditRow.id)).scalars().all()
        assert audit.verify(session).intact
    tail = [(r.actor, r.action) for r in rows[-3:]]
    assert tail == [
        ("amal", "case.claim"),
        ("amal", "case.propose_release"),
        ("samir", "case.approve_release"),
    ]
    assert orjson.loads(rows[-1].before)["status"] == "pending_approval"
    assert orjson.loads(rows[-1].after)["status"] == "released"
    verified = desk.client.get("/api/audit/verify", headers=desk.as_("aud")).json()
    assert verified["intact"] and verified["rows"] == len(rows)


def _active_exception(desk: Desk) -> int:
    alert_id = _case_of(desk, "E2E-0001")["alert_ids"][0]  # type: ignore[index]
    made = desk.client.post(
        "/api/exceptions", json=_exception_body(alert_id=alert_id), headers=desk.as_("amal")
    ).json()
    desk.client.post(f"/api/exceptions/{made['id']}/approve", headers=desk.as_("samir"))
    return int(made["id"])


def test_revoking_an_exception_needs_a_supervisor_and_a_reason(desk: Desk) -> None:
    exception_id = _active_exception(desk)
    url = f"/api/exceptions/{exception_id}/revoke"
    assert desk.client.post(url, json={"reason": "x"}, headers=desk.as_("amal")).status_code == 403
    assert desk.client.post(url, json={"reason": ""}, headers=desk.as_("sara")).status_code == 422
    answer = desk.client.post(url, json={"reason": "new adverse media"}, headers=desk.as_("sara"))
    assert answer.json()["status"] == "revoked"
    assert (
        desk.client.post(url, json={"reason": "again"}, headers=desk.as_("sara")).status_code == 409
    )
    with desk.sessions() as session:
        last = session.execute(select(AuditRow).order_by(AuditRow.id.desc())).scalars().first()
    assert last is not None and (last.actor, last.action) == ("sara", "exception.revoke")
    assert orjson.loads(last.after)["reason"] == "new adverse media"


def test_metrics_count_cases_dispositions_by_rule_and_exceptions(desk: Desk) -> None:
    fp = _case_of(desk, "E2E-0001")["case_id"]
    desk.client.post(
        f"/api/cases/{fp}/disposition",
        json={"disposition": "false_positive"},
        headers=desk.as_("amal"),
    )
    _active_exception(desk)
    text = desk.client.get("/metrics", headers=desk.as_("aud")).text
    assert 'dinarwatch_desk_cases{severity="high",status="closed"} 1.0' in text
    assert 'dinarwatch_desk_cases{severity="critical",status="open"} 1.0' in text
    assert 'dinarwatch_desk_dispositions{disposition="false_positive",rule="OFAC-SDN"} 1.0' in text
    assert "dinarwatch_desk_active_exceptions 1.0" in text
    # E2E-0002 opened at NOW and the clock says NOW: zero seconds old
    assert 'dinarwatch_desk_oldest_open_case_age_seconds{severity="critical"} 0.0' in text
    assert 'dinarwatch_desk_actions_total{action="disposition",outcome="ok"} 1.0' in text


def test_audit_export_can_be_verified_without_the_database(desk: Desk) -> None:
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    desk.client.post(f"/api/cases/{case_id}/claim", headers=desk.as_("amal"))
    exported = desk.client.get("/api/audit/export", headers=desk.as_("aud"))
    assert exported.status_code == 200
    rows = [orjson.loads(line) for line in exported.text.splitlines()]
    previous = audit.GENESIS
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("id", "hash")}
        assert row["prev_hash"] == previous
        assert audit.row_hash(row_id=row["id"], **fields) == row["hash"]
        previous = row["hash"]
    assert rows[-1]["action"] == "case.claim"
    as_csv = desk.client.get("/api/audit/export?format=csv", headers=desk.as_("aud")).text
    lines = as_csv.splitlines()
    assert lines[0] == "id,at,actor,action,target,before,after,prev_hash,hash"
    assert len(lines) == len(rows) + 1
    bad = desk.client.get("/api/audit/export?format=xml", headers=desk.as_("aud"))
    assert bad.status_code == 422


def test_rejected_proposal_restores_the_case(desk: Desk) -> None:
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    url = f"/api/cases/{case_id}"
    desk.client.post(
        f"{url}/disposition", json={"disposition": "escalate"}, headers=desk.as_("amal")
    )
    assert desk.client.post(f"{url}/release", headers=desk.as_("amal")).status_code == 200
    # another analyst can neither approve nor reject it
    assert desk.client.post(f"{url}/reject", headers=desk.as_("bashir")).status_code == 403
    answer = desk.client.post(
        f"{url}/reject", json={"comment": "call the bank first"}, headers=desk.as_("samir")
    )
    assert answer.json()["status"] == "escalated"
    assert desk.client.post(f"{url}/approve", headers=desk.as_("sara")).status_code == 409
    # the proposer may withdraw their own
    desk.client.post(f"{url}/block", headers=desk.as_("amal"))
    assert (
        desk.client.post(f"{url}/reject", headers=desk.as_("amal")).json()["status"] == "escalated"
    )
    sent_types = [e["type"] for _, _, e in desk.publisher.sent]
    assert sent_types == ["disposition"]  # rejections change nothing for the gateway


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("party=horizon", ["E2E-0002", "E2E-0001"]),
        ("party=BABEL%20food", ["E2E-0002", "E2E-0001"]),
        ("party=nobody", []),
        ("bank=EBILAEADXXX", ["E2E-0002", "E2E-0001"]),
        ("bank=CHASUS33", []),
        ("assignee=amal", ["E2E-0001"]),
        ("assignee=ghost", []),
        ("opened_from=2025-04-02T08:00:00Z", ["E2E-0002", "E2E-0001"]),
        ("opened_to=2025-04-02T08:00:00Z", []),
        ("rule=CBI-USD-BAN", ["E2E-0002"]),
        ("severity=high", ["E2E-0001"]),
    ],
)
def test_queue_filters(desk: Desk, query: str, expected: list[str]) -> None:
    case_id = _case_of(desk, "E2E-0001")["case_id"]
    desk.client.post(f"/api/cases/{case_id}/claim", headers=desk.as_("amal"))
    body = desk.client.get(f"/api/cases?{query}", headers=desk.as_("aud")).json()
    assert [c["payment_id"] for c in body["cases"]] == expected
    assert body["total"] == len(expected)


def test_sla_breaches_per_severity(sessions: sessionmaker[Session]) -> None:
    """E2E-0001 (high) and E2E-0002 (critical) opened at NOW; 2 h later only the critical
    one is past its SLA (1 h); at 5 h both (high: 4 h). A closed case breaches nothing."""
    from desk.sla import parse_sla

    with sessions.begin() as session:
        token = create_token(session, "aud", "auditor")
        bic_hit = finding(rule="CBI-USD-BAN", severity=Severity.CRITICAL, action=Action.BLOCK)
        for alert in make_alerts("E2E-0001") + make_alerts("E2E-0002", bic_hit):
            store_alert(session, alert, NOW)
    now = [NOW + timedelta(hours=2)]
    app = create_app(sessions, RecordingPublisher(), clock=lambda: now[0], sla=parse_sla(""))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        text = client.get("/metrics", headers=headers).text
        assert 'dinarwatch_desk_sla_breached_cases{case_severity="critical"} 1.0' in text
        assert 'dinarwatch_desk_sla_breached_cases{case_severity="high"} 0.0' in text
        assert 'dinarwatch_desk_sla_seconds{case_severity="high"} 14400.0' in text
        now[0] = NOW + timedelta(hours=5)
        text = client.get("/metrics", headers=headers).text
        assert 'dinarwatch_desk_sla_breached_cases{case_severity="high"} 1.0' in text
    tighter = create_app(
        sessions,
        RecordingPublisher(),
        clock=lambda: NOW + timedelta(minutes=31),
        sla=parse_sla("high=30"),
    )
    with TestClient(tighter) as client:
        text = client.get("/metrics", headers=headers).text
        assert 'dinarwatch_desk_sla_breached_cases{case_severity="high"} 1.0' in text
        assert 'dinarwatch_desk_sla_breached_cases{case_severity="critical"} 0.0' in text


@pytest.mark.parametrize("text", ["urgent=5", "high=0", "high=ten", "high"])
def test_bad_sla_setting_is_one_line(text: str) -> None:
    from desk.sla import parse_sla
    from infra.errors import ConfigError

    with pytest.raises(ConfigError, match="DINARWATCH_DESK_SLA_MINUTES"):
        parse_sla(text)
