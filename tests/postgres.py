"""pytest fixtures: a throwaway PostgreSQL cluster from Debian's `postgresql` package.

``postgres_server`` (session) runs ``initdb`` and ``pg_ctl start`` from
/usr/lib/postgresql/<version>/bin on a free port, in a temp dir, with trust auth on 127.0.0.1
only, and stops it at session end. PostgreSQL refuses to run as root, so when the tests run as
root the server runs as the ``postgres`` system user (the package creates it) in a directory it
owns. ``postgres_url`` (function) creates a fresh database per test and returns its
``postgresql://`` URL. Both skip when the binaries are missing
(`bash deploy/install-system-deps.sh desk` installs them). No Docker.

Use them by importing into a test module: ``from tests.postgres import postgres_url``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.ports import free_port

USER = "desk"


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@{self.host}:{self.port}/{database}"


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@contextmanager
def throwaway_cluster(fsync: bool = False) -> Iterator[PostgresServer]:
    """A fresh cluster on a free port for the duration of the block (bench/ uses it too, with
    fsync on so its figures include durable commits; tests turn it off for speed).
    Raises FileNotFoundError when PostgreSQL is not installed."""
    bindir = postgres_bin()
    if bindir is None:
        raise FileNotFoundError(
            "PostgreSQL is not installed: bash deploy/install-system-deps.sh desk"
        )
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="dinarwatch-pg-"))
    data, sockets, log = base / "data", base / "sock", base / "server.log"
    sockets.mkdir()
    if owner:
        shutil.chown(base, owner)
        shutil.chown(sockets, owner)
    port = free_port()

    def run(*argv: str) -> None:
        done = subprocess.run(
            _as_owner(list(argv), owner), capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()}\n{tail}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8")
        durability = "" if fsync else " -c fsync=off"
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1{durability}"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        yield PostgresServer("127.0.0.1", port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_owner(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], owner
                ),
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: PostgresServer) -> str:
    """A new empty database on `server`; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed: bash deploy/install-system-deps.sh desk")
    with throwaway_cluster() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's server (dropped after the test)."""
    import psycopg

    url = create_database(postgres_server)
    name = url.rsplit("/", 1)[1]
    yield url
    with psycopg.connect(postgres_server.url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def desk_postgres(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    """The desk's database, migrated, on a fresh PostgreSQL database (sessions to it)."""
    from desk.db.engine import open_database

    engine, sessions = open_database(postgres_url)
    assert engine.dialect.name == "postgresql"
    yield sessions
    engine.dispose()
