"""language: each account's language for pages and emails

Revision ID: 0010_language
Revises: (see down_revision)
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_language"
down_revision = "0009_consent"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
