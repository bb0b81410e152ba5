"""The list entry's content hash on exceptions (taken at approval: an exception never covers an
entry changed since), and the queue's index (status, severity, age) for the default ordering.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
