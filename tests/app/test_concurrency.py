"""SQLite under concurrent writes: four processes, 200 entries each, none lost, never "locked"."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PG_URL
from flask import Flask

from icbt.db import db
from icbt.models.care import Entry

WRITERS, EACH = 4, 200
HERE = Path(__file__).parents[1]


@pytest.mark.skipif(bool(PG_URL), reason="about SQLite's locking; PostgreSQL has row locks")
def test_four_processes_writing_lose_nothing(app: Flask, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        mode = db.session.execute(sa.text("PRAGMA journal_mode")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert mode == "wal"
    start_at = time.time() + 6  # after every process has started its app
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "concurrent_writer.py"), url,
             str(tmp_path / f"instance{w}"), str(client.id), str(EACH), str(w), str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(WRITERS)
    ]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    errors = [e for r in reports for e in r["errors"]]
    assert not errors, errors[:5]
    assert all("locked" not in e for e in errors)
    assert [r["saved"] for r in reports] == [EACH] * WRITERS
    with app.app_context():
        texts = db.session.scalars(sa.select(Entry.data).where(Entry.client_id == client.id)).all()
    got = sorted(d["text"] for d in texts)
    assert got == sorted(f"w{w}-{i:03d}" for w in range(WRITERS) for i in range(EACH))
