"""Navigation on a 375x812 phone (issue #20, item 7): a one-row header with "Need help now?"
always in sight and a Menu that opens without JavaScript; on a desktop the links stay a row.
Staff get a Help link to the staff help page instead of the client's button."""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

# Everything above <main>. Measured with Playwright on 375x812 for a signed-in client:
# 158 px before (brand and help button, then the links in two rows), 62 px now.
HEADER_JS = "() => document.querySelector('main').getBoundingClientRect().top"
PHONE_HEADER_MAX = 72
VIEWPORT = {"width": 375, "height": 812}


def in_first_screen(page: Any, locator: Any) -> None:
    """The control is visible without scrolling or opening anything."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], box


def help_button(page: Any) -> Any:
    return page.locator("header").get_by_role("button", name="Need help now?")


def client_on_phone(live_app: Any, page: Any, base: str) -> None:
    therapist_id, _t = steps.make_user(live_app, "therapist", name="Noor Haddad")
    client_id, address = steps.make_user(live_app, "client", name="Lee Marsh",
                                         therapist_id=therapist_id)
    steps.enrol(live_app, client_id, therapist_id)
    steps.sign_in(page, base, address)
    expect(steps.heading(page, "Hello, Lee")).to_be_visible()


def test_phone_header_is_one_row_and_the_menu_reaches_questionnaires(
        phone: Any, live_app: Any, live_server: Any, axe_source: str) -> None:
    base = live_server.url
    client_on_phone(live_app, phone, base)
    assert phone.viewport_size == VIEWPORT
    for path in ("/home", "/lessons", "/mood/", "/worksheets/", "/measures/"):
        phone.goto(base + path)
        phone.wait_for_load_state("load")
        height = phone.evaluate(HEADER_JS)
        assert height <= PHONE_HEADER_MAX, f"{path}: the header is {height} px tall"
        in_first_screen(phone, help_button(phone))
        # The menu is closed: its links take no room until asked for.
        expect(phone.locator("header").get_by_role("link", name="Questionnaires",
                                                  exact=True)).to_be_hidden()
        steps.phone_layout(phone)
        steps.checked(phone, axe_source)

    phone.goto(base + "/home")
    menu = phone.locator("header details.menu > summary")
    in_first_screen(phone, menu)
    expect(menu).to_have_accessible_name("Menu")
    menu.click()
    nav = phone.get_by_role("navigation", name="Main")
    for name in ("This week", "Lessons", "My worksheets", "Mood", "Questionnaires", "Messages",
                 "Settings"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    in_first_screen(phone, help_button(phone))  # opening the menu does not push it away
    steps.phone_layout(phone)  # every entry of the open menu is 44 px tall and in reach
    steps.checked(phone, axe_source)
    shot(phone, "newcomer-nav-phone-menu-open")
    nav.get_by_role("link", name="Questionnaires", exact=True).click()
    expect(steps.heading(phone, "Questionnaires")).to_be_visible()
    # A new page starts with the menu closed again.
    expect(phone.locator("header details.menu")).not_to_have_attribute("open", "")
    phone.wait_for_load_state("load")


def test_the_menu_opens_without_javascript(browser: Any, live_app: Any, live_server: Any,
                                           axe_source: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        client_on_phone(live_app, page, live_server.url)
        assert page.evaluate(HEADER_JS) <= PHONE_HEADER_MAX
        in_first_screen(page, help_button(page))
        assert page.evaluate("() => document.querySelectorAll('script').length") > 0
        page.locator("header details.menu > summary").click()
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Questionnaires", exact=True).click()
        expect(steps.heading(page, "Questionnaires")).to_be_visible()
        steps.phone_layout(page)
        # The help button still works: a plain form post.
        help_button(page).click()
        expect(steps.heading(page, "Need help now?")).to_be_visible()
        page.wait_for_load_state("load")
    finally:
        context.close()


def test_staff_on_a_phone_get_the_staff_help_link(phone: Any, live_app: Any, live_server: Any,
                                                  axe_source: str) -> None:
    _id, address = steps.make_user(live_app, "therapist", name="Ravi Shah")
    steps.sign_in(phone, live_server.url, address)
    expect(steps.heading(phone, "Review queue")).to_be_visible()
    assert phone.evaluate(HEADER_JS) <= PHONE_HEADER_MAX
    expect(phone.get_by_role("button", name="Need help now?")).to_have_count(0)
    staff_help = phone.locator("header").get_by_role("link", name="Help", exact=True)
    in_first_screen(phone, staff_help)
    steps.main_nav(phone).get_by_role("link", name="Account").click()  # the queue is not ours
    expect(steps.heading(phone, "Your account")).to_be_visible()
    in_first_screen(phone, staff_help)
    steps.phone_layout(phone)
    steps.checked(phone, axe_source)
    staff_help.click()
    expect(steps.heading(phone, "Help for staff")).to_be_visible()
    expect(phone.get_by_role("heading", name="When a client may be at risk")).to_be_visible()
    steps.phone_layout(phone)
    steps.checked(phone, axe_source)
    phone.get_by_role("link", name="Open the crisis contacts").click()
    expect(steps.heading(phone, "Need help now?")).to_be_visible()
    phone.wait_for_load_state("load")  # the stylesheet too, before the context closes


def test_on_a_desktop_the_links_are_a_row(page: Any, live_app: Any, live_server: Any,
                                          axe_source: str) -> None:
    therapist_id, _t = steps.make_user(live_app, "therapist", name="Ines Ruiz")
    _c, address = steps.make_user(live_app, "client", name="Tom Berg", therapist_id=therapist_id)
    steps.sign_in(page, live_server.url, address)
    expect(steps.heading(page, "Hello, Tom")).to_be_visible()
    expect(page.locator("header details.menu > summary")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    first = nav.get_by_role("link", name="This week").bounding_box()
    last = nav.get_by_role("button", name="Sign out").bounding_box()
    assert first and last and abs(first["y"] - last["y"]) < 1, (first, last)  # one row
    assert page.evaluate(HEADER_JS) <= 120
    steps.checked(page, axe_source)
    nav.get_by_role("link", name="Questionnaires", exact=True).click()
    expect(steps.heading(page, "Questionnaires")).to_be_visible()
    page.wait_for_load_state("load")
