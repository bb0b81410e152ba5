"""JSON Schemas generated from the contracts, checked in under schemas/jsonschema/.

Producers in other languages validate against these files; a test fails when the models and
the files drift apart. Regenerate with `make schemas` (python -m schemas.export).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel

from schemas.alert import Alert
from schemas.decision import Decision, Finding
from schemas.listentry import ListEntry
from schemas.payment import Agent, Party, Payment

CONTRACTS: dict[str, type[BaseModel]] = {
    "payment": Payment,
    "party": Party,
    "agent": Agent,
    "finding": Finding,
    "decision": Decision,
    "alert": Alert,
    "list_entry": ListEntry,
}
INPUTS = frozenset({"payment", "party", "agent"})
SCHEMA_DIR = Path(__file__).parent / "jsonschema"


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every contract's JSON Schema: inputs (payment, party, agent) as accepted, outputs as
    written (serialization mode: amounts are decimal strings)."""
    schemas = {}
    for name, model in CONTRACTS.items():
        mode: Literal["validation", "serialization"] = (
            "validation" if name in INPUTS else "serialization"
        )
        schema = model.model_json_schema(mode=mode, by_alias=True)
        schema["$id"] = f"https://dinarwatch.invalid/schemas/{name}.json"
        schemas[name] = schema
    return schemas


def render(schema: dict[str, Any]) -> bytes:
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.json"
        path.write_bytes(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        sys.stdout.write(f"wrote {path}\n")
