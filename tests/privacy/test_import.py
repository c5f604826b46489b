"""`icbt import`: an export re-imported into an empty instance reproduces the client's data."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PG_URL, _pg_database
from data_history import add_history
from flask import Flask

from icbt import create_app
from icbt.db import db
from icbt.models.people import User
from icbt.models.records import AuditEvent
from icbt.privacy import export, importer
from icbt.privacy.importer import ImportProblem, import_client


@pytest.fixture
def second_app(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """Another, empty instance with its own database."""
    gen = _pg_database() if PG_URL else None
    url = next(gen) if gen else "sqlite:///" + str(tmp_path / "second.sqlite")
    cfg = dict(app_config, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(tmp_path / "inst2"),
               OUTBOX_DIR=str(tmp_path / "outbox2"))
    app2 = create_app(cfg)
    with app2.app_context():
        from icbt.extensions import upgrade_db

        upgrade_db()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()
    if gen:
        next(gen, None)


def _export(app: Flask, email: str) -> bytes:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return export.build_zip(user)


def canonical(app: Flask, data: bytes) -> dict[str, Any]:
    """The export's records with every id replaced by the position of the row it names."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    files = {n[5:-5]: json.loads(zf.read(n)) for n in zf.namelist() if n.startswith("json/")}
    profile = dict(files["profile"])
    client_id = profile.pop("id")
    tables = {s.name: files[s.name] for s in export.CLIENT_TABLES}
    pos = {t: {row["id"]: i for i, row in enumerate(rows)} for t, rows in tables.items()}
    out: dict[str, Any] = {"profile": profile}
    with app.app_context():
        for name, rows in tables.items():
            t = db.metadata.tables[name]
            fks = {fk.parent.name: fk.column.table.name for fk in t.foreign_keys}
            clean = []
            for row in rows:
                row = dict(row)
                row["id"] = pos[name][row["id"]]
                for col, target in fks.items():
                    if row.get(col) is None:
                        continue
                    if target == "user":
                        row[col] = "client" if row[col] == client_id else "staff"
                    else:
                        row[col] = pos[target][row[col]]
                clean.append(row)
            out[name] = clean
    out["people"] = sorted((p["name"], p["role"]) for p in files["people"])
    out["fhir"] = json.loads(zf.read("fhir/questionnaire_responses.json"))
    for entry in out["fhir"]["entry"]:  # resource ids carry the row id
        entry.pop("fullUrl")
        entry["resource"].pop("id")
    return out


def test_round_trip_into_an_empty_instance(app: Flask, second_app: Flask, make_user,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    therapist = make_user("therapist", name="Tess Helper")
    make_user("client", therapist=therapist)  # ids in the two instances will differ
    client = make_user("client", therapist=therapist, name="Cara Client", timezone="Asia/Tokyo")
    add_history(app, client.id, therapist.id)
    first = _export(app, client.email)
    path = tmp_path / "export.zip"
    path.write_bytes(first)

    with second_app.app_context():
        from icbt.accounts import users

        users.create_user("new-therapist@example.org", "therapist", name="Tess Helper",
                          password="a-long-test-passphrase-42", check_password=False)
    result = second_app.test_cli_runner().invoke(
        args=["import", str(path), "--therapist", "new-therapist@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported client" in result.output
    second = _export(second_app, client.email)

    a, b = canonical(app, first), canonical(second_app, second)
    for key in a:
        if key in importer.NOT_IMPORTED:  # the consents: this clinic asks again
            assert a[key] and b[key] == [], key
            continue
        assert a[key] == b[key], key
    assert a["mood_checkin"] and a["entry"] and a["message"]
    with second_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == client.email))
        assert user.password_hash is None and user.therapist.email == "new-therapist@example.org"
        assert db.session.scalar(sa.select(AuditEvent.action)
                                 .where(AuditEvent.client_id == user.id)) == "import"


def test_import_refuses_an_email_already_here(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    data = _export(app, client.email)
    with app.app_context():
        with pytest.raises(ImportProblem, match="already exists"):
            import_client(data)


def test_import_refuses_a_changed_archive(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    data = _export(app, client.email)
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in src.namelist():
            body = src.read(name)
            if name == "json/mood_checkin.json":
                body = body.replace(b'"mood": 3', b'"mood": 9')
            if name == "json/profile.json":
                body = body.replace(client.email.encode(), b"someone-new@example.org")
            out.writestr(name, body)
    with app.app_context():
        with pytest.raises(ImportProblem, match="checksum"):
            import_client(buf.getvalue())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                 .where(User.email == "someone-new@example.org")) == 0
        with pytest.raises(ImportProblem, match="not a zip"):
            import_client(b"hello")


def test_import_cli_names_an_unknown_therapist(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK")
    result = runner.invoke(args=["import", str(path), "--therapist", "nobody@example.org"])
    assert result.exit_code == 1 and "no therapist" in result.output
