"""lists/files.py: lists load from a manifest; a file not the pinned one is refused."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from lists.files import (
    ListFileError,
    ListManifest,
    ListSource,
    builtin_lists,
    builtin_manifest,
    load_manifest_lists,
    load_rule_pack,
    read_manifest,
)
from rules.lists.cbi import CBI_LIST
from tests.unit.rules.conftest import SET_2021, need

SMALL_LIST = """\
list: militia-fronts
title: test
updated: 2025-01-01
entries:
  - {id: m-1, names: [Test Front], legal_source: test}
"""


def test_builtin_manifest_names_every_packaged_list() -> None:
    names = [s.name for s in builtin_manifest().lists]
    assert names[0] == CBI_LIST
    assert set(names) == set(builtin_lists().lists)


def test_manifest_file_with_hash_loads_and_resolves_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "fronts.yaml").write_text(SMALL_LIST, "utf-8")
    digest = hashlib.sha256(SMALL_LIST.encode()).hexdigest()
    (tmp_path / "manifest.yaml").write_text(
        "lists:\n"
        f"  - {{name: militia-fronts, source: builtin, path: fronts.yaml, sha256: {digest}}}\n",
        "utf-8",
    )
    lists = load_manifest_lists(read_manifest(tmp_path / "manifest.yaml"))
    (entry,) = lists.lists["militia-fronts"].entries
    assert entry.entry_id == "m-1"


def test_a_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "fronts.yaml").write_text(SMALL_LIST, "utf-8")
    source = ListSource(
        name="militia-fronts", source="builtin", path=str(tmp_path / "fronts.yaml"), sha256="00"
    )
    with pytest.raises(ListFileError, match=r"fronts\.yaml has SHA-256 .* the manifest expects 00"):
        load_manifest_lists(ListManifest(lists=[source]))


def test_a_missing_file_is_one_line_naming_it(tmp_path: Path) -> None:
    source = ListSource(name="x", source="builtin", path=str(tmp_path / "nope.yaml"))
    with pytest.raises(ListFileError, match=r"cannot read list file .*nope\.yaml"):
        load_manifest_lists(ListManifest(lists=[source]))


def test_a_misspelt_manifest_key_is_an_error() -> None:
    with pytest.raises(ValidationError, match="sha265"):
        ListManifest.model_validate(
            {"lists": [{"name": "x", "source": "builtin", "path": "x.yaml", "sha265": "0"}]}
        )


def test_ofac_folder_with_version_and_hash() -> None:
    folder = need(SET_2021)
    digest = hashlib.sha256((folder / "sdn.csv").read_bytes()).hexdigest()
    source = ListSource(
        name="ofac-sdn", source="ofac-csv", path=str(folder), version="2021-07-07", sha256=digest
    )
    reference = load_manifest_lists(ListManifest(lists=[source])).lists["ofac-sdn"]
    assert reference.published == date(2021, 7, 7) and len(reference) > 1000
    bad = source.model_copy(update={"sha256": "0" * 64})
    with pytest.raises(ListFileError, match=r"sdn\.csv has SHA-256"):
        load_manifest_lists(ListManifest(lists=[bad]))


def test_rule_pack_from_the_package_and_from_a_file(tmp_path: Path) -> None:
    assert load_rule_pack().name == "iraq"
    (tmp_path / "p.yaml").write_text("name: what-if\nversion: '1'\nrules: {}\n", "utf-8")
    assert load_rule_pack(tmp_path / "p.yaml").name == "what-if"
