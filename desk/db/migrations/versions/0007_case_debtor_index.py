"""Indexes for the pages: cases by debtor name, newest first (the case page lists the
debtor's other flagged payments without reading every case), and alerts by the time they were
raised (the dashboard reads the last days' alerts only).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_debtor_recent", "cases", ["debtor_name", sa.text("opened_at DESC")], unique=False
    )
    op.create_index("ix_alerts_raised_at", "alerts", ["raised_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alerts_raised_at", table_name="alerts")
    op.drop_index("ix_cases_debtor_recent", table_name="cases")
