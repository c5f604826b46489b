"""Consistent backups with a sha256 checksum, and restores that check it first.

SQLite: the online backup API copies a consistent snapshot while the app runs.
PostgreSQL: `pg_dump -Fc` (custom format) and `pg_restore --clean`; both tools
must be installed and of a version at least the server's. The checksum file
uses the `sha256sum` format, so `sha256sum -c FILE.sha256` also checks it.
Backups hold every client's health data: keep them on encrypted storage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore with fixed arguments, no shell
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL, make_url

from icbt.db import db
from icbt.timeutil import utcnow


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def sha256_of(path: Path) -> str:
    """Hash a file in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksum_path(path: Path) -> Path:
    """Where a backup's checksum lives: next to it, with .sha256 added."""
    return path.with_name(path.name + ".sha256")


def default_path() -> Path:
    """A new file name in BACKUP_DIR (default: instance/backups)."""
    folder = Path(current_app.config.get("BACKUP_DIR") or
                  Path(current_app.instance_path) / "backups")
    ext = "sqlite" if _url().get_backend_name() == "sqlite" else "pgdump"
    return folder / f"icbt-{utcnow():%Y%m%dT%H%M%SZ}.{ext}"


def _sqlite_file() -> str:
    path = _url().database
    if not path or path == ":memory:":
        raise BackupError("this SQLite database has no file to back up")
    return path


def _pg_args() -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it goes in PGPASSWORD, not the process list)."""
    url = _url()
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found; install the PostgreSQL client tools")
    return found


def backup(out: Path | None = None) -> Path:
    """Write a consistent copy of the database and its checksum; return the copy's path."""
    out = Path(out) if out else default_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.unlink(missing_ok=True)
    backend = _url().get_backend_name()
    if backend == "sqlite":
        src = sqlite3.connect(_sqlite_file())
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # The copy should not need its own WAL file to be complete.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
    elif backend == "postgresql":
        url, env = _pg_args()
        cmd = [_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(partial), url]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # nosec B603
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise BackupError(f"pg_dump failed: {last}")
    else:
        raise BackupError(f"no backup method for {backend}")
    os.chmod(partial, 0o600)  # it holds health data
    os.replace(partial, out)
    checksum_path(out).write_text(f"{sha256_of(out)}  {out.name}\n")
    return out


def verify(path: Path) -> None:
    """Raise BackupError unless the file exists and matches its checksum file."""
    path = Path(path)
    sums = checksum_path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    if not sums.is_file():
        raise BackupError(f"{sums.name} is missing: cannot check the backup")
    expected = sums.read_text().split()[0] if sums.read_text().split() else ""
    if sha256_of(path) != expected:
        raise BackupError("the backup does not match its checksum: it is damaged or was changed")


def restore(path: Path) -> None:
    """Check the backup, then replace the database's contents with it."""
    path = Path(path)
    verify(path)
    backend = _url().get_backend_name()
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the backup file is not a sound SQLite database")
            dst = sqlite3.connect(_sqlite_file(), timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the backup could not be read ({exc})") from exc
        finally:
            src.close()
    elif backend == "postgresql":
        url, env = _pg_args()
        cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
               "--single-transaction", "-d", url, str(path)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # nosec B603
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise BackupError(f"pg_restore failed: {last}")
    else:
        raise BackupError(f"no restore method for {backend}")
