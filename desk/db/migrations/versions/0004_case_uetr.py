"""The payment's UETR on cases, indexed, so the queue finds a case by the SWIFT gpi reference.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uetr", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_cases_uetr", ["uetr"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_uetr")
        batch_op.drop_column("uetr")
