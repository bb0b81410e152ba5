"""`dinarwatch lists show|diff|load|publish` without a broker (publish --dry-run)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import cli.lists as cli_lists
from cli.app import app
from infra.settings import Settings

REPO = Path(__file__).resolve().parents[3]
CBI_YAML = REPO / "rules" / "data" / "cbi_usd_ban.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def plain_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Built-in lists only, whatever the developer's environment says."""
    monkeypatch.setattr(cli_lists, "get_settings", lambda: Settings(_env_file=None))


def sdn_dir(tmp: Path, rows: list[str]) -> Path:
    folder = tmp / f"ofac-{len(list(tmp.iterdir()))}"
    folder.mkdir()
    (folder / "sdn.csv").write_bytes(("\r\n".join(rows) + "\r\n\x1a").encode("cp1252"))
    return folder


ROW_A = '100,"ALPHA TRADING LLC",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
ROW_B = '200,"BETA BANK",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"SWIFT/BIC BETAIQBA."'
ROW_B2 = '200,"BETA BANK",-0- ,"SDGT] [IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
ROW_C = '300,"GAMMA SHIPPING",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '


def cbi_copy(tmp: Path, *, add: bool = False, drop: str | None = None, dup: bool = False) -> Path:
    doc = yaml.safe_load(CBI_YAML.read_text("utf-8"))
    batch = doc["batches"][-1]
    if drop:
        for b in doc["batches"]:
            b["entries"] = [e for e in b["entries"] if e["id"] != drop]
    if add:
        batch["entries"].append({"id": "cbi-t-tigris", "names": ["Tigris Valley Bank"]})
    if dup:
        batch["entries"].append(dict(batch["entries"][0]))
    path = tmp / f"cbi-{add}-{drop}-{dup}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return path


def test_show_prints_every_builtin_list_and_the_pack() -> None:
    result = runner.invoke(app, ["lists", "show"])
    assert result.exit_code == 0, result.output
    for name in ("cbi-usd-ban", "fincen-311", "iran-banks", "militia-fronts", "rule-pack:iraq"):
        assert name in result.output
    assert "built-in: rules/data/cbi_usd_ban.yaml" in result.output


def test_show_name_with_entries() -> None:
    result = runner.invoke(app, ["lists", "show", "fincen-311", "--entries"])
    assert result.exit_code == 0, result.output
    assert "Al-Huda Bank" in result.output
    assert "BHDAIQBA" in result.output


def test_show_entries_limit_and_file(tmp_path: Path) -> None:
    path = cbi_copy(tmp_path, add=True)
    result = runner.invoke(app, ["lists", "show", str(path), "--entries", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert f"file: {path}" in result.output
    assert "more (--limit 0 shows all)" in result.output


def test_show_unknown_name_fails() -> None:
    result = runner.invoke(app, ["lists", "show", "no-such-list"])
    assert result.exit_code == 2  # a bad argument (docs/cli.md)
    assert "no such list" in result.output


def test_diff_yaml_files(tmp_path: Path) -> None:
    old = cbi_copy(tmp_path, drop=None)
    new = cbi_copy(tmp_path, add=True, drop="cbi-b-elaf")
    result = runner.invoke(app, ["lists", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "+ cbi-t-tigris" in result.output
    assert "- cbi-b-elaf" in result.output
    assert "added 1, removed 1, changed 0" in result.output


def test_diff_ofac_folders_reports_changed_fields(tmp_path: Path) -> None:
    old = sdn_dir(tmp_path, [ROW_A, ROW_B])
    new = sdn_dir(tmp_path, [ROW_B2, ROW_C])
    result = runner.invoke(app, ["lists", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "+ ofac-sdn-300" in result.output
    assert "- ofac-sdn-100" in result.output
    assert "~ ofac-sdn-200" in result.output
    assert "programs +['IRAN']" in result.output
    assert "bics +[] -['BETAIQBA']" in result.output
    assert "added 1, removed 1, changed 1, unchanged 0" in result.output


def test_diff_current_list_against_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lists", "diff", "cbi-usd-ban", str(cbi_copy(tmp_path, add=True))])
    assert result.exit_code == 0, result.output
    assert "added 1, removed 0, changed 0" in result.output


def test_load_reports_problems(tmp_path: Path) -> None:
    good = runner.invoke(app, ["lists", "load", str(cbi_copy(tmp_path))])
    assert good.exit_code == 0, good.output
    bad = runner.invoke(app, ["lists", "load", str(cbi_copy(tmp_path, dup=True))])
    assert bad.exit_code == 1
    assert "duplicate entry id" in bad.output


def test_load_default_settings_and_ofac_with_published(tmp_path: Path) -> None:
    assert runner.invoke(app, ["lists", "load"]).exit_code == 0
    folder = sdn_dir(tmp_path, [ROW_A])
    result = runner.invoke(app, ["lists", "load", str(folder), "--published", "2024-05-03"])
    assert result.exit_code == 0, result.output
    assert "2024-05-03+" in result.output


def test_load_rejects_unknown_files(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = runner.invoke(app, ["lists", "load", str(path)])
    assert result.exit_code == 2
    assert f"{path}: not an OFAC folder" in result.output


def test_publish_dry_run_sends_nothing(tmp_path: Path) -> None:
    pack = REPO / "rules" / "packs" / "iraq.yaml"
    result = runner.invoke(
        app,
        ["lists", "publish", str(cbi_copy(tmp_path)), str(pack), "--delete", "x", "--dry-run"],
    )
    assert result.exit_code == 0, result.output
    assert "would send cbi-usd-ban:" in result.output
    assert "would send rule-pack:iraq:" in result.output
    assert "would send x: tombstone" in result.output


def test_publish_refuses_problems_and_nothing(tmp_path: Path) -> None:
    assert runner.invoke(app, ["lists", "publish"]).exit_code == 2  # nothing given
    bad = runner.invoke(app, ["lists", "publish", str(cbi_copy(tmp_path, dup=True)), "--dry-run"])
    assert bad.exit_code == 1
    assert "not published" in bad.output
