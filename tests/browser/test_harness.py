"""The harness itself: the live server answers, axe runs, pages pass on desktop and phone."""

from __future__ import annotations

from typing import Any

import harness
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import check_axe, shot
from steps import expect

pytestmark = harness.PYTESTMARK


def test_login_and_help_pages_are_accessible(page: Any, live_server: Any, axe_source: str) -> None:
    page.goto(live_server.url + "/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_axe(page, axe_source)
    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("heading", name="Need help now?")).to_be_visible()
    check_axe(page, axe_source)
    shot(page, "help-page")


def test_dark_theme_passes_contrast(browser: Any, live_server: Any, axe_source: str) -> None:
    context = browser.new_context(color_scheme="dark", reduced_motion="reduce")
    pg = context.new_page()
    pg.goto(live_server.url + "/login")
    check_axe(pg, axe_source)
    shot(pg, "login-dark")
    context.close()
