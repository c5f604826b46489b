"""`icbt scheduler`: run the job scheduler (exactly one per deployment)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from icbt.jobs.lock import Guard
from icbt.jobs.scheduler import build_scheduler, release_lock, run_guarded


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run the jobs that are due once, then exit.")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the job scheduler (one per deployment; a database lock stops a second one acting)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        guard = Guard()
        results = run_guarded(guard)
        guard.release()
        if results is None:
            click.echo("Another scheduler holds the lock; nothing done.")
        else:
            click.echo("Ran: " + (", ".join(results) or "nothing was due") + ".")
        return
    sched = build_scheduler(app)
    click.echo("Scheduler running (Ctrl+C to stop).")
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        release_lock(app, sched.icbt_guard)
