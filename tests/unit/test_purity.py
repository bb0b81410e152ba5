"""The screening core and the contracts stay pure: no I/O libraries, no environment."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(
    r"^\s*(?:import|from)\s+(faust|kafka|aiokafka|prometheus_client|httpx|requests|aiohttp|streams|alerts)\b"
    r"|os\.environ|os\.getenv|datetime\.now\(|date\.today\(|time\.time\(|^\s*global\s",
    re.MULTILINE,
)
PURE_FILES = sorted((ROOT / "rules").rglob("*.py")) + sorted((ROOT / "schemas").rglob("*.py"))


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_is_pure(path: Path) -> None:
    offending = FORBIDDEN.findall(path.read_text("utf-8"))
    assert not offending, f"{path.relative_to(ROOT)} uses {offending}"


def test_there_are_pure_modules_to_check() -> None:
    assert len(PURE_FILES) > 10
