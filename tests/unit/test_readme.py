"""The README's configuration table and its Development block stay true to the product."""

from __future__ import annotations

import re
from pathlib import Path

from infra.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _table_variables() -> set[str]:
    rows = [line for line in _section("Configuration").splitlines() if line.startswith("| `")]
    first_cells = [row.split(" | ", 1)[0] for row in rows]
    return {name for cell in first_cells for name in re.findall(r"`(DINARWATCH_[A-Z0-9_]+)`", cell)}


def test_every_setting_is_in_the_configuration_table() -> None:
    documented = _table_variables()
    expected = {f"DINARWATCH_{name.upper()}" for name in Settings.model_fields}
    assert sorted(expected - documented) == [], "settings missing from the README table"


def test_the_table_names_no_setting_that_does_not_exist() -> None:
    expected = {f"DINARWATCH_{name.upper()}" for name in Settings.model_fields}
    assert sorted(_table_variables() - expected) == []


def test_code_blocks_are_closed_and_hold_no_links() -> None:
    """An unclosed fence once swallowed the links to delivery.md and security.md."""
    fences = re.findall(r"^```", README, re.M)
    assert len(fences) % 2 == 0
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", README, re.M | re.S)
    assert blocks
    assert [b for b in blocks if re.search(r"\]\((?:docs/|https?:)", b)] == []


def _prose(text: str) -> str:
    """The text outside code fences, as Markdown renders it: an unclosed fence runs to the
    end of the file."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return "\n".join(kept)


def test_the_documentation_index_links_delivery_and_security() -> None:
    prose = _prose(_section("Documentation"))
    for doc in ("docs/delivery.md", "docs/security.md", "docs/benchmarks.md"):
        assert f"]({doc})" in prose
        assert (Path(__file__).resolve().parents[2] / doc).is_file()
