"""auth: TOTP replay guard and the pending sign-in email on user

Revision ID: 0006_auth
Revises: (see down_revision)
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_auth"
down_revision = "0005_review"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("pending_email")
        batch_op.drop_column("totp_last_step")
