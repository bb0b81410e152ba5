"""Many rows in one statement, for ingest: INSERT ... ON CONFLICT DO NOTHING RETURNING and
UPDATE ... by id.

On PostgreSQL the batch travels as one JSON parameter that `json_to_recordset` turns back
into typed rows, so a batch of 500 alerts is one short statement: the server parses and plans
it once, the driver neither splits a 10,000-placeholder VALUES list nor escapes arrays element
by element, and statement-level triggers (migration 0009) run once per batch. On SQLite
(in-process, no round trips) the same statements run as executemany.

`where` adds conditions on the target row against the new values, written once for both
backends: `where(table, source)` gets the table and a source whose `.c` are the new values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Row,
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Where = Callable[[Table, Any], ColumnElement[bool]]


class _Columns(dict[str, Any]):
    """`source.c.name` and `source.c["name"]`, as on a table."""

    def __getattr__(self, name: str) -> Any:
        return self[name]


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _source(
    table: Table, columns: Sequence[str], rows: list[dict[str, Any]]
) -> tuple[Any, dict[str, str]]:
    """The rows as `json_to_recordset(:rows) AS new(column type, ...)` and its one parameter:
    the whole batch as one JSON text (orjson), which the server turns back into typed rows."""
    typed = [column(name, table.c[name].type) for name in columns]
    derived = (
        func.json_to_recordset(cast(bindparam("new_rows", type_=Text), JSON))
        .table_valued(*typed, name="new")
        .render_derived(with_types=True)
    )
    payload = orjson.dumps([{name: row[name] for name in columns} for row in rows], default=_plain)
    return derived, {"new_rows": payload.decode()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


def insert_new(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    conflict: str,
    returning: Sequence[str],
) -> list[Row[Any]]:
    """Insert the rows whose `conflict` key is not there yet; returns `returning` of each row
    inserted (none for the rows skipped)."""
    if not rows:
        return []
    columns = list(rows[0])
    back = [table.c[name] for name in returning]
    if _postgresql(session):
        source, params = _source(table, columns, rows)
        statement = (
            postgresql.insert(table)
            .from_select(columns, select(*(source.c[c] for c in columns)))
            .on_conflict_do_nothing(index_elements=[conflict])
            .returning(*back)
        )
        return list(session.connection().execute(statement, params))
    result = session.connection().execute(
        sqlite.insert(table).on_conflict_do_nothing(index_elements=[conflict]).returning(*back),
        rows,
    )
    return list(result)


def update_by_id(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    where: Where | None = None,
    key: str = "id",
) -> None:
    """Set each row's columns on the row of `table` whose `key` it names."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if _postgresql(session):
        source, params = _source(table, [key, *columns], rows)
        statement = (
            update(table)
            .where(table.c[key] == source.c[key])
            .values({c: source.c[c] for c in columns})
        )
        if where is not None:
            statement = statement.where(where(table, source))
        session.connection().execute(statement, params)
        return
    # executemany: the parameters are named b_<column> (a bind may not share a column's name)
    params_source = SimpleNamespace(
        c=_Columns({c: bindparam(f"b_{c}", type_=table.c[c].type) for c in [key, *columns]})
    )
    statement = (
        update(table)
        .where(table.c[key] == params_source.c[key])
        .values({c: params_source.c[c] for c in columns})
    )
    if where is not None:
        statement = statement.where(where(table, params_source))
    session.connection().execute(
        statement, [{f"b_{c}": row[c] for c in [key, *columns]} for row in rows]
    )
