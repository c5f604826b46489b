"""`icbt enrol`: enrol a client from the command line (for admins and scripted set-ups)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from icbt.accounts import users
from icbt.programs import enrolment as program


@click.command("enrol")
@click.argument("client_email")
@click.argument("program_slug")
@click.option("--by", "actor_email", required=True,
              help="The therapist or admin doing it (recorded as the actor).")
@click.option("--start", "start", default=None, help="Start date, YYYY-MM-DD (default: today).")
@click.option("--pace", default=7, show_default=True, type=int, help="Days between lessons.")
@with_appcontext
def enrol_command(client_email: str, program_slug: str, actor_email: str, start: str | None,
                  pace: int) -> None:
    """Enrol CLIENT_EMAIL in PROGRAM_SLUG (see `icbt content list`)."""
    client = users.get_by_email(client_email)
    if client is None or client.role != "client":
        raise click.ClickException(f"no client with the email {client_email}")
    actor = users.get_by_email(actor_email)
    if actor is None or actor.role not in ("therapist", "admin"):
        raise click.ClickException(f"no therapist or admin with the email {actor_email}")
    if actor.role == "therapist" and client.therapist_id != actor.id:
        raise click.ClickException(f"{client_email} is not a client of {actor_email}")
    try:
        start_date = date.fromisoformat(start) if start else None
    except ValueError:
        raise click.ClickException("--start must be a date like 2026-03-02") from None
    try:
        enrolment = program.enrol(client, program_slug, actor=actor, start_date=start_date,
                                  pace_days=pace)
    except program.ProgramError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Enrolled {client.email} in {program_slug} from {enrolment.start_date}.")
