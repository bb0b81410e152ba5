"""The screening core compiled to C with mypyc: which modules, how to build them, and whether the
build in place is current.

Why: the screening core (rules/) is pure, fully typed Python (mypy --strict), so mypyc compiles
it unchanged into C extension modules that sit beside their sources (`rules/matching/names.
cpython-311-x86_64-linux-gnu.so` beside `names.py`). Python imports an extension module before
a source file of the same name, so a build in place is used by every entry point (worker,
`screen`, `replay`, the desk, tests) with no switch. The code is the same: the decisions are the
same, byte for byte (bench/bench_screen.py prints their digest), only faster (docs/benchmarks.md
gives the figures). Without a C compiler, or with `make install NATIVE=0`, nothing is compiled
and the same modules run as plain Python.

A stale build is the one hazard: an extension module shadows its source, so an edit to
`names.py` has no effect until the module is compiled again. `make` rebuilds when any source
of the core is newer than the last build; `stale()` tells which sources of rules/ were edited
after the build, and the test suite refuses to start on a stale build (tests/conftest.py).

    python -m infra.native build    # compile COMPILED in place (about a minute)
    python -m infra.native clean    # delete the compiled modules: plain Python again
    python -m infra.native check    # which modules load compiled; exit 1 if one is stale

Exit status: 0 done; 1 stale build (check) or failed build (build: the log is build/native.log).
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPILED: tuple[str, ...] = (
    "rules/matching/names.py",
    "rules/matching/normalize.py",
    "rules/matching/variants.py",
    "rules/matching/arabic.py",
    "rules/matching/glyphs.py",
    "rules/listmatch.py",
    "rules/party_cache.py",
    "rules/mentions.py",
    "rules/context.py",
    "rules/iran.py",
    "rules/engine.py",
    "rules/sdn.py",
    "rules/cbi.py",
    "rules/fincen.py",
    "rules/militia.py",
    "rules/more_lists.py",
    "rules/energy.py",
    "rules/vessel.py",
    "rules/suppression.py",
    "rules/session.py",
    "rules/windows/patterns.py",
    "rules/windows/transition.py",
)
"""The hot path of screening a payment (the profile in docs/benchmarks.md). Modules that define
pydantic models (rules/pack.py, rules/windows/state.py) stay Python: mypyc cannot compile a class
with pydantic's metaclass."""
GROUP = "rules.native"
"""The name of the library the compiled modules share (`rules/native__mypyc....so`): inside the
rules package, so that an installed dinarwatch finds it wherever it runs (mypyc's default puts
it at the top level, beside the packages, where only a process started in the repository
finds it)."""
SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
group, *paths = sys.argv[1:]
setup(ext_modules=mypycify(paths, group_name=group), script_args=["build_ext", "--inplace"])
"""
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
SHARED_LIB = ROOT / (GROUP.replace(".", "/") + "__mypyc" + SUFFIX)
LOG = ROOT / "build" / "native.log"


def extension(source: str, root: Path = ROOT) -> Path:
    """Where the compiled module of `source` (a path under `root`) lives."""
    return root / (source.removesuffix(".py") + SUFFIX)


def compiled(root: Path = ROOT) -> list[str]:
    """The modules of COMPILED that have a compiled module in place."""
    return [source for source in COMPILED if extension(source, root).exists()]


def stale(root: Path = ROOT) -> list[str]:
    """Sources of rules/ edited after the build: their edits are not in effect (a compiled
    module shadows its source, and may have taken a constant of a module it imports)."""
    done = compiled(root)
    if not done:
        return []
    built = min(extension(source, root).stat().st_mtime for source in done)
    return sorted(
        path.relative_to(root).as_posix()
        for path in (root / "rules").rglob("*.py")
        if path.stat().st_mtime > built
    )


def describe(root: Path = ROOT) -> str:
    """One phrase for logs and `worker --check`: how the core runs here."""
    done, old = compiled(root), stale(root)
    if not done:
        return "plain Python"
    state = f"compiled ({len(done)} of {len(COMPILED)} modules, mypyc)"
    return f"{state}, {len(old)} stale" if old else state


def clean() -> int:
    """Delete every compiled module (and mypyc's shared library); the number deleted."""
    found = [extension(source) for source in compiled()]
    if SHARED_LIB.exists():
        found.append(SHARED_LIB)
    for path in found:
        path.unlink()
    return len(found)


def build() -> int:
    """Compile COMPILED in place with mypyc (the project's mypy settings); 0 or 1."""
    clean()
    LOG.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    env = {**os.environ, "MYPYC_OPT_LEVEL": os.environ.get("MYPYC_OPT_LEVEL", "3")}
    with LOG.open("w") as log:
        done = subprocess.run(
            [sys.executable, "-c", SETUP, GROUP, *COMPILED],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    for source in compiled():
        # setuptools copies a module whose C code did not change with its old time, which
        # would read as stale: the build as a whole is as new as now.
        extension(source).touch()
    if done.returncode != 0 or stale() or len(compiled()) != len(COMPILED):
        clean()
        print(
            f"native: compiling the screening core failed (exit {done.returncode}); see {LOG}. "
            "dinarwatch runs it as plain Python: same decisions, slower.",
            file=sys.stderr,
        )
        return 1
    print(
        f"native: compiled {len(COMPILED)} modules of rules/ in {time.monotonic() - started:.0f} s"
    )
    return 0


def check() -> int:
    """Print which modules load compiled; 1 when one is stale."""
    old = stale()
    done = compiled()
    print(f"native: {len(done)} of {len(COMPILED)} modules compiled")
    for source in old:
        print(f"native: {source} changed after the core was compiled: run `make install`")
    return 1 if old else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "clean", "check"))
    command = parser.parse_args(argv).command
    if command == "build":
        return build()
    if command == "clean":
        print(f"native: deleted {clean()} compiled modules")
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
