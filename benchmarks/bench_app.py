"""The benchmark-only app: the real icbt app plus a bare route, for same-run baselines.

gunicorn serves `benchmarks.bench_app:app`; `/bench/ok` returns "ok" through the same
app, middleware and workers as the real pages, so the ratio of a page to it shows what
the page itself costs. This route is never part of the product.
"""

from __future__ import annotations

from flask import Flask

from icbt import create_app


def bench_ok() -> str:
    """The bare baseline route."""
    return "ok"


def add_bare_route(target: Flask) -> Flask:
    """Add `/bench/ok` to an app (the benchmark's own apps only)."""
    target.add_url_rule("/bench/ok", "bench_ok", bench_ok)
    return target


_app: list[Flask] = []


def __getattr__(name: str) -> Flask:
    """`app` is built on first use (by gunicorn), so importing this module builds nothing."""
    if name != "app":
        raise AttributeError(name)
    if not _app:
        _app.append(add_bare_route(create_app()))
    return _app[0]
