"""review: flag.cleared_at, and at most one open flag per client and rule kind

Revision ID: 0005_review
Revises: (see down_revision)
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_review"
down_revision = "0004_lessons"
branch_labels = None
depends_on = None

OPEN_RULE = sa.text("closed_at IS NULL AND kind != 'risk'")


def upgrade():
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cleared_at", sa.DateTime(), nullable=True))
    op.create_index("uq_flag_open_rule", "flag", ["client_id", "kind"], unique=True,
                    sqlite_where=OPEN_RULE, postgresql_where=OPEN_RULE)


def downgrade():
    op.drop_index("uq_flag_open_rule", table_name="flag")
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.drop_column("cleared_at")
