"""icbt: guided internet-based CBT. `create_app` builds the Flask application."""

from __future__ import annotations

import logging
import os
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, request

from icbt import config as config_mod
from icbt.db import db

PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("icbt")


def _load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Apply defaults, then instance/config.py, then ICBT_* variables, then test_config."""
    app.config.from_object(config_mod.Defaults)
    instance_cfg = Path(app.instance_path) / "config.py"
    if instance_cfg.exists():
        values = runpy.run_path(str(instance_cfg))
        app.config.update({k: v for k, v in values.items() if k.isupper()})
    app.config.update(config_mod.env_overrides())
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "icbt.sqlite"
        )
    if not app.config.get("SECRET_KEY"):
        if app.config.get("PRODUCTION"):
            raise RuntimeError("Refusing to start: ICBT_SECRET_KEY is not set.")
        app.config["SECRET_KEY"] = config_mod.instance_secret_key(app.instance_path)
    if app.config.get("PRODUCTION"):
        problems = config_mod.check_production(dict(app.config))
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems) + ".")
        for warning in config_mod.production_warnings(dict(app.config)):
            log.warning("Production: %s.", warning)
    https = bool(app.config.get("HTTPS"))
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config.setdefault("OUTBOX_DIR", None)
    if not app.config.get("OUTBOX_DIR"):
        app.config["OUTBOX_DIR"] = os.path.join(app.instance_path, "outbox")
    if not app.config.get("CONTENT_DIR"):
        app.config["CONTENT_DIR"] = str(PACKAGE_DIR / "content")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


class App(Flask):
    """Flask, plus one retry of a GET whose write SQLite refused (see icbt.db)."""

    def full_dispatch_request(self) -> Any:  # noqa: D102 - Flask's, marking reads for icbt.db
        # icbt.db starts a GET's or HEAD's transactions as a reader; it reads this mark from
        # g, so nothing below the views looks at the request.
        g.icbt_reading_request = request.method in ("GET", "HEAD")
        return super().full_dispatch_request()

    def dispatch_request(self) -> Any:  # noqa: D102 - Flask's, with the retry
        try:
            return super().dispatch_request()
        except Exception as exc:
            from icbt.db import retry_with_write_lock

            if not retry_with_write_lock(exc):
                raise
            return super().dispatch_request()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an icbt application."""
    instance_path = os.environ.get("ICBT_INSTANCE_PATH")
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = str(test_config["INSTANCE_PATH"])
    app = App(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or str(Path.cwd() / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_config(app, test_config)

    from icbt import extensions

    db.init_app(app)
    extensions.init_app(app)

    from icbt.cli import commands
    from icbt.programs import store
    from icbt.review import flags
    from icbt.views import security

    store.init_app(app)
    flags.init_app(app)
    security.init_app(app)
    commands.init_app(app)

    from icbt.views import register_blueprints

    register_blueprints(app)
    return app
