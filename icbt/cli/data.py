"""Data-rights commands: backup, restore, export, import, and the retention/deletion job."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from icbt import audit
from icbt.accounts import users
from icbt.db import db
from icbt.privacy.backup import BackupError, backup, checksum_path, restore, verify
from icbt.privacy.deletion import purge_due_deletions
from icbt.privacy.export import build_zip, filename
from icbt.privacy.importer import ImportProblem, import_client
from icbt.privacy.retention import apply_retention


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the copy (default: instance/backups/icbt-TIME.*).")
@with_appcontext
def backup_cmd(out: Path | None) -> None:
    """Write a consistent copy of the database with a .sha256 checksum file."""
    try:
        path = backup(out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path}\nChecksum in {checksum_path(path)}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_cmd(path: Path, yes: bool) -> None:
    """Check PATH against its checksum, then replace the database with it."""
    try:
        verify(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?",
                      abort=True)
    try:
        restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Restored. Run `icbt db upgrade` if the backup is from an older version.")


@click.command("export")
@click.argument("email")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the zip (default: ./icbt-export-DATE.zip).")
@with_appcontext
def export_cmd(email: str, out: Path | None) -> None:
    """Export all of a client's data as a zip (a subject access request)."""
    client = users.get_by_email(email)
    if client is None or client.role != "client":
        raise click.ClickException(f"no client with the email {email}")
    out = out or Path(filename())
    out.write_bytes(build_zip(client))
    out.chmod(0o600)
    audit.record("export", actor_id=None, client_id=client.id, target="account",
                 detail="command line")
    db.session.commit()
    click.echo(f"Exported to {out}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--therapist", "therapist_email", default=None,
              help="The therapist to assign (staff in the export are mapped to them).")
@with_appcontext
def import_cmd(path: Path, therapist_email: str | None) -> None:
    """Re-create a client from an export zip (their email must not be in use here)."""
    therapist = None
    if therapist_email:
        therapist = users.get_by_email(therapist_email)
        if therapist is None or therapist.role != "therapist":
            raise click.ClickException(f"no therapist with the email {therapist_email}")
    try:
        user = import_client(path, therapist)
    except ImportProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Imported client id {user.id}. They have no password here yet: they can use "
               "\"Forgot your password?\" on the sign-in page to set one.")


@click.command("retention")
@with_appcontext
def retention_cmd() -> None:
    """Delete accounts whose grace period ended and rows past their retention period."""
    purged = purge_due_deletions()
    removed = apply_retention()
    accounts = "1 account" if purged == 1 else f"{purged} accounts"
    click.echo(f"Deleted {accounts}; removed by retention: "
               + (", ".join(f"{k} {v}" for k, v in removed.items()) or "nothing"))
