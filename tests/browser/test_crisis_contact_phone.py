"""'Need help now?' on a 375 px phone: the clinic's call buttons first, big enough, no JavaScript needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import harness
import pytest
import steps
from clinic_helpers import CLINIC
from harness import *  # noqa: F401,F403 - the browser fixtures

pytestmark = harness.PYTESTMARK



@pytest.fixture
def clinic_contact(live_app: Any) -> Iterator[None]:
    """The shared live app with a clinic contact, put back afterwards."""
    before = {key: live_app.config.get(key) for key in CLINIC}
    live_app.config.update(CLINIC)
    yield
    live_app.config.update(before)


def test_the_clinic_comes_first_on_a_phone(phone: Any, live_server: Any, clinic_contact: None,
                                           axe_source: str) -> None:
    phone.goto(live_server.url + "/help")
    assert steps.phone_layout(phone) > 0  # nothing sideways, every button 44 px and reachable
    steps.checked(phone, axe_source)
    first = phone.locator("ul.resources > li").first
    assert first.locator("h2").inner_text() == "Northgate Wellbeing"
    calls = first.locator("a.call")
    assert calls.count() == 2
    assert [calls.nth(i).get_attribute("href") for i in range(2)] == [
        "tel:020 7946 0123", "tel:020 7946 0999"]
    link = phone.get_by_role("link", name="findahelpline.com")
    assert link.get_attribute("href") == "https://findahelpline.com"


def test_the_call_buttons_work_without_javascript(browser: Any, live_server: Any,
                                                  clinic_contact: None) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(live_server.url + "/help")
        call = pg.get_by_role("link", name="Call 020 7946 0123")
        assert call.is_visible() and call.get_attribute("href") == "tel:020 7946 0123"
        assert pg.get_by_text("Opening hours: Monday to Friday, 9:00 to 17:00").is_visible()
    finally:
        context.close()
