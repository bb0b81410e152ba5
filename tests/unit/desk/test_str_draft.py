"""STR drafts in goAML XML: only for a confirmed true match, audited, and valid against the
goAML 5.0.2 schema once the reporting entity's settings are given.

The goAML schema is UNODC's and carries no licence that allows shipping it, so it is not in the
repository: the schema tests read it from DINARWATCH_TEST_GOAML_XSD, else from a local mirror of
the public repository github.com/Vyttah/goAML (assets/goAMLSchema.xsd, the FIU's pristine copy),
and are skipped when neither is there.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from cli.app import app as cli_app
from desk.api import create_app
from desk.auth import create_token
from desk.cases import store_alert
from desk.db.models import AuditRow
from desk.str_draft import GoamlSettings, draft_for_case
from tests.unit.desk.builders import finding, make_alerts

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
MIRROR = Path("/work/.mirror/Vyttah+goAML/repo")
COMPLETE = GoamlSettings(rentity_id=42, rate=Decimal("1310"), indicators=("TFSUN",))


@pytest.fixture(scope="module")
def goaml_xsd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("DINARWATCH_TEST_GOAML_XSD")
    if given:
        return Path(given)
    if not MIRROR.exists():
        pytest.skip("no goAML schema: set DINARWATCH_TEST_GOAML_XSD (not shipped: no licence)")
    shown = subprocess.run(
        ["git", "--git-dir", str(MIRROR), "show", "HEAD:assets/goAMLSchema.xsd"],
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip("the goAML mirror has no assets/goAMLSchema.xsd")
    path = tmp_path_factory.mktemp("goaml") / "goAMLSchema.xsd"
    path.write_bytes(shown.stdout)
    return path


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    with sessions.begin() as session:
        tokens = {
            n: create_token(session, n, r) for n, r in [("amal", "analyst"), ("aud", "auditor")]
        }
        for alert in make_alerts("E2E-0001", finding(rule="OFAC-SDN")):
            store_alert(session, alert, NOW)
    with TestClient(create_app(sessions, _NoBroker(), clock=lambda: NOW)) as client:
        yield client, tokens, _case_id(client, tokens["amal"])


class _NoBroker:
    def publish(self, topic: str, key: bytes, value: bytes) -> None:
        raise ConnectionError("no broker in unit tests")


def _case_id(client: TestClient, token: str) -> int:
    cases = client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).json()
    return int(cases["cases"][0]["case_id"])


def _confirm(client: TestClient, token: str, case_id: int) -> None:
    answer = client.post(
        f"/api/cases/{case_id}/disposition",
        json={"disposition": "true_match", "comment": "same passport number as the entry"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text


def test_only_a_confirmed_true_match_gets_a_draft(desk) -> None:  # type: ignore[no-untyped-def]
    client, tokens, case_id = desk
    headers = {"Authorization": f"Bearer {tokens['aud']}"}
    refused = client.get(f"/api/cases/{case_id}/str", headers=headers)
    assert refused.status_code == 409 and "true match" in refused.json()["error"]
    assert client.get(f"/api/cases/{case_id}/str").status_code == 401


def test_the_draft_names_what_is_missing_and_is_audited(  # type: ignore[no-untyped-def]
    desk, sessions: sessionmaker[Session]
) -> None:
    client, tokens, case_id = desk
    _confirm(client, tokens["amal"], case_id)
    headers = {"Authorization": f"Bearer {tokens['aud']}"}
    draft = client.get(f"/api/cases/{case_id}/str", headers=headers).json()
    assert (draft["payment_id"], draft["valid"], draft["schema"]) == ("E2E-0001", None, None)
    missing = "\n".join(draft["missing"])
    for item in ("rentity_id", "report_indicators", "amount_local", "full account numbers"):
        assert item in missing
    report = etree.fromstring(draft["xml"].encode())
    assert report.findtext("report_code") == "STR"
    assert report.findtext("transaction/transactionnumber") == "E2E-0001"
    assert report.findtext("transaction/t_to/to_account/swift") == "EBILAEAD"
    assert "****" in (report.findtext("transaction/t_from/from_account/account") or "")
    assert "OFAC-SDN" in (report.findtext("reason") or "")
    assert "same passport number" in (report.findtext("reason") or "")
    xml = client.get(f"/api/cases/{case_id}/str?format=xml", headers=headers)
    assert xml.headers["content-type"].startswith("application/xml")
    with sessions() as session:
        actions = session.execute(select(AuditRow.action, AuditRow.actor)).all()
    assert actions.count(("case.str_draft", "aud")) == 2


def test_a_completed_draft_validates_against_the_goaml_schema(  # type: ignore[no-untyped-def]
    desk, sessions: sessionmaker[Session], goaml_xsd: Path
) -> None:
    client, tokens, case_id = desk
    _confirm(client, tokens["amal"], case_id)
    complete = GoamlSettings(**{**COMPLETE.__dict__, "xsd": goaml_xsd})
    with sessions.begin() as session:
        draft = draft_for_case(session, case_id, complete, "amal", NOW)
    assert draft.valid, draft.errors
    assert not any("rentity_id" in item for item in draft.missing)
    with sessions.begin() as session:
        bare = draft_for_case(session, case_id, GoamlSettings(xsd=goaml_xsd), "amal", NOW)
    assert bare.valid is False
    assert any("rentity_id" in error for error in bare.errors)


def test_cli_writes_the_draft_and_reports_validation(  # type: ignore[no-untyped-def]
    desk, db_url: str, tmp_path: Path, goaml_xsd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, tokens, case_id = desk
    _confirm(client, tokens["amal"], case_id)
    for name, value in [("RENTITY_ID", "42"), ("RATE", "1310"), ("INDICATORS", "TFSUN")]:
        monkeypatch.setenv(f"DINARWATCH_DESK_GOAML_{name}", value)
    out = tmp_path / "str.xml"
    runner = CliRunner()
    args = ["desk", "str", str(case_id), "--out", str(out), "--xsd", str(goaml_xsd)]
    done = runner.invoke(cli_app, [*args, "--db", db_url])
    assert done.exit_code == 0, done.output
    assert f"valid against {goaml_xsd.name}" in done.stderr
    assert etree.parse(str(out)).getroot().tag == "report"
    refused = runner.invoke(cli_app, ["desk", "str", "999", "--db", db_url])
    assert refused.exit_code == 2 and "case 999 does not exist" in refused.stderr
