"""The desk's database: SQLAlchemy models, engine and session setup, Alembic migrations."""

DEFAULT_DB_URL = "sqlite:///.dinarwatch-desk.db"
"""The embedded default: one desk, `make demo`; production points --db at PostgreSQL."""
