"""The README's screenshots, taken from the demo clinic in a real browser.

Regenerate them with:

    python -m pytest tests/browser/test_screenshots.py

Named on the command line like that, this module writes docs/screenshots/*.png. As part of
the whole suite it writes to test-artifacts/screenshots/ instead, so an ordinary test run
never changes files under docs/. Either way it checks each page first (axe, the content it
should show) and keeps every PNG under MAX_BYTES.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness
import pytest
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from steps import expect

pytestmark = harness.PYTESTMARK

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000


@pytest.fixture(scope="module")
def out_dir(request: pytest.FixtureRequest) -> Path:
    """docs/screenshots when this file was named on the command line, else test-artifacts."""
    named = any(Path(arg.split("::")[0]).name == Path(__file__).name
                for arg in request.config.invocation_params.args)
    folder = ROOT / "docs" / "screenshots" if named else harness.ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(target: Any, folder: Path, name: str, **options: Any) -> Path:
    """Screenshot a page or an element as folder/name.png, and keep it small."""
    path = folder / f"{name}.png"
    target.screenshot(path=str(path), animations="disabled", **options)
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path} is {size} bytes"
    return path


def signed_in(browser: Any, base: str, email: str, password: str, *, phone: bool) -> Any:
    """A new page, phone-sized (375x812) or desktop (1200x800), signed in."""
    if phone:
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                      has_touch=True, device_scale_factor=2)
    else:
        context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    steps.sign_in(page, base, email, password)
    return page


def test_readme_screenshots(browser: Any, live_server: Any, demo_clinic: dict[str, Any],
                            axe_source: str, out_dir: Path) -> None:
    base, password = live_server.url, demo_clinic["password"]

    # The client's home page, on a phone.
    client = signed_in(browser, base, demo_clinic["client"], password, phone=True)
    expect(steps.heading(client, "Hello, Sam")).to_be_visible()
    steps.checked(client, axe_source)
    save(client, out_dir, "client-home")

    # A thought record the client wrote, on a phone.
    steps.main_nav(client).get_by_role("link", name="My worksheets").click()
    client.locator(".card").filter(has_text="Thought record").get_by_role("link").first.click()
    expect(steps.heading(client, "Thought record")).to_be_visible()
    expect(client.get_by_text("How things shifted")).to_be_visible()
    steps.checked(client, axe_source)
    save(client, out_dir, "thought-record")

    # The mood chart, as the client sees it on a desktop.
    desk = signed_in(browser, base, demo_clinic["client"], password, phone=False)
    desk.goto(base + "/mood/")
    chart = desk.locator("figure#chart-mood")
    img = chart.get_by_role("img")
    img.scroll_into_view_if_needed()
    desk.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=img.element_handle())
    assert (img.get_attribute("alt") or "").startswith("Mood over the last eight weeks")
    steps.checked(desk, axe_source)
    save(chart, out_dir, "mood-chart")
    desk.context.close()

    # The therapist's review queue, on a desktop.
    staff = signed_in(browser, base, demo_clinic["therapist"], password, phone=False)
    expect(steps.heading(staff, "Review queue")).to_be_visible()
    expect(staff.locator("ol.queue > li").first.locator(".badge-urgent").first).to_be_visible()
    steps.checked(staff, axe_source)
    save(staff, out_dir, "therapist-queue")
    staff.context.close()
    client.context.close()
