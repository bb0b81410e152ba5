"""`dinarwatch desk` commands through the real CLI entry point (typer's runner)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, update
from typer.testing import CliRunner, Result

from cli.app import app
from desk.db.engine import open_database
from desk.db.models import AuditRow, User

runner = CliRunner()


def desk(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["desk", *args], input=stdin, catch_exceptions=False)


def test_users_add_reads_the_password_from_stdin(db_url: str) -> None:
    result = desk(
        "users",
        "add",
        "samir",
        "--role",
        "supervisor",
        "--db",
        db_url,
        stdin="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    engine, sessions = open_database(db_url)
    with sessions() as session:
        user = session.query(User).one()
    engine.dispose()
    assert (user.name, user.role) == ("samir", "supervisor")
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")


def test_users_add_from_a_password_file(db_url: str, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from a mounted secret\n")
    result = desk(
        "users", "add", "amal", "--role", "analyst", "--password-file", str(secret), "--db", db_url
    )
    assert result.exit_code == 0, result.output


def test_users_add_refuses_an_unknown_role(db_url: str) -> None:
    result = desk("users", "add", "x", "--role", "admin", "--db", db_url, stdin="long password 1\n")
    assert result.exit_code == 2
    assert "not a desk role" in result.output
    assert "Traceback" not in result.output


def test_tokens_create_prints_a_token_that_is_not_stored(db_url: str) -> None:
    result = desk("tokens", "create", "gateway", "--role", "auditor", "--db", db_url)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("dwd_") and len(token) > 40
    raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    assert token.encode() not in raw


def _some_history(db_url: str) -> None:
    for name, role in [("a1", "analyst"), ("s1", "supervisor"), ("au", "auditor")]:
        assert desk("tokens", "create", name, "--role", role, "--db", db_url).exit_code == 0


def test_verify_audit_passes_on_an_intact_chain(db_url: str) -> None:
    _some_history(db_url)
    result = desk("verify-audit", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 6 rows" in result.stdout


def test_verify_audit_names_a_changed_row(db_url: str) -> None:
    _some_history(db_url)
    engine, sessions = open_database(db_url)
    with sessions.begin() as session:
        session.execute(update(AuditRow).where(AuditRow.id == 4).values(after='{"role":"x"}'))
    engine.dispose()
    result = desk("verify-audit", "--db", db_url)
    assert result.exit_code == 1
    assert "row 4" in result.output and "does not match its hash" in result.output


def test_verify_audit_names_a_removed_row(db_url: str) -> None:
    _some_history(db_url)
    engine, sessions = open_database(db_url)
    with sessions.begin() as session:
        session.execute(delete(AuditRow).where(AuditRow.id == 3))
    engine.dispose()
    result = desk("verify-audit", "--db", db_url)
    assert result.exit_code == 1
    assert "row 3" in result.output and "missing" in result.output


def test_verify_audit_with_a_recorded_head_finds_removed_tail_rows(db_url: str) -> None:
    _some_history(db_url)
    head = desk("verify-audit", "--db", db_url).stdout.split("head ")[1].strip()
    assert desk("verify-audit", "--db", db_url, "--expect-head", head).exit_code == 0
    engine, sessions = open_database(db_url)
    with sessions.begin() as session:
        session.execute(delete(AuditRow).where(AuditRow.id == 6))
    engine.dispose()
    assert desk("verify-audit", "--db", db_url).exit_code == 0  # the chain alone cannot tell
    result = desk("verify-audit", "--db", db_url, "--expect-head", head)
    assert result.exit_code == 1
    assert "expected head" in result.output


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    result = desk("verify-audit", "--db", "mysql://root:pw@db/desk")
    assert result.exit_code == 3
    assert "not supported" in result.output and "pw@" not in result.output


def test_export_audit_jsonl_and_csv(db_url: str, tmp_path: Path) -> None:
    _some_history(db_url)
    result = desk("export-audit", "--db", db_url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 6 and '"action":"user.add"' in lines[0]
    out = tmp_path / "audit.csv"
    assert desk("export-audit", "--db", db_url, "--format", "csv", "--out", str(out)).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("id,at,actor,action")
    assert desk("export-audit", "--db", db_url, "--format", "xml").exit_code == 2
