"""Parse throughput per format, one core: messages/s of parse_message on generated messages.

    .venv/bin/python bench/bench_parsers.py [--count N]      (default N=3000)

Messages come from the synthetic generator's clean payments rendered by schemas.render, so
they look like the traffic the worker sees. Prints plain lines of figures; no assertions.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.traffic import clean_payment  # noqa: E402
from schemas.parsers import DEFAULT_XSD_DIR, parse_message  # noqa: E402
from schemas.payment import Payment  # noqa: E402
from schemas.render import render_mt103, render_pacs008  # noqa: E402

FED_COV = (
    ROOT.parent
    / "shared/data/iso20022/samples/fedwire_moov_wire20022/pacs.009"
    / "FICreditTransfer_Scenario6_Step1_pacs.009.xml"
)


def payments(n: int) -> list[Payment]:
    rng = random.Random(7)
    start = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
    return [
        Payment.model_validate(
            clean_payment(rng, f"SYN-{i:08d}", start + timedelta(seconds=i), 0.8)
        )
        for i in range(n)
    ]


def measure(label: str, messages: list[bytes], parse: Callable[[bytes], object]) -> None:
    parse(messages[0])  # warm caches (compiled XSD)
    began = time.perf_counter()
    for raw in messages:
        parse(raw)
    elapsed = time.perf_counter() - began
    size = sum(len(m) for m in messages) / len(messages)
    print(
        f"{label:<34} {len(messages) / elapsed:>9,.0f} msg/s  "
        f"{elapsed / len(messages) * 1e6:>7.1f} us/msg  avg {size:,.0f} B"
    )


def xmlschema_comparison(messages: list[bytes]) -> None:
    """The slower pure-Python validator, for the record (docs/parsers.md explains the choice)."""
    import xmlschema

    schema = xmlschema.XMLSchema(str(DEFAULT_XSD_DIR / "iso_official" / "pacs.008.001.08.xsd"))
    sample = messages[: max(1, len(messages) // 10)]
    measure("xmlschema validate only (pacs.008)", sample, lambda raw: schema.validate(raw.decode()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="messages per format")
    n = parser.parse_args().count
    batch = payments(n)
    json_messages = [orjson.dumps(p.model_dump(mode="json")) for p in batch]
    pacs008 = [render_pacs008(p) for p in batch]
    mt103 = [render_mt103(p) for p in batch]
    print(f"parse_message throughput, one core, N={n} generated messages per format")
    measure("json (canonical)", json_messages, parse_message)
    measure("pacs.008.001.08 + XSD validation", pacs008, parse_message)
    with tempfile.TemporaryDirectory() as empty:
        no_xsd = Path(empty)
        measure("pacs.008.001.08 without XSD", pacs008, lambda r: parse_message(r, xsd_dir=no_xsd))
    measure("mt103", mt103, parse_message)
    if FED_COV.exists():
        measure("pacs.009 COV (Fed sample, repeated)", [FED_COV.read_bytes()] * n, parse_message)
    xmlschema_comparison(pacs008)


if __name__ == "__main__":
    main()
