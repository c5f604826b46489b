"""Scheduled jobs and the scheduler that runs them (APScheduler 3.x).

Every job takes `now`, is safe to run twice (unique keys, conditional updates)
and works "as of now", so one run after downtime does everything that was
missed: `run_due_jobs(now)` runs each job at most once, however long the
scheduler was away. Only one scheduler acts at a time (see lock.py).
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icbt.db import db
from icbt.jobs.lock import Guard
from icbt.messaging import mail
from icbt.models.care import Enrolment
from icbt.models.records import JobRun
from icbt.privacy import deletion, retention
from icbt.programs import enrolment as program
from icbt.programs import reminders
from icbt.review import flags
from icbt.timeutil import utcnow
from icbt.worksheets import entries

log = logging.getLogger("icbt.jobs")


def unlock_lessons(now: datetime) -> int:
    """Open every lesson that is due and queue "Your next lesson is ready"; return how many."""
    ids = db.session.scalars(select(Enrolment.id).where(Enrolment.status == "active")).all()
    opened = 0
    for enrolment_id in ids:
        enrolment = db.session.get(Enrolment, enrolment_id)
        if enrolment is not None:
            opened += len(program.sync(enrolment, now))
    return opened


def send_reminders(now: datetime) -> int:
    """Queue the daily reminders that are due now (see icbt.programs.reminders)."""
    return reminders.send_reminders(now)


def send_outbox(now: datetime) -> tuple[int, int]:
    """Drop reminders that are no longer needed, then deliver the outbox with retries."""
    reminders.cancel_stale(now)
    return mail.deliver_pending(now)


def nightly_recompute(now: datetime) -> int:
    """Recompute every client's review flags (REVIEW's recompute_all); return how many clients."""
    return flags.recompute_all(now)


def refresh_flags(now: datetime) -> int:
    """Recompute the flags of clients whose data changed or whose local day moved on."""
    return flags.refresh_all(now)


def purge_trash(now: datetime) -> int:
    """Delete for good the worksheet entries left in the trash too long (WORKSHEETS' purge)."""
    return entries.purge_deleted(now)


def purge_deletions(now: datetime) -> int:
    """Remove the accounts whose deletion grace period has ended (DATA-RIGHTS' purge)."""
    return deletion.purge_due_deletions(now)


def apply_retention(now: datetime) -> dict[str, int]:
    """Remove what the configured retention rules say (outbox, login attempts, ...)."""
    return retention.apply_retention(now)


@dataclass(frozen=True)
class Job:
    """A job: every `every`, or once a day at `daily_at` (UTC)."""

    name: str
    func: Callable[[datetime], Any]
    every: timedelta | None = None
    daily_at: time | None = None


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("unlock", unlock_lessons, every=timedelta(minutes=5)),
    Job("reminders", send_reminders, every=timedelta(minutes=15)),
    Job("outbox", send_outbox, every=timedelta(minutes=1)),
    Job("flags", refresh_flags, every=timedelta(minutes=10)),
    Job("nightly", nightly_recompute, daily_at=time(3, 0)),
    Job("purge", purge_trash, daily_at=time(3, 30)),
    Job("deletions", purge_deletions, daily_at=time(3, 45)),
    Job("retention", apply_retention, daily_at=time(4, 0)),
)}
# The order one catch-up run takes: open lessons, then remind, then send what was queued.
ORDER = ("unlock", "reminders", "outbox", "nightly", "flags", "purge", "deletions", "retention")


def is_due(job: Job, last: datetime | None, now: datetime) -> bool:
    """Tell whether a job should run now, given when it last ran."""
    if last is None:
        return True
    if job.every is not None:
        return now - last >= job.every
    assert job.daily_at is not None
    boundary = datetime.combine(now.date(), job.daily_at)
    if boundary > now:
        boundary -= timedelta(days=1)
    return last < boundary


def _record(name: str, now: datetime) -> None:
    """Remember that a job ran (two schedulers may race: the loser just updates)."""
    table = JobRun.__table__
    done = db.session.execute(table.update().where(table.c.name == name)
                              .values(last_run_at=now, runs=table.c.runs + 1)
                              ).rowcount  # type: ignore[attr-defined]
    if not done:
        try:
            with db.session.begin_nested():
                db.session.execute(table.insert().values(name=name, last_run_at=now, runs=1))
        except IntegrityError:
            db.session.execute(table.update().where(table.c.name == name)
                               .values(last_run_at=now, runs=table.c.runs + 1))
    db.session.commit()


def run_job(name: str, now: datetime | None = None) -> Any:
    """Run one job now and record it."""
    now = now or utcnow()
    result = JOBS[name].func(now)
    _record(name, now)
    return result


def run_due_jobs(now: datetime | None = None) -> dict[str, Any]:
    """Run, once each, the jobs that are due (catch-up after downtime is this one call)."""
    now = now or utcnow()
    last = {r.name: r.last_run_at for r in db.session.scalars(select(JobRun))}
    db.session.commit()
    results: dict[str, Any] = {}
    for name in ORDER:
        if is_due(JOBS[name], last.get(name), now):
            results[name] = run_job(name, now)
    return results


def run_guarded(guard: Guard, now: datetime | None = None) -> dict[str, Any] | None:
    """Run the due jobs if this process holds the scheduler lock; None when another does."""
    if not guard.acquire(now):
        return None
    return run_due_jobs(now)


def _tick(app: Flask, guard: Guard, name: str | None) -> None:
    """One scheduler tick: in an app context, under the lock, never raising."""
    with app.app_context():
        try:
            if not guard.acquire():
                return
            if name is None:
                run_due_jobs()
            else:
                run_job(name)
        except Exception:  # noqa: BLE001 - a failing job must not stop the scheduler
            db.session.rollback()
            log.exception("scheduled job %s failed", name or "catch-up")
        finally:
            db.session.remove()


def build_scheduler(app: Flask, *, background: bool = False) -> Any:
    """Build the scheduler: each job on its own trigger, plus a catch-up run at start."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    cls = BackgroundScheduler if background else BlockingScheduler
    # Missed runs collapse into one (coalesce), late ones still run within the grace time,
    # and a slow run is never overlapped by the next one of the same job.
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    sched = cls(timezone="UTC", job_defaults=defaults)
    guard = Guard()
    sched.icbt_guard = guard
    for job in JOBS.values():
        trigger: Any
        if job.every is not None:
            trigger = IntervalTrigger(seconds=int(job.every.total_seconds()), timezone="UTC")
        else:
            assert job.daily_at is not None
            trigger = CronTrigger(hour=job.daily_at.hour, minute=job.daily_at.minute,
                                  timezone="UTC")
        sched.add_job(_tick, trigger, args=[app, guard, job.name], id=job.name, name=job.name,
                      **defaults)
    sched.add_job(_tick, args=[app, guard, None], id="catch-up", name="catch-up", **defaults)
    return sched


def release_lock(app: Flask, guard: Guard) -> None:
    """Let go of the scheduler lock when the process ends."""
    with app.app_context():
        try:
            guard.release()
        except Exception:  # noqa: BLE001 - best effort at exit; the lease expires anyway
            log.warning("could not release the scheduler lock")


def start_background_scheduler(app: Flask) -> Any:
    """Run the scheduler in a thread of this process (the demo server)."""
    # The caller's app context may still hold a transaction (on SQLite, BEGIN IMMEDIATE
    # takes the write lock even for a read), which would block every job and request.
    if has_app_context():
        db.session.remove()
    sched = build_scheduler(app, background=True)
    sched.start()
    app.extensions["icbt.scheduler"] = sched
    atexit.register(lambda: sched.running and sched.shutdown(wait=False))
    atexit.register(release_lock, app, sched.icbt_guard)
    return sched
