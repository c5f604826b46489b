"""Flask extensions, joined to the app in init_app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from icbt.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
migrate = Migrate()

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def init_app(app: Flask) -> None:
    """Join every extension to the app."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says it itself
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app)  # icbt.views.language sets the locale selector
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def upgrade_db() -> None:
    """Bring the database schema up to date (Alembic)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory, revision="head")
