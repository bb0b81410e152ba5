"""Indexes for the queue at a million cases: cases in queue order (most severe first, then
oldest), per status and overall, and cases by rule.

Read in index order, a queue page costs its rows whatever the number of cases; the total of a
status is an index-only count; `ix_alerts_rule_case` serves the `rule=` filter without reading
the alerts' JSON. Figures: bench/bench_desk_queue.py, docs/desk.md.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

QUEUE_ORDER: list[str | sa.TextClause] = [sa.text("severity_rank DESC"), "opened_at", "id"]


def upgrade() -> None:
    op.create_index("ix_cases_queue", "cases", QUEUE_ORDER, unique=False)
    op.create_index("ix_cases_status_queue", "cases", ["status", *QUEUE_ORDER], unique=False)
    op.create_index("ix_alerts_rule_case", "alerts", ["rule", "case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alerts_rule_case", table_name="alerts")
    op.drop_index("ix_cases_status_queue", table_name="cases")
    op.drop_index("ix_cases_queue", table_name="cases")
