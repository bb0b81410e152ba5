"""`dinarwatch desk ...`: serve the API, manage users and tokens, verify the audit chain, ingest.

Every command opens the database with `--db` (or DINARWATCH_DESK_DB, default
sqlite:///.dinarwatch-desk.db) and migrates it to the current schema first. Errors are one line
and an exit code (cli/app.py's root group prints UserError/ConfigError). Heavy imports
(SQLAlchemy, Alembic, FastAPI) happen inside the commands, so that loading this sub-app costs
the rest of `dinarwatch` nothing.
"""

from __future__ import annotations

import getpass
import os
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from desk.db import DEFAULT_DB_URL
from infra.errors import UserError

desk_app = typer.Typer(
    help="The ops-center desk: cases from alerts, four-eyes release, exceptions, audit trail.",
    no_args_is_help=True,
)
users_app = typer.Typer(help="Desk users (people log in with a password).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machines and scripts.", no_args_is_help=True)
desk_app.add_typer(users_app, name="users")
desk_app.add_typer(tokens_app, name="tokens")

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="DINARWATCH_DESK_DB",
        help="Database URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
    ),
]
RoleOption = Annotated[str, typer.Option("--role", help="analyst, supervisor or auditor")]


@desk_app.command("serve")
def serve(
    db: DbOption = DEFAULT_DB_URL,
    port: Annotated[int, typer.Option(help="HTTP port")] = 6070,
    bind: Annotated[
        str,
        typer.Option(envvar="DINARWATCH_DESK_BIND", help="Address to bind (loopback by default)"),
    ] = "127.0.0.1",
    ingest: Annotated[
        bool, typer.Option("--ingest/--no-ingest", help="Also run the ingest consumer")
    ] = False,
) -> None:
    """Serve the desk's HTTP API (docs/desk.md)."""
    import uvicorn

    from desk import sla
    from desk.api import create_app
    from desk.db.engine import open_database, redact
    from desk.ingest import Ingest
    from desk.kafka_publisher import KafkaPublisher
    from desk.list_lookup import WorkerLists
    from desk.metrics import DeskMetrics
    from desk.screened import ScreenedStore
    from infra.settings import get_settings

    settings = get_settings()
    engine, sessions = open_database(db)
    metrics = DeskMetrics()
    publisher = KafkaPublisher(settings)
    limits = sla.from_environment(os.environ)
    app = create_app(
        sessions,
        publisher,
        metrics,
        sla=limits,
        entries=WorkerLists(settings),
        accounts=ScreenedStore(settings),
    )
    consumer_loop: Ingest | None = None
    if ingest:
        consumer_loop = Ingest(
            settings, sessions, metrics, publisher=KafkaPublisher(settings), sla=limits
        )
        threading.Thread(target=consumer_loop.run, name="desk-ingest", daemon=True).start()
    typer.echo(f"desk: {redact(db)} at http://{bind}:{port}/queue (API: /api/cases)", err=True)
    try:
        uvicorn.run(app, host=bind, port=port, log_level="warning")
    finally:
        if consumer_loop is not None:
            consumer_loop.stop.set()
        publisher.close()
        engine.dispose()


@desk_app.command("ingest")
def ingest_command(
    db: DbOption = DEFAULT_DB_URL,
    metrics_port: Annotated[
        int, typer.Option(help="Serve Prometheus metrics on 127.0.0.1:PORT (0: off)")
    ] = 0,
) -> None:
    """Consume `alerts` and `payments.decisions` into cases until SIGTERM/SIGINT."""
    from prometheus_client import start_http_server

    from desk import sla
    from desk.db.engine import open_database, redact
    from desk.ingest import Ingest
    from desk.kafka_publisher import KafkaPublisher
    from desk.metrics import DeskMetrics
    from infra.settings import get_settings

    settings = get_settings()
    engine, sessions = open_database(db)
    metrics = DeskMetrics()
    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1", registry=metrics.registry)
    publisher = KafkaPublisher(settings)
    loop = Ingest(
        settings, sessions, metrics, publisher=publisher, sla=sla.from_environment(os.environ)
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        loop.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    typer.echo(
        f"desk ingest: {settings.topic('alerts')}, {settings.topic('payments.decisions')} "
        f"-> {redact(db)}",
        err=True,
    )
    try:
        loop.run()
    finally:
        publisher.close()
        engine.dispose()


def _read_password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(
                f"--password-file {password_file}: cannot read it ({exc.strerror})"
            ) from None
        password = text.splitlines()[0] if text else ""
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password given: pipe it on stdin or use --password-file")
    return password


@users_app.command("add")
def users_add(
    name: str,
    role: RoleOption,
    password_file: Annotated[
        Path | None, typer.Option(help="Read the password from this file's first line")
    ] = None,
    db: DbOption = DEFAULT_DB_URL,
) -> None:
    """Add a user; the password comes from stdin (or a prompt) or --password-file."""
    from desk.auth import add_user
    from desk.db.engine import open_database

    password = _read_password(password_file)
    engine, sessions = open_database(db)
    try:
        with sessions.begin() as session:
            add_user(session, name, role, password)
    finally:
        engine.dispose()
    typer.echo(f"user {name} added with role {role}", err=True)


@tokens_app.command("create")
def tokens_create(name: str, role: RoleOption, db: DbOption = DEFAULT_DB_URL) -> None:
    """Print a new bearer token for user NAME (created without a password if missing)."""
    from desk.auth import create_token
    from desk.db.engine import open_database

    engine, sessions = open_database(db)
    try:
        with sessions.begin() as session:
            token = create_token(session, name, role)
    finally:
        engine.dispose()
    typer.echo(token)


@desk_app.command("verify-audit")
def verify_audit(
    db: DbOption = DEFAULT_DB_URL,
    expect_head: Annotated[
        str | None,
        typer.Option(help="The head hash a previous run printed: also detects removed tail rows"),
    ] = None,
) -> None:
    """Exit 0 when the audit chain holds, 1 naming the first bad row."""
    from desk import audit
    from desk.db.engine import open_database

    engine, sessions = open_database(db)
    try:
        with sessions() as session:
            report = audit.verify(session)
            known = None
            if expect_head is not None and report.intact:
                known = audit.contains_hash(session, expect_head)
    finally:
        engine.dispose()
    if not report.intact:
        typer.echo(
            f"audit chain broken at row {report.bad_id}: {report.problem} "
            f"({report.rows} rows before it verified)",
            err=True,
        )
        raise typer.Exit(1)
    if expect_head is not None and not known:
        typer.echo(
            f"audit chain holds ({report.rows} rows) but does not contain the expected head "
            f"{expect_head}: rows at or before it were removed or rewritten",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {report.rows} rows, head {report.head}")


@desk_app.command("export-audit")
def export_audit(
    db: DbOption = DEFAULT_DB_URL,
    format: Annotated[str, typer.Option(help="jsonl or csv")] = "jsonl",
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Export the whole audit trail, hashes included, for an auditor."""
    from desk import reports
    from desk.db.engine import open_database

    if format not in ("jsonl", "csv"):
        raise UserError(f"--format {format!r}: use jsonl or csv")
    engine, sessions = open_database(db)
    try:
        with sessions() as session:
            chunks: Iterable[bytes] = (
                reports.audit_jsonl(session)
                if format == "jsonl"
                else (c.encode("utf-8") for c in reports.audit_csv(session))
            )
            if out is None:
                for chunk in chunks:
                    sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            else:
                with out.open("wb") as handle:
                    for chunk in chunks:
                        handle.write(chunk)
    finally:
        engine.dispose()


@desk_app.command("str")
def str_command(
    case_id: int,
    out: Annotated[Path | None, typer.Option(help="Write the XML here instead of stdout")] = None,
    xsd: Annotated[
        Path | None,
        typer.Option(help="Validate against this goAML schema (default DINARWATCH_DESK_GOAML_XSD)"),
    ] = None,
    db: DbOption = DEFAULT_DB_URL,
) -> None:
    """Export the goAML STR draft of a case confirmed as a true match (docs/desk.md)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from desk.db.engine import open_database
    from desk.errors import DeskError
    from desk.str_draft import GoamlSettings, draft_for_case

    settings = GoamlSettings.from_environment(os.environ)
    if xsd is not None:
        settings = replace(settings, xsd=xsd)
    engine, sessions = open_database(db)
    try:
        with sessions.begin() as session:
            draft = draft_for_case(session, case_id, settings, "cli", datetime.now(UTC))
    except DeskError as exc:
        raise UserError(exc.message) from None
    finally:
        engine.dispose()
    if out is None:
        sys.stdout.buffer.write(draft.xml)
        sys.stdout.flush()
    else:
        out.write_bytes(draft.xml)
    for item in draft.missing:
        typer.echo(f"missing: {item}", err=True)
    if draft.valid is None:
        typer.echo("not validated: give --xsd or DINARWATCH_DESK_GOAML_XSD", err=True)
    elif draft.valid:
        typer.echo(f"valid against {draft.schema}", err=True)
    else:
        for error in draft.errors:
            typer.echo(f"schema: {error}", err=True)
        typer.echo(f"not valid against {draft.schema} ({len(draft.errors)} errors)", err=True)
