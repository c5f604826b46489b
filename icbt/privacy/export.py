"""A client's data, all of it, as a zip of JSON and CSV files plus FHIR questionnaire responses.

Table-driven: CLIENT_TABLES names each table that holds a client's rows; every
column of those tables is exported unless it is listed in `omit`, so columns
added later are exported without a change here. A new table that names a user
must be added to CLIENT_TABLES or to NOT_EXPORTED (tests/privacy/test_export.py fails
otherwise). docs/data-rights.md describes the archive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from icbt.db import db
from icbt.measures import fhir
from icbt.models.people import User
from icbt.models.records import AuditEvent
from icbt.privacy.audit_search import STAFF_ACTIONS
from icbt.timeutil import utcnow

FORMAT = "icbt-export"
VERSION = 1


@dataclass(frozen=True)
class TableSpec:
    """One table of a client's data: the column naming the client and what to leave out."""

    name: str
    owner: str = "client_id"
    omit: tuple[str, ...] = ()  # internal columns (idempotency keys)
    notes: tuple[str, ...] = ()  # staff-written notes: left out when EXPORT_STAFF_NOTES is off


CLIENT_TABLES: tuple[TableSpec, ...] = (
    TableSpec("enrolment"),
    TableSpec("lesson_progress"),
    TableSpec("homework"),
    TableSpec("entry", omit=("submission_key",)),
    TableSpec("draft"),
    TableSpec("mood_checkin"),
    TableSpec("measure_response"),
    TableSpec("message"),
    TableSpec("flag", notes=("ack_note",)),
    TableSpec("live_session", notes=("notes",)),
    TableSpec("contact", notes=("note",)),
    TableSpec("consent"),
)

# Tables that name a user but are not in an export, and why (docs/data-rights.md).
NOT_EXPORTED: dict[str, str] = {
    "user": "the client's own row is exported as profile (without secrets)",
    "token": "one-time links, stored as hashes; useless outside this instance",
    "outbox_message": "copies of emails already sent to the client; removed by retention",
    "pending_submission": "a form kept for at most two days until the client signs in again",
    "review_state": "a summary the review queue computes from the exported tables (program, "
                    "week, homework counts, last activity); nothing the client gave",
}

# The client's own row: these columns only (never the password hash or 2FA secrets).
PROFILE_COLUMNS = ("id", "email", "name", "timezone", "status", "created_at", "last_login_at",
                   "prefs", "talk_note")


def table(name: str) -> sa.Table:
    """Return a table of the current models by name."""
    return db.metadata.tables[name]


def _plain(value: Any) -> Any:
    """Make a column value JSON-friendly (times as ISO text, naive UTC)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(spec: TableSpec, staff_notes: bool) -> list[sa.Column]:  # type: ignore[type-arg]
    skip = set(spec.omit) | (set() if staff_notes else set(spec.notes))
    return [c for c in table(spec.name).columns if c.name not in skip]


def client_rows(spec: TableSpec, client_id: int, staff_notes: bool = True) -> list[dict[str, Any]]:
    """Return one table's rows for this client, oldest first, as plain dicts."""
    t = table(spec.name)
    cols = _columns(spec, staff_notes)
    order = t.primary_key.columns.values()
    result = db.session.execute(sa.select(*cols).where(t.c[spec.owner] == client_id)
                                .order_by(*order))
    return [{c.name: _plain(v) for c, v in zip(cols, r, strict=True)} for r in result]


def _people(client: User, tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """List the people the rows name (ids to names), so the files can be read alone."""
    user_cols = {(spec.name, fk.parent.name) for spec in CLIENT_TABLES
                 for fk in table(spec.name).foreign_keys if fk.column.table.name == "user"}
    ids = {client.id} | {row[col] for name, col in user_cols
                         for row in tables.get(name, []) if row.get(col) is not None}
    if client.therapist_id:
        ids.add(client.therapist_id)
    found = db.session.execute(sa.select(User.id, User.name, User.role)
                               .where(User.id.in_(ids)).order_by(User.id)).all()
    return [{"id": i, "name": n, "role": r} for i, n, r in found]


def _access_log(client_id: int) -> list[dict[str, Any]]:
    """What staff did with this client's record (from the audit log)."""
    rows = db.session.execute(
        sa.select(AuditEvent.at, AuditEvent.action, AuditEvent.target, User.name, User.role)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.client_id == client_id, AuditEvent.actor_id != client_id,
               AuditEvent.action.in_(STAFF_ACTIONS))
        .order_by(AuditEvent.id)
    ).all()
    return [{"at": _plain(at), "action": a, "what": t, "by": n or "", "role": r or ""}
            for at, a, t, n, r in rows]


def collect(client: User, staff_notes: bool | None = None) -> dict[str, Any]:
    """Gather everything exported about a client as plain data."""
    if staff_notes is None:
        staff_notes = bool(current_app.config.get("EXPORT_STAFF_NOTES", True))
    profile = {c: _plain(getattr(client, c)) for c in PROFILE_COLUMNS}
    profile["therapist"] = client.therapist.display_name if client.therapist else ""
    tables = {spec.name: client_rows(spec, client.id, staff_notes) for spec in CLIENT_TABLES}
    return {"profile": profile, "tables": tables, "people": _people(client, tables),
            "access_log": _access_log(client.id)}


def _csv_cell(value: Any) -> Any:
    """Write lists and dicts as JSON; stop spreadsheets from running text as a formula."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # OWASP CSV injection advice; the JSON file keeps the exact text
    return value


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buf.getvalue()


README = """Your data from {clinic}
Exported {when} (UTC).

json/   one file per kind of record, exactly as stored (times are UTC).
csv/    the same records, for a spreadsheet. Lists are written as JSON text; text that
        starts with = + - or @ has a ' in front so spreadsheets do not run it.
fhir/   your PHQ-9 and GAD-7 answers as FHIR R4 QuestionnaireResponse resources, the
        standard format health record systems read (LOINC codes).
json/people.json  who the ids in the files are (you, your therapist).
json/access_log.json  when staff opened or changed your record.

Files: profile (your account), enrolment (programmes), lesson_progress, homework,
entry (your worksheets), draft (worksheets you had not finished), mood_checkin,
measure_response (PHQ-9, GAD-7), message (your messages with your therapist),
flag (what the review queue noticed), live_session and contact (sessions and
calls with your therapist), consent (each version of the privacy notice you agreed
to, and when).
"""


def build_zip(client: User, staff_notes: bool | None = None) -> bytes:
    """Return the export of one client as zip bytes (manifest with a sha256 of every file)."""
    if staff_notes is None:
        staff_notes = bool(current_app.config.get("EXPORT_STAFF_NOTES", True))
    data = collect(client, staff_notes)
    now = utcnow().replace(microsecond=0)
    files: dict[str, str] = {}
    files["json/profile.json"] = json.dumps(data["profile"], indent=2, ensure_ascii=False)
    files["csv/profile.csv"] = _csv([data["profile"]], list(data["profile"]))
    for spec in CLIENT_TABLES:
        rows = data["tables"][spec.name]
        columns = [c.name for c in _columns(spec, staff_notes)]
        files[f"json/{spec.name}.json"] = json.dumps(rows, indent=2, ensure_ascii=False)
        files[f"csv/{spec.name}.csv"] = _csv(rows, columns)
    for extra in ("people", "access_log"):
        rows = data[extra]
        files[f"json/{extra}.json"] = json.dumps(rows, indent=2, ensure_ascii=False)
        files[f"csv/{extra}.csv"] = _csv(rows, list(rows[0]) if rows else [])
    qr = fhir.bundle(data["tables"]["measure_response"], subject=client.display_name)
    files["fhir/questionnaire_responses.json"] = json.dumps(qr, indent=2, ensure_ascii=False)
    files["README.txt"] = README.format(clinic=current_app.config["CLINIC_NAME"],
                                        when=now.isoformat(sep=" "))
    manifest = {
        "format": FORMAT, "version": VERSION, "exported_at": now.isoformat(),
        "client_id": client.id,
        "tables": {name: len(rows) for name, rows in data["tables"].items()},
        "files": {name: hashlib.sha256(text.encode()).hexdigest()
                  for name, text in sorted(files.items())},
    }
    buf = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in [("manifest.json", json.dumps(manifest, indent=2)), *files.items()]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode())
    return buf.getvalue()


def filename() -> str:
    """A download name with no personal data in it."""
    return f"icbt-export-{utcnow():%Y%m%d}.zip"
