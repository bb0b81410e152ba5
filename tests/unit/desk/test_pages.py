"""The desk's pages: auth on every page, CSRF on every form post, roles and four eyes, the
queue's filters and search (payment id, UETR, party), the case page's evidence, the dashboard's
charts, and the optional trusted header of an OIDC proxy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.api import create_app
from desk.db.models import AuditRow, Case, LoginSession
from desk.sessions import COOKIE
from desk.web.security import CSRF_COOKIE, WebSettings
from infra.errors import ConfigError
from tests.unit.desk.pages_seed import NOW, PASSWORD, UETR_1, seed
from tests.unit.desk.test_api import RecordingPublisher

PAGES = ["/", "/queue", "/queue?q=E2E-0001", "/dashboard", "/cases/1", "/cases/1/print"]
ACTIONS = ["claim", "comment", "disposition", "release", "block", "approve", "reject"]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    seed(sessions)
    return sessions


@pytest.fixture
def app(seeded: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_HEADER", raising=False)
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_PROXIES", raising=False)
    return create_app(seeded, RecordingPublisher(), clock=lambda: NOW)


def _client(app: FastAPI, **kwargs: object) -> TestClient:
    # https: the cookies are Secure, so the client keeps and sends them only over https
    return TestClient(app, base_url="https://testserver", follow_redirects=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    with _client(app) as client:
        yield client


def login(client: TestClient, name: str) -> str:
    """Log in through the form; returns the CSRF token the pages carry."""
    form = client.get("/login")
    token = TOKEN.search(form.text)
    assert token, form.text
    answer = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token.group(1), "next": "/queue"},
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/queue"
    page = client.get("/cases/1")
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def as_user(app: FastAPI, name: str) -> tuple[TestClient, str]:
    client = _client(app)
    return client, login(client, name)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_redirects_to_login_without_a_session(anon: TestClient, path: str) -> None:
    answer = anon.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("action", ACTIONS)
def test_every_form_post_needs_a_session(anon: TestClient, action: str) -> None:
    answer = anon.post(f"/cases/1/{action}", data={"comment": "x"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    htmx = anon.post(f"/cases/1/{action}", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


def test_a_forged_or_missing_session_cookie_is_no_session(app: FastAPI) -> None:
    with _client(app, cookies={COOKIE: "forged", CSRF_COOKIE: "forged"}) as client:
        assert client.get("/queue").status_code == 303


def test_login_form_needs_its_csrf_token_and_the_right_password(anon: TestClient) -> None:
    anon.get("/login")
    no_token = anon.post("/login", data={"name": "amal", "password": PASSWORD})
    assert no_token.status_code == 403
    token = TOKEN.search(anon.get("/login").text)
    assert token
    wrong = anon.post(
        "/login", data={"name": "amal", "password": "wrong", "csrf_token": token.group(1)}
    )
    assert wrong.status_code == 401 and "wrong name or password" in wrong.text
    assert COOKIE not in anon.cookies


def test_login_sets_secure_httponly_strict_cookies_and_refuses_open_redirects(
    anon: TestClient,
) -> None:
    token = TOKEN.search(anon.get("/login").text)
    assert token
    answer = anon.post(
        "/login",
        data={
            "name": "amal",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "//evil.example/",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookies = answer.headers.get_list("set-cookie")
    for name in (COOKIE, CSRF_COOKIE):
        line = next(c for c in cookies if c.startswith(f"{name}="))
        flags = {part.strip().lower() for part in line.split(";")}
        assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags


@pytest.mark.parametrize("action", ACTIONS)
def test_every_form_post_without_the_csrf_token_is_403(app: FastAPI, action: str) -> None:
    client, _ = as_user(app, "samir")
    with client:
        missing = client.post(
            f"/cases/1/{action}", data={"comment": "c", "disposition": "escalate"}
        )
        forged = client.post(
            f"/cases/1/{action}",
            data={"comment": "c", "disposition": "escalate", "csrf_token": "forged"},
        )
        assert missing.status_code == forged.status_code == 403
        assert "CSRF" in missing.text


def test_logout_needs_csrf_and_closes_the_session(app: FastAPI, seeded: sessionmaker) -> None:
    client, token = as_user(app, "amal")
    with client:
        assert client.post("/logout").status_code == 403
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/queue").status_code == 303
    with seeded() as db:
        assert db.execute(select(LoginSession.revoked_at)).scalar() is not None


def test_claim_disposition_and_comment_through_forms(app: FastAPI, seeded: sessionmaker) -> None:
    client, token = as_user(app, "amal")
    with client:
        claimed = client.post("/cases/2/claim", data={"csrf_token": token})
        assert claimed.status_code == 303 and claimed.headers["location"].startswith("/cases/2?")
        # htmx: the work panel comes back, swapped in place
        panel = client.post(
            "/cases/2/disposition",
            data={"disposition": "false_positive", "comment": "namesake"},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        assert panel.status_code == 200
        assert panel.text.startswith('<section id="panel"')
        assert "false positive" in panel.text and "disposition recorded" in panel.text
        client.post("/cases/2/comment", data={"csrf_token": token, "comment": "checked registry"})
        page = client.get("/cases/2")
        assert "checked registry" in page.text and "amal" in page.text
    with seeded() as db:
        case = db.get(Case, 2)
        assert case is not None
        assert (case.status, case.disposition) == ("closed", "false_positive")
        actions = {r.action for r in db.execute(select(AuditRow)).scalars()}
        assert {"case.claim", "case.disposition", "case.comment"} <= actions


def test_four_eyes_refusal_is_shown_and_another_supervisor_approves(
    app: FastAPI, seeded: sessionmaker
) -> None:
    samir, samir_token = as_user(app, "samir")
    amal, amal_token = as_user(app, "amal")
    sara, sara_token = as_user(app, "sara")
    with samir, amal, sara:
        assert samir.post("/cases/3/release", data={"csrf_token": samir_token}).status_code == 303
        own = samir.post("/cases/3/approve", data={"csrf_token": samir_token})
        assert own.status_code == 403
        assert "four-eyes: the proposer cannot approve their own proposal" in own.text
        analyst = amal.post("/cases/3/approve", data={"csrf_token": amal_token})
        assert analyst.status_code == 403 and "only a supervisor approves" in analyst.text
        with seeded() as db:
            assert db.get(Case, 3).status == "pending_approval"  # type: ignore[union-attr]
        approved = sara.post(
            "/cases/3/approve",
            data={},
            headers={"HX-Request": "true", "X-CSRF-Token": sara_token},
        )
        assert approved.status_code == 200 and "released" in approved.text
    with seeded() as db:
        assert db.get(Case, 3).status == "released"  # type: ignore[union-attr]


def test_auditor_sees_everything_and_can_act_on_nothing(app: FastAPI, seeded: sessionmaker) -> None:
    client, token = as_user(app, "aud")
    with client:
        page = client.get("/cases/1")
        assert page.status_code == 200
        assert 'data-testid="readonly"' in page.text
        assert 'data-testid="claim"' not in page.text and "/disposition" not in page.text
        for action in ACTIONS:
            answer = client.post(
                f"/cases/1/{action}",
                data={"csrf_token": token, "disposition": "escalate", "comment": "x"},
            )
            assert answer.status_code in (403, 409), (action, answer.status_code)
        refused = client.post("/cases/1/claim", data={"csrf_token": token})
        assert refused.status_code == 403 and "read-only" in refused.text
    with seeded() as db:
        case = db.get(Case, 1)
        assert case is not None and case.assignee_id is None and case.status == "open"


def test_queue_orders_by_severity_then_age_and_filters(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        page = client.get("/queue").text
        ids = re.findall(r'<td><a href="/cases/(\d+)">', page)
        # critical first (oldest first among them), then high, medium, low
        assert ids[:3] == ["2", "12", "6"]
        assert ids[-2:] == ["10", "8"]
        assert "12 cases" in page
        by_rule = client.get("/queue?rule=FINCEN-311").text
        assert sorted(re.findall(r'<td><a href="/cases/(\d+)">', by_rule)) == ["11", "5"]
        by_bank = client.get("/queue?bank=MSKIIQBA&severity=critical").text
        assert re.findall(r'<td><a href="/cases/(\d+)">', by_bank) == ["2", "12", "6"]
        by_date = client.get("/queue?opened_from=2025-04-02&opened_to=2025-04-02").text
        # opened on 2 April (UTC): at most 8 hours before NOW
        found = sorted(map(int, re.findall(r'<td><a href="/cases/(\d+)">', by_date)))
        assert found == [2, 3, 6, 9, 11, 12]


def test_queue_search_by_payment_id_uetr_and_party(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        by_id = client.get("/queue?q=E2E-0004").text
        assert "by payment id" in by_id and re.findall(r'href="/cases/(\d+)">#', by_id) == ["4"]
        by_uetr = client.get(f"/queue?q={UETR_1.upper()}").text
        assert "by UETR" in by_uetr and re.findall(r'href="/cases/(\d+)">#', by_uetr) == ["1"]
        by_party = client.get("/queue?q=babel").text
        assert "by party name" in by_party
        assert sorted(re.findall(r'href="/cases/(\d+)">#', by_party)) == ["1", "3", "8"]


def test_queue_paginates(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("desk.web.views.PAGE_SIZE", 5)
    client, _ = as_user(app, "amal")
    with client:
        first = client.get("/queue").text
        assert "page 1 of 3" in first and 'href="/queue?page=2"' in first
        third = client.get("/queue?page=3").text
        assert len(re.findall(r'href="/cases/(\d+)">#', third)) == 2


def test_queue_says_when_a_search_matches_more_than_it_counts(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COUNT_CAP a search's total is "N+" and the pager offers the next page; the
    status / severity / rule filters keep their exact totals."""
    monkeypatch.setattr("desk.web.views.PAGE_SIZE", 2)
    monkeypatch.setattr("desk.cases.COUNT_CAP", 2)
    client, _ = as_user(app, "amal")
    with client:
        by_party = client.get("/queue?q=babel").text  # 3 cases match
        assert "2+ cases" in by_party and "page 1 of 2+" in by_party
        assert 'href="/queue?q=babel&amp;page=2"' in by_party
        last = client.get("/queue?q=babel&page=2").text
        assert "page 2 of 2+" in last and 'rel="next"' not in last
        assert len(re.findall(r'href="/cases/(\d+)">#', last)) == 1
        assert "12 cases" in client.get("/queue").text
        api = client.get("/api/cases?party=babel").json()
        assert (api["total"], api["total_exact"]) == (2, False)
        api = client.get("/api/cases?status=open").json()
        assert api["total_exact"] is True


def test_api_queue_filters_by_uetr(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        found = client.get(f"/api/cases?uetr={UETR_1}").json()
        assert [c["payment_id"] for c in found["cases"]] == ["E2E-0001"]


def test_case_page_shows_chain_masked_accounts_evidence_history_and_replay(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        page = client.get("/cases/1").text
        assert UETR_1 in page and "9,500.00 USD" in page
        assert "CHASUS33" in page  # the intermediary agent
        assert "IQ98BBAG001234567890123" not in page  # accounts only masked
        assert "AE07" in page and "****" in page
        for evidence in ("gulf=gulf (similarity 1.00", "sdn-12345", "ofac-sdn", "2025-03-31"):
            assert evidence in page
        assert "OFAC SDN (31 CFR 501)" in page and "0.91" in page
        # the debtor's other flagged payments
        recent = page.split('data-testid="recent"')[1].split("</table>")[0]
        assert sorted(re.findall(r'href="/cases/(\d+)"', recent)) == ["3", "8"]
        assert (
            "dinarwatch replay --topic payments.raw --from 2025-03-31T02:00:00Z "
            "--to 2025-04-01T02:10:00Z" in page
        )
        printed = client.get("/cases/1/print").text
        assert "/static/print.css" in printed and "gulf=gulf" in printed
        assert "csrf_token" not in printed


def test_unknown_case_is_404(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        assert client.get("/cases/999").status_code == 404


def test_dashboard_draws_three_svg_charts(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        page = client.get("/dashboard").text
        assert page.count("<svg") == 3
        assert 'data-testid="open-total">12<' in page
        assert "MSKIIQBA" in page and "389,000.00 USD" in page  # 250,000 + 40,000 + 99,000
        assert "OFAC-SDN (4)" in page  # alerts per rule, legend with totals


def test_pages_send_no_store_and_no_framing(app: FastAPI) -> None:
    client, _ = as_user(app, "amal")
    with client:
        answer = client.get("/queue")
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


# --- trusted header (OIDC proxy) -----------------------------------------------------------


def _proxied(seeded: sessionmaker, monkeypatch: pytest.MonkeyPatch, address: str) -> TestClient:
    monkeypatch.setenv("DINARWATCH_DESK_TRUSTED_HEADER", "X-Forwarded-User")
    monkeypatch.setenv("DINARWATCH_DESK_TRUSTED_PROXIES", "10.0.0.0/24, ::1")
    app = create_app(seeded, RecordingPublisher(), clock=lambda: NOW)
    return _client(app, client=(address, 40000))


def test_trusted_header_is_off_by_default(anon: TestClient) -> None:
    answer = anon.get("/queue", headers={"X-Forwarded-User": "samir"})
    assert answer.status_code == 303


def test_trusted_header_from_a_trusted_proxy_logs_the_user_in(
    seeded: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _proxied(seeded, monkeypatch, "10.0.0.7") as client:
        page = client.get("/queue", headers={"X-Forwarded-User": "samir"})
        assert page.status_code == 200 and 'data-testid="user">samir<' in page.text
        token = TOKEN.search(page.text)
        assert token and COOKIE in client.cookies
        # the session it opened works for form posts with its CSRF token, and only with it
        assert (
            client.post("/cases/1/claim", headers={"X-Forwarded-User": "samir"}).status_code == 403
        )
        claimed = client.post(
            "/cases/1/claim",
            data={"csrf_token": token.group(1)},
            headers={"X-Forwarded-User": "samir"},
        )
        assert claimed.status_code == 303
    with seeded() as db:
        logins = db.execute(select(AuditRow).where(AuditRow.action == "user.login")).scalars()
        assert any('"trusted-header"' in row.after for row in logins)


def test_trusted_header_from_another_address_is_ignored(
    seeded: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _proxied(seeded, monkeypatch, "192.168.1.9") as client:
        assert client.get("/queue", headers={"X-Forwarded-User": "samir"}).status_code == 303


def test_trusted_header_naming_an_unknown_user_is_no_login(
    seeded: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _proxied(seeded, monkeypatch, "10.0.0.7") as client:
        answer = client.get("/queue", headers={"X-Forwarded-User": "mallory"})
        assert answer.status_code == 303 and "not+a+desk+user" in answer.headers["location"]


def test_trusted_header_settings_go_together() -> None:
    assert WebSettings.from_environment({}).trusted_header is None
    with pytest.raises(ConfigError, match="go together"):
        WebSettings.from_environment({"DINARWATCH_DESK_TRUSTED_HEADER": "X-User"})
    with pytest.raises(ConfigError, match="not an IP address"):
        WebSettings.from_environment(
            {"DINARWATCH_DESK_TRUSTED_HEADER": "X-User", "DINARWATCH_DESK_TRUSTED_PROXIES": "x"}
        )


def test_what_arrives_in_an_alert_is_escaped(app: FastAPI, seeded: sessionmaker) -> None:
    with seeded.begin() as db:
        case = db.get(Case, 4)
        assert case is not None
        case.debtor_name = '<script>alert("x")</script>'
    client, _ = as_user(app, "amal")
    with client:
        page = client.get("/queue").text
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page


def test_login_form_shows_the_rate_limit(anon: TestClient) -> None:
    token = TOKEN.search(anon.get("/login").text)
    assert token
    form = {"name": "amal", "password": "wrong", "csrf_token": token.group(1)}
    for _ in range(5):
        assert anon.post("/login", data=form).status_code == 401
    locked = anon.post("/login", data=form | {"password": PASSWORD})
    assert locked.status_code == 429 and "too many failed logins" in locked.text
