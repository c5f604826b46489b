"""The synthetic clinic: thousands of plausible clients for benchmarks and load tests.

`icbt demo --clients N --therapists T --days D --seed S` calls `build()`. Rows are
written with SQLAlchemy Core `insert()` and lists of dicts in chunks (executemany),
never the ORM one row at a time; every account shares one Argon2 hash computed once.
The same seed and the same `now` give the same clinic (each client draws from its
own generator, seeded by the seed and the client's number). Lessons open by the app's own
pacing rules (see icbt.demo.synthetic_people), and the flags are computed by the app's own
recompute at the end, so the clinic looks to every page as if people had used it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from icbt.accounts import users
from icbt.db import db
from icbt.demo.people import DEMO_PASSWORD
from icbt.demo.synthetic_data import FIRST, LAST, ZONES, worksheet_samples
from icbt.demo.synthetic_people import PERSONAS, Clinic, Story, pick
from icbt.models.people import User
from icbt.privacy import notice
from icbt.programs import store
from icbt.review import flags
from icbt.timeutil import to_local, utcnow

# Parents before children, so every chunk's foreign keys point at rows already written.
ORDER = ("user", "consent", "enrolment", "lesson_progress", "homework", "entry", "mood_checkin",
         "measure_response", "message", "flag", "audit_event")
ID_TABLES = ("user", "enrolment", "homework", "entry", "measure_response")
DOMAIN = "clinic.example"


class Writer:
    """Buffer rows per table and write them with one executemany per chunk."""

    def __init__(self, conn: Any, chunk: int = 20_000) -> None:
        self.conn = conn
        self.chunk = chunk
        self.tables = {name: db.metadata.tables[name] for name in ORDER}
        self.buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in ORDER}
        self.counts: dict[str, int] = dict.fromkeys(ORDER, 0)
        self.ids: dict[str, int] = dict.fromkeys(ID_TABLES, 0)

    def next_id(self, table: str) -> int:
        """The next primary key of a table (the clinic is built into an empty database)."""
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, row: dict[str, Any]) -> None:
        """Queue one row."""
        self.buffers[table].append(row)

    def flush_if_full(self) -> None:
        """Write every buffer once one of them holds a chunk."""
        if any(len(buf) >= self.chunk for buf in self.buffers.values()):
            self.flush()

    def flush(self) -> None:
        """Write every buffered row, parents first."""
        for name in ORDER:
            buf = self.buffers[name]
            if buf:
                self.conn.execute(insert(self.tables[name]), buf)
                self.counts[name] += len(buf)
                buf.clear()


def has_clinic() -> bool:
    """Tell whether the database already holds accounts (a demo or a real clinic)."""
    return db.session.scalar(select(func.count()).select_from(User)) != 0


def _user(w: Writer, role: str, email: str, name: str, pw: str | None, at: datetime,
          uid: int | None = None, **extra: Any) -> int:
    """Queue one account row; return its id."""
    uid = uid if uid is not None else w.next_id("user")
    w.add("user", {"id": uid, "email": email, "name": name, "role": role, "password_hash": pw,
                   "therapist_id": None, "status": "active", "disabled": False,
                   "timezone": "Europe/London", "created_at": at, "last_login_at": None,
                   "session_version": 1, "totp_secret": None, "totp_enabled": False,
                   "recovery_codes": [], "totp_last_step": None, "pending_email": None,
                   "prefs": {}, "talk_note": "", "deletion_due_at": None,
                   "unsubscribe_token": None, **extra})
    return uid


def _offsets(now: datetime) -> dict[str, timedelta]:
    """Each zone's offset from UTC now (one conversion per zone, not per row)."""
    return {tz: to_local(now, tz) - now for tz in set(ZONES)}


def _fast_sqlite(conn: Any) -> None:
    """A bulk load wants a big page cache (SQLite only; this connection; WAL already fsyncs
    only at checkpoints)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB


def _fix_sequences(conn: Any) -> None:
    """Explicit ids do not move PostgreSQL sequences: move them past the rows written."""
    if conn.dialect.name != "postgresql":
        return
    for name in ORDER:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # nosec B608 # noqa: S608 - names from the fixed ORDER list
            f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"))


def _snapshots(programs: list[Any]) -> None:
    """Keep every lesson as shown, as the app does when a lesson is first opened."""
    for program in programs:
        for lesson in program.lessons:
            store.snapshot_lesson(program, lesson)


def build(clients: int, therapists: int, days: int, seed: int, now: datetime | None = None,
          echo: Callable[[str], None] | None = None, recompute: bool = True) -> dict[str, Any]:
    """Build the clinic into an empty database; return row counts and timings."""
    say = echo or (lambda _msg: None)
    started = time.perf_counter()
    now = now or utcnow()
    programs = [store.store().programs[slug] for slug in sorted(store.store().programs)]
    keys = sorted({h.worksheet for p in programs for lesson in p.lessons for h in lesson.homework}
                  | {"journal"})
    samples = worksheet_samples(keys, random.Random(seed + 1), now.date())
    pw = users.hash_password(DEMO_PASSWORD)  # one hash for every account: fast to build
    agreed = notice.current()  # every client who signed up agreed to the notice in force
    conn = db.session.connection()
    _fast_sqlite(conn)
    w = Writer(conn)
    clinic = Clinic(now=now, days=days, programs=programs, samples=samples, sink=w,
                    offsets=_offsets(now))
    opened = now - timedelta(days=days + 30)
    _user(w, "admin", f"admin@{DOMAIN}", "Alex Admin", pw, opened)
    _user(w, "designer", f"designer@{DOMAIN}", "Dana Designer", pw, opened)
    staff = [_user(w, "therapist", f"therapist{j + 1}@{DOMAIN}",
                   f"{FIRST[j % len(FIRST)]} {LAST[(j * 7) % len(LAST)]}", pw, opened)
             for j in range(therapists)]
    for i in range(clients):
        # One generator per client: a client's story depends only on the seed, its number and
        # `now`, never on how many random numbers the clients before it happened to draw.
        rng = random.Random(seed * 1_000_003 + i)
        persona = pick(rng, PERSONAS)
        tz = rng.choice(ZONES)
        story = Story(clinic, rng, w.next_id("user"), staff[i % therapists], tz, persona)
        story.programs()  # first: a finished program may end in a discharge
        created = story.created_at()
        last_day = min(story.stop or story.today, story.today)
        _user(w, "client", f"client{i + 1}@{DOMAIN}",
              f"{FIRST[rng.randrange(len(FIRST))]} {LAST[rng.randrange(len(LAST))]}",
              None if persona == "invited" else pw, created, uid=story.uid,
              therapist_id=story.tid, timezone=tz,
              status={"invited": "invited", "discharged": "discharged"}.get(story.persona,
                                                                            "active"),
              last_login_at=None if persona == "invited" else
              datetime.combine(last_day, datetime.min.time()) + timedelta(hours=19))
        w.add("audit_event", {"at": created, "actor_id": story.tid, "client_id": story.uid,
                              "action": "create", "target": "invite", "ip": "", "detail": ""})
        if persona != "invited":
            w.add("consent", {"client_id": story.uid, "version": agreed.version,
                              "notice_sha256": agreed.sha256, "agreed_at": created})
        story.daily()
        w.flush_if_full()  # between clients only, so a client's rows and account go together
    w.flush()
    _fix_sequences(conn)
    db.session.commit()
    _snapshots(programs)
    if conn.dialect.name == "postgresql":
        # Fresh statistics for the planner: until autovacuum gets to the new tables, the
        # first flag recompute on PostgreSQL took 25 s instead of 2 (benchmarks/RESULTS.md).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    built = time.perf_counter() - started
    say(f"Wrote {sum(w.counts.values()):,} rows in {built:.1f} s "
        f"({w.counts['mood_checkin']:,} mood check-ins).")
    out: dict[str, Any] = {"counts": dict(w.counts), "build_seconds": built}
    if recompute:
        t0 = time.perf_counter()
        flags.recompute_all(now)
        out["recompute_seconds"] = time.perf_counter() - t0
        say(f"Review flags computed in {out['recompute_seconds']:.1f} s.")
        if db.session.get_bind().dialect.name == "postgresql":
            # The flag and review-state tables were empty at the ANALYZE above: with
            # "one row" statistics PostgreSQL scanned every flag per client (benchmarks/).
            db.session.execute(text("ANALYZE flag, review_state"))
            db.session.commit()
    return out


def describe(result: dict[str, Any]) -> str:
    """A few lines saying what was built."""
    counts = result["counts"]
    parts = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)
    return f"Synthetic clinic: {parts}.\nEvery account's password: {DEMO_PASSWORD}"
