"""A client's export: every table, JSON and CSV, FHIR questionnaire responses, audited, reauth."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import sqlalchemy as sa
from conftest import login_as
from data_history import FORMULA, NOTE, add_history
from flask import Flask, url_for
from world import build_world

from icbt.db import db
from icbt.measures import fhir
from icbt.models.people import User
from icbt.models.records import AuditEvent
from icbt.privacy import export


def _zip(app: Flask, client_id: int, **kw) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    with app.app_context():
        data = export.build_zip(db.session.get(User, client_id), **kw)
    return zipfile.ZipFile(io.BytesIO(data))


def _user_tables(app: Flask) -> dict[str, set[str]]:
    """Every table with a foreign key to user, and those columns."""
    out: dict[str, set[str]] = {}
    with app.app_context():
        for t in db.metadata.sorted_tables:
            for fk in t.foreign_keys:
                if fk.column.table.name == "user":
                    out.setdefault(t.name, set()).add(fk.parent.name)
    return out


def test_every_table_naming_a_user_is_exported_or_excused(app: Flask) -> None:
    classified = {s.name for s in export.CLIENT_TABLES} | set(export.NOT_EXPORTED)
    missing = sorted(set(_user_tables(app)) - classified)
    assert not missing, (f"tables naming a user that the export ignores: {missing}; add them "
                         "to CLIENT_TABLES or NOT_EXPORTED in icbt/privacy/export.py")
    with app.app_context():
        for spec in export.CLIENT_TABLES:
            assert spec.owner in db.metadata.tables[spec.name].c, spec


def test_the_world_of_every_feature_is_in_the_export(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    people, _values = build_world(app, make_user)
    cid = people["client"].id
    zf = _zip(app, cid)
    manifest = json.loads(zf.read("manifest.json"))
    with app.app_context():
        for name, cols in _user_tables(app).items():
            if name in export.NOT_EXPORTED:
                continue
            t = db.metadata.tables[name]
            owned = sa.or_(*[t.c[c] == cid for c in cols if c in ("client_id", "user_id")])
            n = db.session.scalar(sa.select(sa.func.count()).select_from(t).where(owned))
            assert manifest["tables"].get(name) == n, name


def test_export_has_one_json_and_one_csv_per_table(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist", name="Tess Helper")
    client = make_user("client", therapist=therapist, name="Cara Client")
    add_history(app, client.id, therapist.id)
    zf = _zip(app, client.id)
    names = set(zf.namelist())
    for spec in export.CLIENT_TABLES:
        assert f"json/{spec.name}.json" in names and f"csv/{spec.name}.csv" in names
    profile = json.loads(zf.read("json/profile.json"))
    assert profile["email"] == client.email and profile["therapist"] == "Tess Helper"
    assert "password_hash" not in profile and "totp_secret" not in profile
    checkins = json.loads(zf.read("json/mood_checkin.json"))
    assert [c["note"] for c in checkins] == [NOTE, "-ok"]
    rows = list(csv.DictReader(io.StringIO(zf.read("csv/mood_checkin.csv").decode())))
    assert rows[0]["note"] == NOTE and rows[0]["tags"] == '["tired"]'
    assert rows[1]["note"] == "'-ok"  # a spreadsheet will not run it as a formula
    entries = json.loads(zf.read("json/entry.json"))
    assert entries[1]["data"] == {"text": FORMULA} and "submission_key" not in entries[0]
    people = {p["name"] for p in json.loads(zf.read("json/people.json"))}
    assert people == {"Tess Helper", "Cara Client"}
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["tables"]["measure_response"] == 3
    assert set(manifest["files"]) == names - {"manifest.json"}


def test_staff_notes_can_be_left_out(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    with_notes = json.loads(_zip(app, client.id).read("json/live_session.json"))
    assert with_notes[0]["notes"] == "Session notes by therapist"
    app.config["EXPORT_STAFF_NOTES"] = False
    zf = _zip(app, client.id)
    assert "notes" not in json.loads(zf.read("json/live_session.json"))[0]
    assert "ack_note" not in json.loads(zf.read("json/flag.json"))[0]
    assert b"Called, safety plan ok" not in b"".join(zf.read(n) for n in zf.namelist())


def test_fhir_questionnaire_responses_carry_loinc_codes(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    bundle = json.loads(_zip(app, client.id).read("fhir/questionnaire_responses.json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    res = [e["resource"] for e in bundle["entry"]]
    assert all(r["resourceType"] == "QuestionnaireResponse" for r in res)
    phq, gad, partial = res
    assert phq["questionnaire"] == "http://loinc.org/q/44249-1" and phq["status"] == "completed"
    assert phq["authored"] == "2026-01-05T10:00:00Z"
    total = phq["item"][-1]
    assert total["linkId"] == "44261-6" and total["answer"] == [{"valueInteger": 11}]
    assert [i["linkId"] for i in phq["item"][:9]] == list(fhir.ITEM_CODES["phq9"])
    assert phq["item"][4]["answer"][0]["valueCoding"] == {
        "system": "http://loinc.org", "code": "LA6571-9", "display": "Nearly every day"}
    assert gad["item"][-1]["linkId"] == "70274-6" and gad["item"][-1]["answer"][0] == {
        "valueInteger": 9}
    assert len(gad["item"]) == 8
    assert partial["status"] == "in-progress"
    assert all(i["linkId"] not in ("44261-6", "70274-6") for i in partial["item"])
    assert "answer" not in partial["item"][1]  # unanswered item stays without an answer


def test_client_downloads_a_zip_and_it_is_audited(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    c = login_as(app, client)
    page = c.get("/my-data/download")
    assert page.status_code == 200
    from conftest import csrf_from

    resp = c.post("/my-data/download", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert client.email not in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert json.loads(zf.read("json/profile.json"))["id"] == client.id
    with app.app_context():
        ev = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
        assert ev is not None and ev.client_id == client.id and ev.actor_id == client.id


def test_download_asks_for_the_password_again_after_a_while(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    clock.advance(minutes=12)
    assert c.get("/my-data/").status_code == 200
    clock.advance(minutes=12)
    resp = c.get("/my-data/download")
    with app.test_request_context():
        reauth = url_for("account.reauth")
    assert resp.status_code == 302 and resp.headers["Location"].startswith(reauth)
    resp = c.post("/my-data/download", data={})
    assert resp.status_code in (302, 400) and resp.mimetype != "application/zip"


def test_another_client_cannot_export_someone_else(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    other = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    c = login_as(app, other)
    from conftest import csrf_from

    token = csrf_from(c.get("/my-data/download").get_data(as_text=True))
    resp = c.post(f"/my-data/download?client_id={client.id}",
                  data={"csrf_token": token, "client_id": client.id})
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert json.loads(zf.read("json/profile.json"))["id"] == other.id
    assert json.loads(zf.read("json/mood_checkin.json")) == []
