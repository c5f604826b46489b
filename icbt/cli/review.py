"""`icbt review`: the therapists' queue on the command line (text or JSON)."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from icbt.db import db
from icbt.models.people import User
from icbt.review import queue
from icbt.review.rules import SEVERITY_NAMES


def _therapists(email: str | None) -> list[User]:
    """The therapist with this email, or every therapist."""
    q = select(User).where(User.role == "therapist")
    if email:
        q = q.where(User.email == email.strip().lower())
    people = list(db.session.scalars(q.order_by(User.email)))
    if email and not people:
        raise click.ClickException(f"no therapist with the email {email}")
    return people


@click.command("review")
@click.option("--therapist", "email", default=None, help="Only this therapist's clients.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="The queue as it was at the start of this day (UTC), from stored history.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: clients with their open flags.")
@with_appcontext
def review_command(email: str | None, as_of: str | None, as_json: bool) -> None:
    """Print the review queue: clients by their most severe open flag."""
    when = None
    if as_of:
        try:
            when = datetime.strptime(as_of, "%Y-%m-%d")
        except ValueError:
            raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--as-of") from None
    out: list[dict[str, object]] = []
    for t in _therapists(email):
        q = queue.queue_as_of(t.id, when) if when else queue.queue(t.id)
        for row in queue.queue_json(q, t.timezone):
            out.append({"therapist": t.email, **row})
        if not as_json:
            click.echo(f"== {t.display_name} <{t.email}>: {q.flagged} of {q.total} clients "
                       "flagged")
            for r in q.rows:
                facts = r.program + (f", week {r.week}" if r.week else "")
                click.echo(f"- {r.client.display_name} (id {r.client.id}) {facts}")
                for f in r.flags:
                    click.echo(f"    [{SEVERITY_NAMES[f.severity]}] {f.kind} since "
                               f"{f.since.date().isoformat()}: {'; '.join(f.words)}")
    if as_json:
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
