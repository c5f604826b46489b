"""`icbt demo`: build the demo clinic (or a synthetic one) in the instance folder and serve it."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from icbt.db import db
from icbt.extensions import upgrade_db
from icbt.jobs.scheduler import start_background_scheduler


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
    # Imported here, not at the top: every app (a gunicorn worker too) registers this
    # command, and the demo data code must not be loaded by a running clinic.
    from icbt.demo import clinic, people, settings, synthetic

    if show_code:
        click.echo(people.current_code())
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Before anything is built: emails queued from here on link to where the demo serves.
    settings.apply(app.config, host, port)
    upgrade_db()
    if clients is not None:  # the synthetic clinic (icbt/demo/synthetic.py)
        if synthetic.has_clinic():
            click.echo("This database already has a clinic; use an empty one.", err=True)
            sys.exit(1)
        click.echo(synthetic.describe(synthetic.build(clients, therapists, days, seed,
                                                      echo=click.echo)))
    else:
        created = clinic.build()
        click.echo("Demo clinic " + ("created." if created else "already there; nothing added."))
        click.echo(people.logins_text(clinic.client_emails()))
    if no_serve:
        return
    app.config["SCHEDULER_IN_PROCESS"] = True
    start_background_scheduler(app)
    # Release this command's own connection: the server's threads use their own.
    db.session.remove()
    click.echo(f"Serving on {settings.serving_base_url(host, port)}/  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=False, threaded=True)
