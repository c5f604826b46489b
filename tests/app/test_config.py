"""Configuration order, the generated secret key, and SQLite pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from icbt import create_app
from icbt.db import db


def test_defaults_give_sqlite_in_instance_and_a_generated_secret(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("ICBT_DATABASE_URL", "ICBT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/icbt.sqlite"
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32
    assert (tmp_path / "secret_key").read_text() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    again = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert again.config["SECRET_KEY"] == key


def test_instance_config_then_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.py").write_text('CLINIC_NAME = "From file"\nSMTP_PORT = 2525\n')
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["CLINIC_NAME"] == "From file" and app.config["SMTP_PORT"] == 2525
    monkeypatch.setenv("ICBT_CLINIC_NAME", "From env")
    monkeypatch.setenv("ICBT_SMTP_PORT", "587")
    monkeypatch.setenv("ICBT_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    monkeypatch.setenv("ICBT_SECRET_KEY", "k" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["CLINIC_NAME"] == "From env"
    assert app.config["SMTP_PORT"] == 587
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite")
    assert app.config["SECRET_KEY"] == "k" * 40


def test_https_makes_cookies_secure(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICBT_HTTPS", "1")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("key", [None, "short", "changeme"])
def test_production_refuses_weak_secret(tmp_path: Path, monkeypatch, key) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICBT_PRODUCTION", "1")
    monkeypatch.delenv("ICBT_SECRET_KEY", raising=False)
    if key:
        monkeypatch.setenv("ICBT_SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="Refusing to start"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_sqlite_has_foreign_keys_and_wal(app) -> None:  # type: ignore[no-untyped-def]
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
