"""consent: each time a client agrees to a version of the privacy notice

Revision ID: 0009_consent
Revises: (see down_revision)
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_consent"
down_revision = "0008_review_state"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("notice_sha256", sa.String(length=64), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["user.id"],
                                name=op.f("fk_consent_client_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index("ix_consent_client_agreed", "consent", ["client_id", "agreed_at"],
                    unique=False)


def downgrade():
    op.drop_index("ix_consent_client_agreed", table_name="consent")
    op.drop_table("consent")
