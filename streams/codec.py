"""A faust.Schema that carries pydantic contracts, serialised once by schemas.codec.

faust.Record has known problems with nesting and generics (faust-streaming #556, #526, #384);
pydantic models are the project's contracts, so Faust carries them as bytes and this schema
converts at the edge. A value that fails validation raises Faust's ValueDecodeError.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import faust
from faust.exceptions import ValueDecodeError
from pydantic import BaseModel, ValidationError

from schemas.codec import dumps

ModelT = TypeVar("ModelT", bound=BaseModel)


class ModelSchema(faust.Schema, Generic[ModelT]):  # type: ignore[type-arg]
    """Values are `model` instances on the Python side and canonical JSON bytes on the wire."""

    def __init__(self, model: type[ModelT]) -> None:
        super().__init__(
            key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        )
        self.model = model

    def loads_value(
        self, app: Any, message: Any, *, loads: Any = None, serializer: Any = None
    ) -> ModelT:
        try:
            return self.model.model_validate_json(message.value)
        except ValidationError as exc:
            raise ValueDecodeError(str(exc)) from exc

    def dumps_value(
        self, app: Any, value: Any, *, serializer: Any = None, headers: Any
    ) -> tuple[Any, Any]:
        payload = dumps(value) if isinstance(value, BaseModel) else value
        return payload, headers
