"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from icbt.db import db


def test_migrations_match_models(app: Flask) -> None:
    with app.app_context():
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrations_form_one_line(app: Flask) -> None:
    """One head: `icbt db upgrade` works without naming a branch."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(app.extensions["migrate"].directory).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
