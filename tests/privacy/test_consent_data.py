"""Consents are the client's data: in the export, gone with the account, not imported."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from icbt.accounts import consent
from icbt.db import db
from icbt.models.people import Consent, User
from icbt.privacy import deletion, export, importer


def _two_consents(app: Flask, make_user, clock) -> int:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))  # agreed to "1" at 09:00
    clock.set(datetime(2026, 4, 1, 10, 15))
    with app.app_context():
        consent.record(db.session.get(User, client.id), "2", "ab" * 32)
    return client.id


def test_the_export_holds_every_consent_with_its_version_and_time(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    cid = _two_consents(app, make_user, clock)
    with app.app_context():
        zf = zipfile.ZipFile(io.BytesIO(export.build_zip(db.session.get(User, cid))))
    rows = json.loads(zf.read("json/consent.json"))
    assert [(r["version"], r["agreed_at"]) for r in rows] == [
        ("1", "2026-03-02T09:00:00"), ("2", "2026-04-01T10:15:00")]
    assert all(r["client_id"] == cid for r in rows)
    table = list(csv.DictReader(io.StringIO(zf.read("csv/consent.csv").decode())))
    assert [r["version"] for r in table] == ["1", "2"]
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["tables"]["consent"] == 2 and "json/consent.json" in manifest["files"]
    assert "consent (each version of the privacy notice" in zf.read("README.txt").decode()


def test_deleting_the_account_removes_its_consents(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    cid = _two_consents(app, make_user, clock)
    keep = make_user("client").id
    with app.app_context():
        counts = deletion.purge_client(cid)
        assert counts["consent"] == 2
        left = db.session.scalars(sa.select(Consent.client_id)).all()
    assert left == [keep]


def test_an_import_brings_no_consent_so_the_new_clinic_asks(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    cid = _two_consents(app, make_user, clock)
    with app.app_context():
        user = db.session.get(User, cid)
        data = export.build_zip(user)
        email = user.email
        deletion.purge_client(cid)
        new = importer.import_client(data)
        assert new.email == email
        assert consent.history(new.id) == []
    assert "consent" in importer.NOT_IMPORTED
