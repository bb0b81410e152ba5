"""Run every benchmark in bench/ in turn (each prints its own figures)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    argparse.ArgumentParser(
        description="Run every bench/bench_*.py in turn with its defaults; no options."
    ).parse_args()
    failed = 0
    for script in sorted(BENCH.glob("bench_*.py")):
        print(f"\n=== {script.stem} ===", flush=True)
        failed += (
            subprocess.run([sys.executable, "-m", f"bench.{script.stem}"], check=False).returncode
            != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
