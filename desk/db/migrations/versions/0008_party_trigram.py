"""PostgreSQL only: trigram indexes on the debtor and creditor names, so the queue's party
search (a case-insensitive substring, `ILIKE '%…%'`) reads the matching cases instead of every
case. Needs the `pg_trgm` extension (shipped with Debian's postgresql package; a trusted
extension, so the database's owner may create it). Where it cannot be created the migration
leaves the search as it was (a scan) and says so in the log; SQLite has no such index.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("dinarwatch.desk.migrations")
INDEXES = {"ix_cases_debtor_trgm": "debtor_name", "ix_cases_creditor_trgm": "creditor_name"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as refused:
        log.warning(
            "pg_trgm could not be created (%s): the queue's party search scans every case",
            str(refused.orig).splitlines()[0] if refused.orig else "refused",
        )
        return
    for name, column in INDEXES.items():
        bind.execute(
            sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON cases USING gin ({column} gin_trgm_ops)")
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
