"""Alembic environment: runs on the engine the desk passes in `config.attributes["engine"]`
(desk/db/engine.py), so migrations need no alembic.ini and no second copy of the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from desk.db.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("desk migrations run through desk.db.engine.upgrade(engine)")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
    )
    with context.begin_transaction():
        context.run_migrations()
