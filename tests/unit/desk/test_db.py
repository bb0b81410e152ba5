from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from desk.db.engine import normalise_url, open_database
from desk.db.models import User
from infra.errors import ConfigError

TABLES = {
    "users",
    "tokens",
    "cases",
    "case_rules",
    "case_counts",
    "case_count_deltas",
    "alerts",
    "comments",
    "actions",
    "exceptions",
    "outbox",
    "audit",
    "sessions",
    "login_attempts",
    "alembic_version",
}


def test_migrations_create_every_table(database: tuple[Engine, sessionmaker[Session]]) -> None:
    engine, _ = database
    assert set(inspect(engine).get_table_names()) == TABLES


def test_second_start_is_a_no_op(db_url: str, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(User(name="amal", role="analyst", created_at=datetime.now(UTC)))
    engine, again = open_database(db_url)  # migrates to head again: nothing to do, data kept
    with again() as session:
        assert [u.name for u in session.query(User)] == ["amal"]
    engine.dispose()


def test_timestamps_come_back_in_utc(sessions: sessionmaker[Session]) -> None:
    when = datetime(2025, 3, 8, 9, 30, tzinfo=UTC)
    with sessions.begin() as session:
        session.add(User(name="amal", role="analyst", created_at=when))
    with sessions() as session:
        user = session.query(User).one()
        assert user.created_at == when
        assert user.created_at.tzinfo is not None


def test_naive_timestamp_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        session.add(User(name="amal", role="analyst", created_at=datetime(2025, 3, 8)))
        session.flush()


def test_postgresql_url_means_psycopg3() -> None:
    assert normalise_url("postgresql://desk@127.0.0.1:5432/desk").startswith(
        "postgresql+psycopg://"
    )


def test_unsupported_driver_is_one_readable_line() -> None:
    with pytest.raises(ConfigError, match=r"mysql.*not supported"):
        normalise_url("mysql://root:secret@db/desk")


def test_unreachable_database_names_the_url_without_password() -> None:
    with pytest.raises(ConfigError) as caught:
        open_database("postgresql://desk:hunter2@127.0.0.1:1/desk")
    assert "hunter2" not in caught.value.message
    assert "127.0.0.1:1" in caught.value.message


def test_models_and_migrations_agree(database: tuple[Engine, sessionmaker[Session]]) -> None:
    """A model change without its migration (or the reverse) shows up here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from desk.db.models import Base

    engine, _ = database
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_downgrade_and_upgrade_again(database: tuple[Engine, sessionmaker[Session]]) -> None:
    from desk.db.engine import upgrade

    engine, _ = database
    from alembic import command

    from desk.db.engine import alembic_config

    command.downgrade(alembic_config(engine), "0001")
    assert "value_date" not in {c["name"] for c in inspect(engine).get_columns("cases")}
    upgrade(engine)
    assert "value_date" in {c["name"] for c in inspect(engine).get_columns("cases")}
