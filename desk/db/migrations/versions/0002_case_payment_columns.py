"""Payment columns on cases for queue filters (parties, agent BICs, amount, value date) and the
prior status on actions, so a rejected proposal restores the case.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("debtor_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("creditor_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("debtor_agent_bic", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("creditor_agent_bic", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("amount", sa.Numeric(24, 4), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("value_date", sa.Date(), nullable=True))
        batch_op.create_index("ix_cases_debtor_agent_bic", ["debtor_agent_bic"], unique=False)
        batch_op.create_index("ix_cases_creditor_agent_bic", ["creditor_agent_bic"], unique=False)
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prior_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("prior_status")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_creditor_agent_bic")
        batch_op.drop_index("ix_cases_debtor_agent_bic")
        for column in (
            "value_date",
            "currency",
            "amount",
            "creditor_agent_bic",
            "debtor_agent_bic",
            "creditor_name",
            "debtor_name",
        ):
            batch_op.drop_column(column)
