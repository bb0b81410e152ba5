"""The one place that owns JSON options: every adapter serialises contracts through here.

Serialising once with pydantic's Rust core (model_dump_json) and parsing with
model_validate_json keeps a single pass per record and identical bytes for identical models.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)


def dumps(model: BaseModel) -> bytes:
    """Canonical bytes for a contract: None fields dropped, field order as declared."""
    return model.model_dump_json(exclude_none=True).encode()


def loads(model_type: type[ModelT], data: bytes | str) -> ModelT:
    """Parse and validate; raises pydantic.ValidationError with field paths on bad input."""
    return model_type.model_validate_json(data)


def dumps_plain(obj: Any) -> bytes:
    """For plain dict/list data (reports, labels): sorted keys so output is byte-stable."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
