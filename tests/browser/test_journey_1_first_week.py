"""Journey 1: a therapist invites a client; the client sets a password, reads week 1,
completes a thought record, checks in and sees the check-in on the mood chart."""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK


def test_new_client_first_week(browser: Any, page: Any, live_app: Any, live_server: Any,
                               axe_source: str) -> None:
    base = live_server.url

    def visit(pg: Any) -> None:
        steps.checked(pg, axe_source)

    # The therapist invites the client and enrols them, in their own browser.
    therapist_id, therapist_email = steps.make_user(live_app, "therapist", name="Robin Ames")
    staff_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    staff = staff_ctx.new_page()
    steps.sign_in(staff, base, therapist_email)
    expect(steps.heading(staff, "Review queue")).to_be_visible()
    steps.main_nav(staff).get_by_role("link", name="Invite a client").click()
    visit(staff)
    client_email = steps.unique_email("client")
    staff.get_by_label("Name").fill("Jamie Rivers")
    staff.get_by_label("Email address").fill(client_email)
    staff.get_by_role("button", name="Send invitation").click()
    expect(staff.get_by_text("Invitation sent to Jamie Rivers.")).to_be_visible()
    visit(staff)
    staff.get_by_role("link", name="Jamie Rivers").click()
    expect(steps.heading(staff, "Jamie Rivers")).to_be_visible()
    staff.get_by_role("link", name="Enrol in a program").click()
    expect(steps.heading(staff, "Enrol in a program")).to_be_visible()
    visit(staff)
    staff.get_by_label("Program").select_option(
        label="CBT for low mood and anxiety (CBT): a new lesson on a fixed schedule, every "
              "“Days between lessons” (below)")
    staff.get_by_role("button", name="Enrol").click()
    expect(staff.get_by_text("Jamie Rivers is enrolled.")).to_be_visible()
    visit(staff)
    staff_ctx.close()

    # The client opens the link from the outbox.
    link = steps.invite_link(live_app, client_email)
    assert link.startswith(base + "/invite/")
    steps.accept_invitation(page, link, "Jamie", visit)
    expect(page.get_by_text("Lesson 1 of 8")).to_be_visible()
    steps.read_week_one(page, visit)
    steps.complete_thought_record(page, visit)
    steps.check_in_mood(page, visit, mood="6")
    shot(page, "journey-1-mood-chart")
