"""Shared pieces of the benchmark: timing, the machine's description, logins, PostgreSQL,
and the statement counter the tests' query guards use too."""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def median_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    """Run fn `repeat` times; return the median seconds and every run."""
    runs = []
    for _i in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def pair(fn: Callable[[], Any], base: Callable[[], Any], repeat: int
         ) -> tuple[float, float, list[float], list[float]]:
    """Time fn and its baseline alternately (so both see the same noise); return medians."""
    a: list[float] = []
    b: list[float] = []
    for _i in range(repeat):
        for f, out in ((base, b), (fn, a)):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b), a, b


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> dict[str, str]:
    """nproc, memory, CPU, Python, SQLite and PostgreSQL versions, load at the start."""
    mem = "?"
    cpu = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = pg_bin()
    return {
        "nproc": _run(["nproc"]), "memory": mem, "cpu": cpu,
        "os": platform.platform(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _run([str(pg / "postgres"), "--version"]) if pg else "not installed",
        "wrk": _run(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else "absent",
        "load_at_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def login(app: Any, email: str, password: str) -> Any:
    """A Flask test client signed in as email (CSRF token read from the login page)."""
    c = app.test_client()
    token = CSRF_RE.search(c.get("/login").get_data(as_text=True))
    resp = c.post("/login", data={"email": email, "password": password,
                                  "csrf_token": token.group(1) if token else ""})
    assert resp.status_code == 302, f"login failed for {email}: {resp.status_code}"
    return c


@contextmanager
def statements(target: Any) -> Iterator[list[tuple[str, Any]]]:
    """Collect (SQL, parameters) of every statement run inside the block.

    target is an engine or a Flask app (its database engine). Parameters are None for an
    executemany. The one statement counter of the benchmarks and the tests' query guards.
    """
    from sqlalchemy import event

    engine = target
    if hasattr(target, "app_context"):
        from icbt.db import db

        with target.app_context():
            engine = db.engine
    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        seen.append((statement, None if executemany else parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def pg_bin() -> Path | None:
    """The newest Debian PostgreSQL bin folder, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    return found[-1] if found else None


@contextmanager
def postgresql() -> Iterator[str]:
    """Start a throw-away PostgreSQL on a Unix socket (no TCP); yield its SQLAlchemy URL."""
    pg = pg_bin()
    if pg is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="icbt-bench-pg-"))
    user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
        shutil.chown(folder, "postgres", "postgres")
        user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(user + [str(pg / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--no-locale", "--no-sync"], check=True,
                   capture_output=True)
    opts = (f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c shared_buffers=256MB -c work_mem=32MB")
    subprocess.run(user + [str(pg / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                          "-o", opts, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}"
    finally:
        subprocess.run(user + [str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The child processes of pid (gunicorn's workers)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out.extend(int(x) for x in text)
    return out
