"""`icbt users reset-2fa EMAIL`: help someone who lost both their phone and their recovery codes."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import accounts, audit, twofactor
from .db import db


@click.command("reset-2fa")
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
