"""review: review_state (what the queue shows of each client, when to look again); indexes
for when each client last checked in and last changed an entry

Revision ID: 0008_review_state
Revises: (see down_revision)
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_review_state"
down_revision = "0007_data"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_state",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("program_slug", sa.String(length=80), nullable=True),
        sa.Column("week", sa.Integer(), nullable=True),
        sa.Column("homework_done", sa.Integer(), nullable=False),
        sa.Column("homework_total", sa.Integer(), nullable=False),
        sa.Column("last_activity", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["user.id"],
                                name=op.f("fk_review_state_client_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_review_state")),
    )
    op.create_index(op.f("ix_review_state_due_at"), "review_state", ["due_at"], unique=False)
    op.create_index("ix_mood_checkin_client_created", "mood_checkin", ["client_id", "created_at"],
                    unique=False)
    op.create_index("ix_entry_client_updated", "entry", ["client_id", "updated_at"], unique=False)


def downgrade():
    op.drop_index("ix_entry_client_updated", table_name="entry")
    op.drop_index("ix_mood_checkin_client_created", table_name="mood_checkin")
    op.drop_index(op.f("ix_review_state_due_at"), table_name="review_state")
    op.drop_table("review_state")
