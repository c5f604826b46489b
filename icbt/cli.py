"""The `icbt` command: Flask's CLI (run, shell, routes, db) plus our own commands."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import accounts, content_cli
from .db import db


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """icbt: guided internet-based CBT."""


# On the group itself, not app.cli: `icbt content check` must run when broken content
# stops the app from starting (CONTENT).
main.add_command(content_cli.content_group)


def upgrade_db() -> None:
    """Bring the database schema up to date (Alembic)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory, revision="head")


users = click.Group("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, help="client, therapist, designer or admin")
@click.option("--name", default="", help="The person's name as others will see it.")
@click.option("--therapist", "therapist_email", default=None, help="Primary therapist (clients).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(
    email: str, role: str, name: str, therapist_email: str | None, password_stdin: bool
) -> None:
    """Create an account."""
    from .models import ROLES

    if role not in ROLES:
        raise click.ClickException(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    therapist = None
    if therapist_email:
        therapist = accounts.get_by_email(therapist_email)
        if therapist is None or therapist.role != "therapist":
            raise click.ClickException(f"no therapist with the email {therapist_email}")
    if role == "client" and therapist is None:
        raise click.ClickException("a client needs --therapist EMAIL")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, role, name=name, password=password, therapist=therapist)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users.command("assign")
@click.argument("client_email")
@click.argument("therapist_email")
@with_appcontext
def users_assign(client_email: str, therapist_email: str) -> None:
    """Make THERAPIST_EMAIL the primary therapist of CLIENT_EMAIL."""
    client = accounts.get_by_email(client_email)
    if client is None:
        raise click.ClickException(f"no account with the email {client_email}")
    therapist = accounts.get_by_email(therapist_email)
    if therapist is None:
        raise click.ClickException(f"no account with the email {therapist_email}")
    try:
        accounts.assign_therapist(client, therapist)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{client.email} is now assigned to {therapist.email}.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Build the demo data, then exit.")
@click.option("--code", "show_code", is_flag=True,
              help="Print the demo staff's current two-step sign-in code, then exit.")
@click.option("--clients", type=click.IntRange(1), default=None,
              help="Build a synthetic clinic of this many clients instead (PERF).")
@click.option("--therapists", type=click.IntRange(1), default=10, show_default=True)
@click.option("--days", type=click.IntRange(7), default=180, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
def demo(host: str, port: int, no_serve: bool, show_code: bool, clients: int | None,
         therapists: int, days: int, seed: int) -> None:
    """Build a demo clinic in the instance folder (once) and serve it."""
    from . import demo as demo_mod

    if show_code:
        click.echo(demo_mod.current_code())
        return
    upgrade_db()
    if clients is not None:  # the synthetic clinic (icbt/synthetic.py)
        from . import synthetic

        if synthetic.has_clinic():
            click.echo("This database already has a clinic; use an empty one.", err=True)
            sys.exit(1)
        click.echo(synthetic.describe(synthetic.build(clients, therapists, days, seed,
                                                      echo=click.echo)))
    else:
        created = demo_mod.build()
        click.echo("Demo clinic " + ("created." if created else "already there; nothing added."))
        click.echo(demo_mod.logins_text())
    if no_serve:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.config["SCHEDULER_IN_PROCESS"] = True
    from .jobs import start_background_scheduler

    start_background_scheduler(app)
    # Release this command's own connection: the server's threads use their own.
    db.session.remove()
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=False, threaded=True)


def init_app(app: Flask) -> None:
    """Register the icbt commands on the app (and so on the `icbt` group)."""
    app.cli.add_command(users)
    from .auth_cli import reset_2fa  # icbt users reset-2fa (AUTH-SEC)

    users.add_command(reset_2fa)
    app.cli.add_command(demo)
    from .program_cli import enrol_command

    app.cli.add_command(enrol_command)
    from . import data_cli  # backup, restore, export, import, retention (DATA-RIGHTS)

    app.cli.add_command(data_cli.backup_cmd)
    app.cli.add_command(data_cli.restore_cmd)
    app.cli.add_command(data_cli.export_cmd)
    app.cli.add_command(data_cli.import_cmd)
    app.cli.add_command(data_cli.retention_cmd)
    from .jobs import scheduler_command  # icbt scheduler (LESSONS)

    app.cli.add_command(scheduler_command)
    from .review_cli import review_command  # icbt review (REVIEW)

    app.cli.add_command(review_command)
    # Keep `db` from Flask-Migrate; it is added by the extension.
    _ = db
