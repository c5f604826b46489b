"""`icbt backup` and `icbt restore`: a consistent copy with a checksum, checked before restoring."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PG_URL
from flask import Flask

from icbt import audit
from icbt.db import db
from icbt.models.care import MoodCheckin
from icbt.models.people import User
from icbt.privacy.backup import sha256_of

needs_tools = pytest.mark.skipif(bool(PG_URL) and not shutil.which("pg_dump"),
                                 reason="pg_dump/pg_restore are not installed")


def _emails(app: Flask) -> list[str]:
    with app.app_context():
        emails = db.session.scalars(sa.select(User.email).order_by(User.email)).all()
        db.session.remove()
        return list(emails)


def _checkin(app: Flask, client_id: int, day: date, note: str) -> None:
    with app.app_context():
        db.session.add(MoodCheckin(client_id=client_id, day=day, mood=4, note=note))
        db.session.commit()
        db.session.remove()


@needs_tools
def test_backup_and_restore_round_trip(app: Flask, runner, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    _checkin(app, client.id, date(2026, 3, 1), "before the backup")
    with app.app_context():
        audit.record("view", actor_id=therapist.id, client_id=client.id)
        db.session.commit()
    out = tmp_path / "backups" / "copy.db"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sums = out.with_name(out.name + ".sha256")
    assert sums.read_text() == f"{sha256_of(out)}  {out.name}\n"  # sha256sum -c format
    assert out.stat().st_mode & 0o077 == 0  # health data: owner only

    make_user("client", therapist=therapist, email="after@example.org")
    _checkin(app, client.id, date(2026, 3, 2), "after the backup")
    assert "after@example.org" in _emails(app)

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert "after@example.org" not in _emails(app)
    with app.app_context():
        notes = db.session.scalars(sa.select(MoodCheckin.note)).all()
        assert notes == ["before the backup"]
        # The append-only guard came back with the schema.
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_event"))
        db.session.rollback()


@needs_tools
def test_restore_refuses_a_damaged_or_unchecked_backup(app: Flask, runner, make_user,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    make_user("therapist", email="kept@example.org")
    out = tmp_path / "copy.db"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    make_user("therapist", email="later@example.org")
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 1 and "checksum" in result.output
    assert "later@example.org" in _emails(app)  # nothing was replaced
    out.with_name(out.name + ".sha256").unlink()
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 1 and "missing" in result.output


@pytest.mark.skipif(bool(PG_URL), reason="SQLite online backup")
def test_sqlite_backup_is_consistent_while_a_writer_is_busy(app: Flask, runner, make_user,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    make_user("therapist", email="committed@example.org")
    with app.app_context():
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE user SET name = 'half-written'")
    try:
        out = tmp_path / "copy.db"
        result = runner.invoke(args=["backup", "--out", str(out)])
        assert result.exit_code == 0, result.output
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(out)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = [r[0] for r in copy.execute("SELECT name FROM user")]
    finally:
        copy.close()
    assert names and "half-written" not in names


def test_backup_default_path_is_in_the_instance_folder(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    if PG_URL and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    written = list((Path(app.instance_path) / "backups").glob("icbt-*"))
    assert len(written) == 2  # the copy and its .sha256
