"""`icbt users`: create accounts, assign therapists, reset someone's two-step verification."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from icbt import audit
from icbt.accounts import twofactor
from icbt.accounts import users as accounts
from icbt.db import db
from icbt.models.people import ROLES

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


@users.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Turn off EMAIL's two-step verification and end their sessions.

    Check who is asking first (in person or by phone). If their role needs two-step
    verification, they set it up again right after their next sign-in.
    """
    user = accounts.get_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    twofactor.disable(user)
    audit.record("change", actor_id=None, target=f"user:{user.id}:2fa-reset")
    db.session.commit()
    click.echo(f"Two-step verification is off for account {user.id}; their sessions have ended.")
