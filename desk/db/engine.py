"""Engines, sessions and migrations for a database URL.

`sqlite:///PATH` is the embedded default (one desk, `make demo`); `postgresql://...` is
production and is driven by psycopg 3 (the URL is rewritten to `postgresql+psycopg://`).
Every start runs `upgrade(url)`: Alembic brings the schema to head inside one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from desk.db import DEFAULT_DB_URL
from infra.errors import ConfigError

__all__ = ["DEFAULT_DB_URL", "open_database", "redact", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """The URL SQLAlchemy is given: plain postgresql:// means psycopg 3, not psycopg2."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"desk database URL {redact(url)!r} is not a URL: use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise ConfigError(
            f"desk database URL {redact(url)!r}: driver {parsed.drivername!r} is not supported; "
            "use sqlite:///PATH or postgresql://..."
        )
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL without its password, for error lines and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def make_engine(url: str) -> Engine:
    engine = create_engine(normalise_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while ingest writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent: at head it does nothing)."""
    command.upgrade(alembic_config(engine), revision)


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and sessions for `url`, migrated to head: what every desk command starts with."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise ConfigError(
            f"desk database {redact(url)}: cannot open or migrate it ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); check the URL and that the "
            "server is running"
        ) from exc
    return engine, session_factory(engine)
