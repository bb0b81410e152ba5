"""The desk's database: SQLAlchemy models, engine and session setup, Alembic migrations."""
