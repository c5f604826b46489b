"""Re-create a client from an export zip (`icbt import`): the same records, new ids.

Ids are remapped table by table in dependency order: a column pointing to an
exported table gets the new id of that row; a column naming a user gets the new
client's id when it named the client, else the importing therapist (or nothing).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from icbt import audit
from icbt.db import db
from icbt.models.people import User
from icbt.privacy.export import CLIENT_TABLES, FORMAT, VERSION, table

# Exported tables that are not brought back, and why (docs/data-rights.md).
NOT_IMPORTED: dict[str, str] = {
    "consent": "the client agreed to the other clinic's privacy notice; this clinic asks them "
               "to agree to its own at their first sign-in",
}

MAX_MEMBERS = 200
MAX_BYTES = 200 * 1024 * 1024  # uncompressed, all files together


class ImportProblem(ValueError):
    """The archive cannot be imported; the message says why."""


def read_archive(source: str | Path | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open an export, check its manifest and checksums; return (manifest, json files by stem)."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise ImportProblem("not a zip file") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_BYTES:
            raise ImportProblem("the archive is larger than an export can be")
        names = {i.filename for i in infos}
        if "manifest.json" not in names:
            raise ImportProblem("no manifest.json: this is not an icbt export")
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != FORMAT or int(manifest.get("version", 0)) > VERSION:
            raise ImportProblem("unknown export format or a newer version")
        files: dict[str, Any] = {}
        for name, digest in manifest.get("files", {}).items():
            if name not in names:
                raise ImportProblem(f"{name} is missing from the archive")
            body = zf.read(name)
            if hashlib.sha256(body).hexdigest() != digest:
                raise ImportProblem(f"{name} does not match its checksum")
            if name.startswith("json/") and name.endswith(".json"):
                files[name[5:-5]] = json.loads(body)
    if "profile" not in files:
        raise ImportProblem("no profile in the archive")
    return manifest, files


def _value(column: sa.Column, value: Any) -> Any:  # type: ignore[type-arg]
    """Turn exported JSON back into a column value."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    return value


def _create_client(profile: dict[str, Any], therapist: User | None) -> User:
    """Create the client's account from the exported profile (no password: they reset it)."""
    email = str(profile.get("email") or "").strip().lower()
    if not email:
        raise ImportProblem("the profile has no email address")
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise ImportProblem("an account with that email address already exists")
    user = User(email=email, role="client", name=profile.get("name") or "",
                timezone=profile.get("timezone") or "UTC",
                status=profile.get("status") or "active",
                prefs=profile.get("prefs") or {}, talk_note=profile.get("talk_note") or "",
                therapist_id=therapist.id if therapist else None, password_hash=None,
                unsubscribe_token=secrets.token_urlsafe(24))
    for key in ("created_at", "last_login_at"):
        if profile.get(key):
            setattr(user, key, datetime.fromisoformat(profile[key]))
    db.session.add(user)
    db.session.flush()
    return user


def _insert_rows(name: str, rows: list[dict[str, Any]], owner: str, old_client: int,
                 user: User, therapist: User | None, ids: dict[str, dict[int, int]]) -> None:
    """Insert one table's rows, remapping every foreign key; remember the new ids."""
    t = table(name)
    pk = [c for c in t.primary_key.columns]
    single_pk = pk[0] if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) else None
    ids[name] = {}
    for row in sorted(rows, key=lambda r: r.get("id") or 0):
        values: dict[str, Any] = {}
        for col in t.columns:
            if col.name not in row or col is single_pk:
                continue
            value = _value(col, row[col.name])
            fks = list(col.foreign_keys)
            if fks and value is not None:
                target = fks[0].column.table.name
                if col.name == owner or (target == "user" and value == old_client):
                    value = user.id
                elif target == "user":
                    value = therapist.id if therapist else None
                else:
                    value = ids.get(target, {}).get(value)
                if value is None and not col.nullable:
                    raise ImportProblem(f"{name}.{col.name} points to a record not in the export")
            values[col.name] = value
        values[owner] = user.id
        result = db.session.execute(t.insert().values(**values))
        if single_pk is not None and row.get(single_pk.name) is not None:
            new_id = result.inserted_primary_key[0]  # type: ignore[attr-defined]
            ids[name][row[single_pk.name]] = new_id


def import_client(source: str | Path | bytes, therapist: User | None = None,
                  actor_id: int | None = None) -> User:
    """Re-create the client in an export; all or nothing. Return the new account."""
    if therapist is not None and therapist.role != "therapist":
        raise ImportProblem("--therapist must name a therapist")
    manifest, files = read_archive(source)
    old_client = int(manifest.get("client_id") or files["profile"].get("id") or 0)
    try:
        user = _create_client(files["profile"], therapist)
        ids: dict[str, dict[int, int]] = {}
        owners = {spec.name: spec.owner for spec in CLIENT_TABLES}
        for t in db.metadata.sorted_tables:  # parents before children
            if t.name in owners and t.name not in NOT_IMPORTED \
                    and isinstance(files.get(t.name), list):
                _insert_rows(t.name, files[t.name], owners[t.name], old_client, user,
                             therapist, ids)
        audit.record("import", actor_id=actor_id, client_id=user.id, target="account",
                     detail=f"{sum(len(v) for v in ids.values())} records")
        db.session.commit()
    except (ImportProblem, ValueError, TypeError, KeyError, sa.exc.IntegrityError) as exc:
        db.session.rollback()
        if isinstance(exc, ImportProblem):
            raise
        raise ImportProblem(f"the archive's records could not be stored ({type(exc).__name__})") \
            from exc
    return user
