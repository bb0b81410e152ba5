"""The layout is a rule: the import-linter contracts hold, and Kafka clients are built in one place.

`make lint` runs lint-imports too; this test makes CI (`make test`) enforce the same contracts
(pyproject.toml, [tool.importlinter]; docs/architecture.md, "Layout").
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "infra",
    "lists",
    "screening",
    "streams",
    "offline",
    "generator",
    "alerts",
    "desk",
    "cli",
)
FACTORY = ROOT / "infra" / "kafka_clients.py"
CLIENT_CLASSES = frozenset(
    {
        "KafkaProducer",
        "KafkaConsumer",
        "KafkaAdminClient",
        "AIOKafkaProducer",
        "AIOKafkaConsumer",
        "AIOKafkaAdminClient",
    }
)


def _constructions(source: str) -> list[tuple[int, str]]:
    """Calls of a Kafka client class (`KafkaProducer(...)`, `kafka.KafkaProducer(...)`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in CLIENT_CLASSES:
            found.append((node.lineno, name))
    return found


def test_the_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_kafka_clients_are_built_only_by_the_factory() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line} {name}("
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != FACTORY
        for line, name in _constructions(path.read_text("utf-8"))
    ]
    assert not outside, "build Kafka clients with infra.kafka_clients: " + ", ".join(outside)
    assert _constructions(FACTORY.read_text("utf-8")), "the factory itself builds the clients"


def test_the_construction_check_can_fail() -> None:
    assert _constructions("p = KafkaProducer(bootstrap_servers='x')") == [(1, "KafkaProducer")]
    assert _constructions("c = aiokafka.AIOKafkaConsumer('t')") == [(1, "AIOKafkaConsumer")]
    assert _constructions("from kafka import KafkaProducer\nx: KafkaProducer") == []
