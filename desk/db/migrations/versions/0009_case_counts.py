"""Queue totals and the rule filter at a million cases: `case_rules` (each case's rules, with
its status, severity and age, indexed in queue order), `case_counts` (cases per status,
severity and rule) and `case_count_deltas`, all kept by triggers in the transaction that writes
a case or an alert, whatever code writes it; cases by assignee in queue order and by bank
(the BIC's first 8 characters); and the indexes no query needs any more dropped (each cost
every ingest insert).

Counters are never updated in place by the writers: a trigger appends +1/-1 rows to
`case_count_deltas`, and `desk.counts.fold` moves them into `case_counts` (ingest does it on
every poll). So ingest and an analyst's action never wait on a shared counter row, and no
order of locks between them can deadlock. A queue total is the sum of the matching rows of
both tables (a few hundred rows whatever the number of cases).

On PostgreSQL the insert triggers are per statement (transition tables): ingest's one
multi-row INSERT per batch costs one trigger call. The alert trigger reads the alert's case
`FOR SHARE`, so an analyst changing the case's status at the same moment either comes first
(and the new rule row takes the new status) or waits. SQLite has one writer at a time and row
triggers only.

SQLite re-creates a table for most ALTERs (`batch_alter_table`) and drops its triggers with it:
a later migration that batch-alters `cases` or `alerts` must create these triggers again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

QUEUE_ORDER: list[str | sa.TextClause] = [sa.text("severity_rank DESC"), "opened_at"]

BACKFILL = (
    """
    INSERT INTO case_rules (case_id, rule, status, severity, severity_rank, opened_at)
    SELECT c.id, r.rule, c.status, c.severity, c.severity_rank, c.opened_at
    FROM (SELECT DISTINCT case_id, rule FROM alerts) AS r JOIN cases AS c ON c.id = r.case_id
    """,
    """
    INSERT INTO case_counts (status, severity, rule, n)
    SELECT status, severity, '', count(*) FROM cases GROUP BY status, severity
    UNION ALL
    SELECT status, severity, rule, count(*) FROM case_rules GROUP BY status, severity, rule
    """,
)

_CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.severity IS DISTINCT FROM NEW.severity "
    "OR OLD.severity_rank IS DISTINCT FROM NEW.severity_rank"
)

POSTGRESQL = (
    """
    CREATE FUNCTION desk_cases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT status, severity, '', count(*) FROM desk_new_cases GROUP BY status, severity;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER desk_cases_inserted AFTER INSERT ON cases
    REFERENCING NEW TABLE AS desk_new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION desk_cases_inserted()
    """,
    """
    CREATE FUNCTION desk_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT OLD.status, OLD.severity, r.rule, -1
        FROM (SELECT CAST('' AS VARCHAR(50)) AS rule
              UNION ALL SELECT rule FROM case_rules WHERE case_id = OLD.id) AS r
        UNION ALL
        SELECT NEW.status, NEW.severity, r.rule, 1
        FROM (SELECT CAST('' AS VARCHAR(50)) AS rule
              UNION ALL SELECT rule FROM case_rules WHERE case_id = NEW.id) AS r;
        UPDATE case_rules
        SET status = NEW.status, severity = NEW.severity, severity_rank = NEW.severity_rank
        WHERE case_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE TRIGGER desk_case_changed AFTER UPDATE OF status, severity, severity_rank ON cases
    FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION desk_case_changed()
    """,
    """
    CREATE FUNCTION desk_alerts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH added AS (
            INSERT INTO case_rules (case_id, rule, status, severity, severity_rank, opened_at)
            SELECT c.id, a.rule, c.status, c.severity, c.severity_rank, c.opened_at
            FROM (SELECT DISTINCT case_id, rule FROM desk_new_alerts) AS a
            JOIN cases AS c ON c.id = a.case_id
            ORDER BY c.id
            FOR SHARE OF c
            ON CONFLICT DO NOTHING
            RETURNING status, severity, rule
        )
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT status, severity, rule, count(*) FROM added GROUP BY status, severity, rule;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER desk_alerts_inserted AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS desk_new_alerts
    FOR EACH STATEMENT EXECUTE FUNCTION desk_alerts_inserted()
    """,
)

SQLITE = (
    """
    CREATE TRIGGER desk_cases_inserted AFTER INSERT ON cases BEGIN
        INSERT INTO case_count_deltas (status, severity, rule, n)
        VALUES (NEW.status, NEW.severity, '', 1);
    END
    """,
    """
    CREATE TRIGGER desk_case_changed AFTER UPDATE OF status, severity, severity_rank ON cases
    WHEN OLD.status IS NOT NEW.status OR OLD.severity IS NOT NEW.severity
        OR OLD.severity_rank IS NOT NEW.severity_rank
    BEGIN
        INSERT INTO case_count_deltas (status, severity, rule, n)
        VALUES (OLD.status, OLD.severity, '', -1), (NEW.status, NEW.severity, '', 1);
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT OLD.status, OLD.severity, rule, -1 FROM case_rules WHERE case_id = OLD.id;
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT NEW.status, NEW.severity, rule, 1 FROM case_rules WHERE case_id = NEW.id;
        UPDATE case_rules
        SET status = NEW.status, severity = NEW.severity, severity_rank = NEW.severity_rank
        WHERE case_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER desk_alerts_inserted AFTER INSERT ON alerts
    WHEN NOT EXISTS (SELECT 1 FROM case_rules WHERE case_id = NEW.case_id AND rule = NEW.rule)
    BEGIN
        INSERT INTO case_rules (case_id, rule, status, severity, severity_rank, opened_at)
        SELECT id, NEW.rule, status, severity, severity_rank, opened_at
        FROM cases WHERE id = NEW.case_id;
        INSERT INTO case_count_deltas (status, severity, rule, n)
        SELECT status, severity, NEW.rule, 1 FROM cases WHERE id = NEW.case_id;
    END
    """,
)

BANK_INDEXES = {
    "ix_cases_debtor_bank": "debtor_agent_bic",
    "ix_cases_creditor_bank": "creditor_agent_bic",
}
"""The queue's bank filter (`desk.cases.bic8`): the institution, the BIC's first 8 characters."""

REDUNDANT = (
    ("ix_cases_status", "cases"),  # a prefix of ix_cases_status_queue
    ("ix_cases_severity_rank", "cases"),  # a prefix of ix_cases_queue
    ("ix_alerts_rule", "alerts"),  # the rule filter and the rule names read case_rules now
    ("ix_alerts_rule_case", "alerts"),
)
"""Indexes every case or alert insert paid for and no query needs any more."""

TRIGGERS = ("desk_alerts_inserted", "desk_case_changed", "desk_cases_inserted")


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:
        # no case or alert written between the backfill and the triggers
        op.execute(sa.text("LOCK TABLE cases, alerts IN SHARE ROW EXCLUSIVE MODE"))
    op.create_table(
        "case_rules",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("severity_rank", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "rule"),
    )
    op.create_table(
        "case_counts",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "severity", "rule"),
    )
    op.create_table(
        "case_count_deltas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for statement in BACKFILL:
        op.execute(sa.text(statement))
    op.create_index("ix_case_rules_queue", "case_rules", ["rule", *QUEUE_ORDER, "case_id"])
    op.create_index(
        "ix_case_rules_status_queue", "case_rules", ["rule", "status", *QUEUE_ORDER, "case_id"]
    )
    op.create_index("ix_cases_assignee_queue", "cases", ["assignee_id", *QUEUE_ORDER, "id"])
    for name, column in BANK_INDEXES.items():
        op.create_index(name, "cases", [sa.text(f"substr({column}, 1, 8)")])
    for name, table in REDUNDANT:
        op.drop_index(name, table_name=table)
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(sa.text(statement))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        table = "alerts" if name == "desk_alerts_inserted" else "cases"
        op.execute(
            sa.text(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            if postgresql
            else sa.text(f"DROP TRIGGER IF EXISTS {name}")
        )
        if postgresql:
            op.execute(sa.text(f"DROP FUNCTION IF EXISTS {name}()"))
    op.create_index("ix_alerts_rule_case", "alerts", ["rule", "case_id"])
    op.create_index("ix_alerts_rule", "alerts", ["rule"])
    op.create_index("ix_cases_severity_rank", "cases", ["severity_rank"])
    op.create_index("ix_cases_status", "cases", ["status"])
    for name in BANK_INDEXES:
        op.drop_index(name, table_name="cases")
    op.drop_index("ix_cases_assignee_queue", table_name="cases")
    op.drop_table("case_count_deltas")
    op.drop_table("case_counts")
    op.drop_table("case_rules")
