"""The screening core and the contracts stay pure: no I/O libraries, no environment, no files."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(
    r"^\s*(?:import|from)\s+(faust|kafka|aiokafka|prometheus_client|httpx|requests|aiohttp"
    r"|infra|lists|screening|streams|offline|generator|alerts|desk|cli)\b"
    r"|os\.environ|os\.getenv|datetime\.now\(|date\.today\(|time\.time\(|^\s*global\s",
    re.MULTILINE,
)
# rules/ parses the bytes and text it is given; reading files is lists/files.py's job.
FILE_READS = re.compile(
    r"(?<![\w.])open\(|\.read_text\(|\.read_bytes\(|\.open\(|importlib\.resources"
    r"|from\s+importlib\s+import\s+resources|\.is_file\(|\.is_dir\(|\.exists\(|\.iterdir\(",
)
RULE_FILES = sorted((ROOT / "rules").rglob("*.py"))
PURE_FILES = RULE_FILES + sorted((ROOT / "schemas").rglob("*.py"))


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_is_pure(path: Path) -> None:
    offending = FORBIDDEN.findall(path.read_text("utf-8"))
    assert not offending, f"{path.relative_to(ROOT)} uses {offending}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_read_no_files(path: Path) -> None:
    offending = FILE_READS.findall(path.read_text("utf-8"))
    assert not offending, f"{path.relative_to(ROOT)} reads files: {offending}"


def test_the_file_read_check_can_fail() -> None:
    for line in (
        'Path("x").read_text("utf-8")',
        "data = path.read_bytes()",
        "from importlib import resources",
        "with open(name) as handle:",
        "if folder.is_file():",
    ):
        assert FILE_READS.search(line), line
    assert not FILE_READS.search("reopen(x); text.open_interval")


def test_there_are_pure_modules_to_check() -> None:
    assert len(PURE_FILES) > 10
    assert any(p.name == "listmatch.py" for p in RULE_FILES)
