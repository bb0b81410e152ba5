"""The compiled screening core (infra/native.py): the same decisions as its Python source, and a
stale build is told.

The equivalence test screens the same generated payments, with the full SDN loaded, once with the
compiled core this checkout runs and once with a copy of rules/ that holds the Python sources only
(placed first on the path, so its plain modules are imported), and compares the digests of every
decision. It runs only where the core is compiled (`make install` compiles it; CI does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.common import FILES, ofac_dir
from infra import native

REPO = Path(__file__).resolve().parents[2]

SCREEN = """
import hashlib, sys
from datetime import UTC, datetime
from pathlib import Path
import rules.matching.names as names
from generator.traffic import TrafficSpec, generate
from infra.settings import Settings
from offline.screen import SourceRecord, screen_records
from schemas.codec import dumps
from screening.context_loader import context_from_settings
from screening.service import Screened

ctx = context_from_settings(Settings(_env_file=None, ofac_dir=Path(sys.argv[1])))
spec = TrafficSpec(count=1500, seed=31, start=datetime(2025, 6, 2, 6, tzinfo=UTC),
                   violation_rate=0.1)
records = [SourceRecord(f"t:{i}", r.value, r.content_type) for i, r in enumerate(generate(spec))]
digest, decided = hashlib.sha256(), 0
for result in screen_records(records, ctx, None, 1_048_576):
    if isinstance(result, Screened):
        digest.update(dumps(result.decision))
        decided += 1 if result.decision.findings else 0
print(names.__file__)
print(digest.hexdigest(), decided)
"""


def _run(ofac: Path, path_first: Path | None) -> tuple[str, str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DINARWATCH_")}
    if path_first is not None:
        env["PYTHONPATH"] = str(path_first)
    done = subprocess.run(
        [sys.executable, "-c", SCREEN, str(ofac)],
        capture_output=True,
        text=True,
        cwd=path_first or REPO,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    module, line = done.stdout.strip().splitlines()[-2:]
    digest, with_findings = line.split()
    return module, digest, int(with_findings)


@pytest.mark.skipif(not native.compiled(), reason="the core is not compiled here (NATIVE=0)")
def test_the_compiled_core_decides_exactly_as_its_python_source(tmp_path: Path) -> None:
    missing = [str(path) for path in FILES.values() if not path.exists()]
    if missing:
        pytest.skip(f"shared reference data not found: {', '.join(missing)}")
    ofac = tmp_path / "ofac"
    ofac.mkdir()
    ofac_dir(ofac)
    plain = tmp_path / "plain"
    shutil.copytree(REPO / "rules", plain / "rules", ignore=shutil.ignore_patterns("*.so"))

    module_c, digest_c, hits_c = _run(ofac, None)
    module_p, digest_p, hits_p = _run(ofac, plain)

    assert module_c.endswith(native.SUFFIX)  # the checkout's compiled module ran...
    assert module_p == str(plain / "rules" / "matching" / "names.py")  # ...and the plain one
    assert hits_c > 100  # the traffic exercises the rules: many decisions carry findings
    assert (digest_c, hits_c) == (digest_p, hits_p)


def _tree(root: Path) -> str:
    source = native.COMPILED[0]
    (root / source).parent.mkdir(parents=True)
    (root / source).write_text("x = 1\n")
    native.extension(source, root).write_bytes(b"")
    return source


def test_a_module_edited_after_its_build_is_stale(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    built = time.time() - 60
    os.utime(native.extension(source, tmp_path), (built, built))
    assert native.compiled(tmp_path) == [source]
    assert native.stale(tmp_path) == [source]
    assert native.describe(tmp_path).endswith("1 stale")


def test_a_module_it_does_not_compile_edited_after_the_build_is_stale(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    built = time.time() - 60
    os.utime(tmp_path / source, (built - 60, built - 60))
    os.utime(native.extension(source, tmp_path), (built, built))
    (tmp_path / "rules" / "pack.py").write_text("LIMIT = 2\n")  # a constant compiled code read
    assert native.stale(tmp_path) == ["rules/pack.py"]


def test_a_build_newer_than_its_sources_is_current(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    edited = time.time() - 60
    os.utime(tmp_path / source, (edited, edited))
    assert native.stale(tmp_path) == []
    assert native.describe(tmp_path) == f"compiled (1 of {len(native.COMPILED)} modules, mypyc)"


def test_no_build_is_plain_python(tmp_path: Path) -> None:
    assert native.compiled(tmp_path) == []
    assert native.describe(tmp_path) == "plain Python"
