"""icbt benchmark: build a synthetic clinic, then measure each figure against a same-run baseline.

    python -m benchmarks.run                      # the full run: 10,000 clients, SQLite + PostgreSQL
    python -m benchmarks.run --clients 1000 --therapists 10 --quick

See benchmarks/README.md. All load goes to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "icbt-mpl"))

from sqlalchemy import insert, select, text, update  # noqa: E402

from benchmarks import baseline, report, serve  # noqa: E402
from benchmarks.bench_app import add_bare_route  # noqa: E402
from benchmarks.common import login, machine, pair, percentile, postgresql, statements  # noqa: E402
from icbt import create_app  # noqa: E402
from icbt.db import db  # noqa: E402
from icbt.demo.people import DEMO_PASSWORD  # noqa: E402
from icbt.models.care import Enrolment, LessonProgress  # noqa: E402
from icbt.models.people import User  # noqa: E402
from icbt.timeutil import utcnow  # noqa: E402

SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
HERE = Path(__file__).resolve().parent


def make_app(url: str, instance: Path) -> Any:
    """The real app on a given database, plus the bare route (benchmark only)."""
    return add_bare_route(create_app({
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET,
        "REQUIRE_2FA_ROLES": [], "OUTBOX_DIR": str(instance / "outbox"),
        "LOGIN_MAX_FAILURES_PER_IP": 10_000}))


def build(app: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Create the schema and the synthetic clinic; time it (wall clock and CPU)."""
    from icbt.demo import synthetic
    from icbt.extensions import upgrade_db

    with app.app_context():
        upgrade_db()
        if synthetic.has_clinic():
            return {"reused": True}
        cpu = time.process_time()
        out = synthetic.build(args.clients, args.therapists, args.days, args.seed, echo=print)
        out["cpu_seconds"] = time.process_time() - cpu
        db.session.remove()
        return out


def recompute(app: Any, repeat: int) -> dict[str, Any]:
    """(1) Every client's flags: the app's recompute against the bare SQL aggregates."""
    from icbt.review import flags

    with app.app_context():
        flags.recompute_all()  # settle: later runs change (almost) nothing

        def run_app() -> None:
            flags.recompute_all()
            db.session.remove()

        def run_base() -> None:
            with db.engine.connect() as conn:
                baseline.run(conn, utcnow())

        with db.engine.connect() as conn:
            rows = baseline.run(conn, utcnow())
        a, b, runs_a, runs_b = pair(run_app, run_base, repeat)
    return {"app_s": a, "baseline_s": b, "ratio": a / b, "app_runs": runs_a,
            "baseline_runs": runs_b, "baseline_rows": rows}


def caseloads(app: Any, sizes: tuple[int, ...]) -> dict[int, str]:
    """Therapist emails with caseloads of the given sizes (new accounts take clients over)."""
    with app.app_context():
        first = db.session.scalar(select(User).where(User.role == "therapist").order_by(User.id))
        own = db.session.scalar(select(text("count(*)")).select_from(User)
                                .where(User.therapist_id == first.id))
        out = {int(own): first.email}
        pool = list(db.session.scalars(select(User.id).where(
            User.role == "client", User.therapist_id != first.id).order_by(User.id)))
        for size in sizes:
            email = f"bench{size}@clinic.example"
            if size in out or db.session.scalar(select(User.id).where(User.email == email)):
                out.setdefault(size, email)
                continue
            size = min(size, len(pool))
            if size < 1:
                continue
            uid = db.session.execute(insert(User).values(
                email=email, name=f"Bench {size}", role="therapist",
                password_hash=first.password_hash).returning(User.id)).scalar_one()
            take, pool = pool[:size], pool[size:]
            db.session.execute(update(User).where(User.id.in_(take)).values(therapist_id=uid))
            out[size] = email
        db.session.commit()
    return dict(sorted(out.items()))


def queue(app: Any, loads: dict[int, str], requests: int) -> dict[str, Any]:
    """(2) The queue page through the Flask test client: p50 and SQL statements per caseload."""
    out: dict[str, Any] = {"statements": {}, "p50_ms": {}, "p90_ms": {}}
    for size, email in loads.items():
        web = login(app, email, DEMO_PASSWORD)
        assert web.get("/staff/queue").status_code == 200
        with app.app_context():
            engine = db.engine
        with statements(engine) as seen:
            web.get("/staff/queue")
        out["statements"][size] = len(seen)
        times, bare = [], []
        for _i in range(requests):
            for path, sink in (("/bench/ok", bare), ("/staff/queue", times)):
                t0 = time.perf_counter()
                assert web.get(path).status_code == 200
                sink.append(time.perf_counter() - t0)
        out["p50_ms"][size] = percentile(times, 50) * 1000
        out["p90_ms"][size] = percentile(times, 90) * 1000
        out.setdefault("bare_p50_ms", {})[size] = percentile(bare, 50) * 1000
        # Cold: every client's stored state gone (a new day before the 10-minute job ran,
        # or all their data changed): the page recomputes the whole caseload first.
        cold, cold_statements = [], 0
        for _i in range(5):
            forget(app, email)
            with statements(engine) as seen:
                t0 = time.perf_counter()
                assert web.get("/staff/queue").status_code == 200
                cold.append(time.perf_counter() - t0)
            cold_statements = len(seen)
        out.setdefault("cold_p50_ms", {})[size] = percentile(cold, 50) * 1000
        out.setdefault("cold_statements", {})[size] = cold_statements
    return out


def forget(app: Any, email: str) -> None:
    """Delete the stored review state of a therapist's clients (so the queue recomputes)."""
    from icbt.models.flags import ReviewState

    with app.app_context():
        tid = db.session.scalar(select(User.id).where(User.email == email))
        db.session.execute(ReviewState.__table__.delete().where(ReviewState.client_id.in_(
            select(User.id).where(User.therapist_id == tid))))
        db.session.commit()


def people(app: Any) -> dict[str, Any]:
    """A therapist (caseload 100), one of their active clients with an opened lesson."""
    with app.app_context():
        row = db.session.execute(
            select(User.id, User.email, User.therapist_id, Enrolment.program_slug,
                   LessonProgress.week)
            .join(Enrolment, Enrolment.client_id == User.id)
            .join(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
            .where(User.status == "active", Enrolment.status == "active",
                   LessonProgress.opened_at.is_not(None))
            .order_by(User.therapist_id, LessonProgress.week.desc(), User.id).limit(1)).one()
        therapist = db.session.scalar(select(User.email).where(User.id == row.therapist_id))
        others = list(db.session.scalars(select(User.id).where(
            User.therapist_id == row.therapist_id).order_by(User.id).limit(8)))
    return {"client_id": row.id, "client": row.email, "therapist": therapist,
            "lesson": f"/lessons/{row.program_slug}/{row.week}", "chart_clients": others}


def charts(app: Any, who: dict[str, Any], repeat: int) -> dict[str, Any]:
    """(4) Charts: the first render in a process, warm renders, cached requests."""
    web = login(app, who["therapist"], DEMO_PASSWORD)
    url = f"/charts/{who['client_id']}/mood.png"
    cold_import = "matplotlib" not in sys.modules
    t0 = time.perf_counter()
    assert web.get(url).status_code == 200
    cold = time.perf_counter() - t0

    def clear() -> None:
        app.extensions["icbt.chart_cache"].clear()
    # "cached": the request right after a render (the CPU's caches still full of
    # matplotlib's work: the pessimistic figure); "again": the next cached requests, as
    # when a therapist goes through a caseload's charts.
    warm, cached, again, base = [], [], [], []
    for _i in range(repeat):
        clear()
        for sink, path in ((warm, url), (cached, url), (again, url), (again, url),
                           (base, "/bench/ok")):
            t0 = time.perf_counter()
            assert web.get(path).status_code == 200
            sink.append(time.perf_counter() - t0)
    w, c, a = percentile(warm, 50), percentile(cached, 50), percentile(again, 50)
    return {"cold_ms": cold * 1000, "cold_included_import": cold_import, "warm_ms": w * 1000,
            "cached_ms": c * 1000, "again_ms": a * 1000, "bare_ms": percentile(base, 50) * 1000,
            "ratio": w / c, "ratio_again": w / a}


def served(instance: Path, url: str, who: dict[str, Any], args: argparse.Namespace
           ) -> dict[str, Any]:
    """(3) and (5): gunicorn with 2 workers; each page against the bare route; worker RSS."""
    env = {"ICBT_INSTANCE_PATH": str(instance), "ICBT_DATABASE_URL": url,
           "ICBT_SECRET_KEY": SECRET, "ICBT_REQUIRE_2FA_ROLES": "[]",
           "ICBT_LOGIN_MAX_FAILURES_PER_IP": "10000"}
    proc, port = serve.start(env)
    out: dict[str, Any] = {"generator": serve.generator_name(), "pages": {}, "rss_mb": {}}
    try:
        for _i in range(4):
            serve.request(port, "/bench/ok")
        out["rss_mb"]["after start"] = serve.worker_rss(proc)
        client = serve.login(port, who["client"], DEMO_PASSWORD)
        therapist = serve.login(port, who["therapist"], DEMO_PASSWORD)
        out["bare_with_session_rps"] = serve.load(port, "/bench/ok", client, args.seconds,
                                                  args.conns)[0]
        for name, path, cookie in (("client home", "/home", client),
                                   ("lesson page", who["lesson"], client),
                                   ("queue page", "/staff/queue", therapist)):
            serve.check(port, path, cookie)
            pages, bares, errors = [], [], 0
            for _r in range(args.load_repeat):
                bares.append(serve.load(port, "/bench/ok", "", args.seconds, args.conns)[0])
                rate, bad = serve.load(port, path, cookie, args.seconds, args.conns)
                pages.append(rate)
                errors += bad
            med = sorted(pages)[len(pages) // 2]
            base = sorted(bares)[len(bares) // 2]
            out["pages"][name] = {"rps": med, "bare_rps": base, "ratio": med / base,
                                  "non_2xx": errors, "runs": pages, "bare_runs": bares}
            out["rss_mb"][f"after {name}"] = serve.worker_rss(proc)
        for cid in who["chart_clients"]:
            serve.request(port, f"/charts/{cid}/mood.png", therapist)
        out["rss_mb"]["after charts"] = serve.worker_rss(proc)
    finally:
        serve.stop(proc)
    return out


def on_postgresql(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """(6) The clinic on PostgreSQL: build, recompute against its baseline, the queue page."""
    with postgresql() as url:
        app = make_app(url, work / "pg")
        out: dict[str, Any] = {"build": build(app, args)}
        out["recompute"] = recompute(app, args.repeat)
        out["queue"] = queue(app, caseloads(app, (10, 1000)), args.requests)
        with app.app_context():
            out["version"] = db.session.scalar(text("SELECT version()"))
            db.session.remove()
            db.engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark; write JSON and Markdown results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=10_000)
    p.add_argument("--therapists", type=int, default=100)
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5, help="runs per timed figure (median)")
    p.add_argument("--requests", type=int, default=30, help="queue page requests per caseload")
    p.add_argument("--seconds", type=int, default=5, help="seconds per load run")
    p.add_argument("--conns", type=int, default=4, help="open connections per load run")
    p.add_argument("--load-repeat", type=int, default=3, help="load runs per page (median)")
    p.add_argument("--quick", action="store_true", help="fewer repeats; no PostgreSQL")
    p.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL figures")
    p.add_argument("--workdir", default=None, help="where the databases go (kept; reused)")
    p.add_argument("--out", default=str(HERE / "results-latest"), help="results path stem")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat, args.requests, args.seconds, args.load_repeat = 3, 10, 3, 1
        args.no_pg = True
    work = Path(args.workdir or tempfile.mkdtemp(prefix="icbt-bench-"))
    instance = work / "sqlite"
    url = "sqlite:///" + str(instance / "icbt.sqlite")
    res: dict[str, Any] = {"machine": machine(), "started": datetime.now().isoformat(
        timespec="seconds"), "params": {k: v for k, v in vars(args).items() if k != "out"}}
    app = make_app(url, instance)
    steps = [("build", lambda: build(app, args)),
             ("recompute", lambda: recompute(app, args.repeat)),
             ("queue", lambda: queue(app, caseloads(app, (10, 1000)), args.requests)),
             ("who", lambda: people(app)),
             ("charts", lambda: charts(app, res["who"], max(args.repeat, 5))),
             ("served", lambda: served(instance, url, res["who"], args))]
    if not args.no_pg:
        steps.append(("postgresql", lambda: on_postgresql(args, work)))
    for name, step in steps:
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        res[name] = step()
        print(f"   done in {time.perf_counter() - t0:.1f} s", flush=True)
    res["load_at_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    Path(args.out + ".json").write_text(json.dumps(res, indent=2, default=str))
    Path(args.out + ".md").write_text(report.markdown(res))
    print(report.markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
