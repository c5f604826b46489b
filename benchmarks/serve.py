"""gunicorn on loopback, a bounded load generator (wrk, or Python threads), and worker RSS."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.common import CSRF_RE, children, rss_mb

HOST = "127.0.0.1"  # load goes to loopback only
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start(env: dict[str, str], workers: int = 2) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn (sync workers) serving the benchmark app; wait until it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
         "--log-level", "warning", "--timeout", "120", "benchmarks.bench_app:app"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if request(port, "/bench/ok")[0] == 200 and len(children(proc.pid)) >= workers:
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (the process we started)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def request(port: int, path: str, cookie: str = "", method: str = "GET",
            body: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """One HTTP request on loopback: (status, text, headers)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", "replace")
    out = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
    cookies = [v.split(";", 1)[0] for k, v in resp.getheaders() if k.lower() == "set-cookie"]
    out["set-cookie"] = "; ".join(cookies)
    conn.close()
    return resp.status, text, out


def login(port: int, email: str, password: str) -> str:
    """Sign in through the login form; return the Cookie header of the session."""
    _s, page, h = request(port, "/login")
    token = CSRF_RE.search(page)
    status, _t, h2 = request(port, "/login", h["set-cookie"], "POST",
                             {"email": email, "password": password,
                              "csrf_token": token.group(1) if token else ""})
    if status != 302 or not h2["set-cookie"]:
        raise RuntimeError(f"login failed for {email} ({status})")
    return h2["set-cookie"]


def wrk(port: int, path: str, cookie: str, seconds: int, conns: int) -> tuple[float, int]:
    """Requests per second with wrk (bounded in time), and the non-2xx responses."""
    cmd = ["wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", "--timeout", "30s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [f"http://{HOST}:{port}{path}"], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return (float(rate.group(1)) if rate else 0.0), (int(bad.group(1)) if bad else 0)


def pyload(port: int, path: str, cookie: str, seconds: int, conns: int,
           max_requests: int = 20_000) -> tuple[float, int]:
    """The same with Python threads, bounded in time and count (when wrk is missing)."""
    done: list[int] = [0, 0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                if done[0] >= max_requests:
                    return
            status = request(port, path, cookie)[0]
            with lock:
                done[0] += 1
                done[1] += status >= 300
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.perf_counter() - t0), done[1]


def load(port: int, path: str, cookie: str, seconds: int, conns: int) -> tuple[float, int]:
    """Requests per second on a path, with wrk when installed."""
    if shutil.which("wrk"):
        return wrk(port, path, cookie, seconds, conns)
    return pyload(port, path, cookie, seconds, conns)


def worker_rss(proc: subprocess.Popen[bytes]) -> list[float]:
    """RSS (MB) of each gunicorn worker."""
    return sorted(round(rss_mb(pid), 1) for pid in children(proc.pid))


def generator_name() -> str:
    """Which load generator `load` uses."""
    return "wrk" if shutil.which("wrk") else "python threads"


def check(port: int, path: str, cookie: str) -> Any:
    """Fail loudly if a page does not answer 200 for this cookie."""
    status = request(port, path, cookie)[0]
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
