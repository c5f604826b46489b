"""The real-browser harness (fixtures and helpers; test modules import * from here): the app on a free loopback port, Debian's Chromium via Playwright.

Without Chromium the journeys skip with a one-line reason, unless ICBT_REQUIRE_BROWSER=1
(set by .ci/run), in which case they fail: CI never passes with the journeys skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ICBT_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def _marks() -> list[Any]:
    """Every journey is a browser test; skip without Chromium, unless CI requires it."""
    reason = _browser_missing()
    marks = [pytest.mark.browser]
    if reason and os.environ.get("ICBT_REQUIRE_BROWSER") != "1":
        marks.append(pytest.mark.skip(reason=reason))
    return marks


PYTESTMARK = _marks()


class LiveServer:
    """The app served by werkzeug in a thread on 127.0.0.1:<free port>."""

    def __init__(self, app: Any) -> None:
        import logging

        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@contextlib.contextmanager
def fresh_app(base: Path, **overrides: Any) -> Iterator[Any]:
    """An app on a fresh database (SQLite file under base, or a new PostgreSQL database)."""
    from icbt import create_app
    from icbt.db import db
    from icbt.extensions import upgrade_db

    url = "sqlite:///" + str(base / "live.sqlite")
    pg = os.environ.get("ICBT_TEST_DATABASE_URL")
    drop = None
    if pg:
        import uuid

        import sqlalchemy as sa

        name = "icbt_live_" + uuid.uuid4().hex[:10]
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(pg).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:  # type: ignore[misc]
            with admin.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,))
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            admin.dispose()

    app = create_app({
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(base / "instance"),
        "OUTBOX_DIR": str(base / "outbox"),
        "BASE_URL": "http://127.0.0.1",
        "REQUIRE_2FA_ROLES": [],
        # Argon2id with its cheapest parameters (honoured only with TESTING): a sign-in then
        # takes milliseconds, not half a second, and the suite stays within its time budget.
        # TESTING changes nothing else here: the app's own error pages still answer.
        "TESTING": True,
        "PASSWORD_HASH_CHEAP": True,
        **overrides,
    })
    with app.app_context():
        upgrade_db()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            drop()


@contextlib.contextmanager
def serving(app: Any) -> Iterator[LiveServer]:
    """Serve app on a free loopback port while the block runs (BASE_URL points at it)."""
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Each test module star-imports these fixtures, so pytest sees one copy per module; a
# session-scoped copy would then start a second app, server and Playwright per module
# (and two Playwright sync loops cannot run at once). The first copy to run builds the
# object and tears it down at the end of the session; later copies reuse it.
_SHARED: dict[str, Any] = {}


@contextlib.contextmanager
def _once(name: str, make: Any) -> Iterator[Any]:
    """The shared object `name`, built by the context manager make() on first use."""
    if name in _SHARED:
        yield _SHARED[name]
        return
    with make() as value:
        _SHARED[name] = value
        try:
            yield value
        finally:
            del _SHARED[name]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app for the browser session, on a fresh database (SQLite file or PostgreSQL)."""
    with _once("live_app", lambda: fresh_app(tmp_path_factory.mktemp("live"))) as app:
        yield app


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[LiveServer]:
    with _once("live_server", lambda: serving(live_app)) as server:
        yield server


@contextlib.contextmanager
def _demo(app: Any) -> Iterator[dict[str, Any]]:
    from icbt.db import db
    from icbt.demo import clinic, people
    from icbt.models.people import User

    with app.app_context():
        clinic.build()
        # The demo staff share a two-step secret; these pages are about layout and
        # accessibility, so sign in with the password alone (journey 4 covers two-step
        # sign-in, and the live app requires it of no role).
        for user in db.session.scalars(db.select(User).where(User.totp_enabled.is_(True))):
            user.totp_enabled = False
            user.totp_secret = None
        db.session.commit()
    yield {"password": people.DEMO_PASSWORD, "client": people.client_email(0),
           "therapist": "therapist@demo.icbt", "designer": "designer@demo.icbt"}


@pytest.fixture(scope="session")
def demo_clinic(live_app: Any) -> Iterator[dict[str, Any]]:
    """The demo clinic (`icbt demo`) in the live app: staff, a dozen clients, weeks of history.

    Journeys make their own people; this is for pages that need history (charts, a full
    queue): the accessibility checks and the README screenshots. Returns the logins.
    """
    with _once("demo_clinic", lambda: _demo(live_app)) as logins:
        yield logins


@contextlib.contextmanager
def _chromium(home: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    os.environ["XDG_CACHE_HOME"] = str(home)
    os.environ["XDG_CONFIG_HOME"] = str(home)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _once("browser", lambda: _chromium(tmp_path_factory.mktemp("chromium-home"))) as b:
        yield b


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, desktop-sized."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A 375x812 phone-sized page with touch."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


ARTIFACTS = Path(os.environ.get("ICBT_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts"))


def check_axe(page: Any, axe_source: str) -> None:
    """Run axe-core (WCAG 2.2 A/AA rules) and fail on serious or critical violations."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}, resultTypes: ['violations']})"
    )
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        lines = [f"axe found {len(bad)} serious/critical violation(s) on {page.url}:"]
        for v in bad:
            for node in v["nodes"][:5]:
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} at {node['target']}")
        raise AssertionError("\n".join(lines))


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under the test-artifacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
