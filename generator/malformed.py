"""Malformed records of the kinds real gateways send, each with a known rejection cause."""

from __future__ import annotations

import random
from typing import Any

import orjson

MALFORMED_KINDS: tuple[str, ...] = (
    "truncated-json",
    "missing-field",
    "wrong-type",
    "negative-amount",
    "naive-timestamp",
    "not-utf8",
    "oversized",
    "empty",
)


def make_malformed(rng: random.Random, kind: str, payment: dict[str, Any], max_bytes: int) -> bytes:
    """Bytes that the ingest agent must reject (and dead-letter) for the reason `kind`."""
    if kind == "truncated-json":
        raw = orjson.dumps(payment)
        return raw[: rng.randrange(10, len(raw) - 5)]
    if kind == "missing-field":
        payment.pop(rng.choice(["creditor_agent", "amount", "debtor", "value_date"]))
    elif kind == "wrong-type":
        payment["amount"] = "twelve thousand"
    elif kind == "negative-amount":
        payment["amount"] = "-" + payment["amount"]
    elif kind == "naive-timestamp":
        payment["created_at"] = payment["created_at"].rstrip("Z")
    elif kind == "not-utf8":
        return orjson.dumps(payment).replace(b'"name":"', b'"name":"\xff\xfe', 1)
    elif kind == "oversized":
        payment["remittance_info"] = "X" * (max_bytes + 1024)
    elif kind == "empty":
        return b""
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")
    return orjson.dumps(payment)
