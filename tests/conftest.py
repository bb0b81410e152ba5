"""Test tiers, marked here so no test file has to remember it.

- ``unit``: everything under tests/unit. The fast tier (``make test-fast``) is
  ``unit and not integration and not external and not slow``: no broker, no external program.
- ``integration``: everything under tests/integration, and any test that asks for the
  broker fixtures (kafka_bootstrap, kafka_admin), wherever it lives.
- ``external``: needs a program outside Python (promtool/amtool, chromium, openssl,
  PostgreSQL), listed below by file or by fixture; such tests skip when it is missing.
- ``slow``: tests that take seconds on their own: marked by hand, or whole files listed in
  SLOW_FILES below. They run in ``make test`` and ``make test-unit``.

``make test`` runs all of them (what CI runs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import native

pytest_plugins = ["tests.kafka_broker"]

TESTS = Path(__file__).resolve().parent

# test file (relative to tests/) -> the programs it runs
EXTERNAL_FILES = {
    "unit/alerts/test_deploy_configs.py": "promtool, amtool",
    "unit/offline/replay/test_html_chromium.py": "chromium",
}
# fixture -> the program it runs
EXTERNAL_FIXTURES = {
    "pki": "openssl",
    "postgres_server": "PostgreSQL (initdb, pg_ctl)",
    "postgres_url": "PostgreSQL (initdb, pg_ctl)",
}
BROKER_FIXTURES = {"kafka_bootstrap", "kafka_admin"}
# test file (relative to tests/) -> why all of it is slow; single tests carry @pytest.mark.slow
SLOW_FILES = {
    "unit/test_fuzz_ingest.py": "property-based fuzzing of the parsers (hypothesis)",
    "unit/offline/replay/test_runner.py": "full replays of generated feeds, run twice each",
    "unit/test_native.py": "screens 1,500 payments with the full SDN twice (compiled, plain)",
}


def pytest_configure(config: pytest.Config) -> None:
    # A compiled module older than its source would test the old code (infra/native.py).
    old = native.stale()
    if old:
        raise pytest.UsageError(
            f"{', '.join(old)} changed after the screening core was compiled: run `make install` "
            "(or `.venv/bin/python -m infra.native clean` to test it as plain Python)"
        )
    config.addinivalue_line("markers", "unit: no broker or service (tests/unit, marked by folder)")
    config.addinivalue_line(
        "markers", "external: runs a program outside Python (promtool, chromium, openssl, postgres)"
    )


def tier_markers(path: Path, fixtures: set[str]) -> list[str]:
    """The markers a test at `path` using `fixtures` belongs to."""
    try:
        rel = path.resolve().relative_to(TESTS).as_posix()
    except ValueError:
        return []
    markers = []
    folder = rel.split("/", 1)[0]
    if folder == "unit":
        markers.append("unit")
    if folder == "integration" or fixtures & BROKER_FIXTURES:
        markers.append("integration")
    if rel in EXTERNAL_FILES or fixtures & EXTERNAL_FIXTURES.keys():
        markers.append("external")
    if rel in SLOW_FILES:
        markers.append("slow")
    return markers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        present = {mark.name for mark in item.iter_markers()}
        for name in tier_markers(Path(str(item.fspath)), fixtures):
            if name not in present:
                item.add_marker(getattr(pytest.mark, name))
