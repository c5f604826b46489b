"""Journey 4: a client answers PHQ-9 item 9 above 0 and sees the crisis page; their therapist
signs in with a TOTP code, finds the urgent flag first in the queue, acknowledges it with a
note and sends a message, which the client then reads."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import harness
import pyotp
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

ANSWERS = ["Several days", "More than half the days", "Several days", "Nearly every day",
           "Several days", "More than half the days", "Several days", "Not at all",
           "Several days"]  # item 9 ("better off dead, or of hurting yourself"): above 0
NOTE = "Phoned her at 14:10. Safe tonight, staying with her brother; safety plan reviewed."
MESSAGE = "Thank you for telling us how things have been. I will call you tomorrow at 10."


def give_totp(app: Any, user_id: int) -> str:
    """Switch on the second step for a staff member; return the secret their app would hold."""
    from icbt.accounts import twofactor
    from icbt.db import db
    from icbt.models.people import User

    with app.app_context():
        user = db.session.get(User, user_id)
        user.totp_secret = twofactor.new_secret()
        user.totp_enabled = True
        twofactor.new_recovery_codes(user)
        db.session.commit()
        return str(user.totp_secret)


def enrol_weeks_ago(app: Any, client_id: int, therapist_id: int, weeks: int) -> None:
    """Enrol a client whose program started weeks ago and who has done nothing since."""
    from icbt.db import db
    from icbt.models.people import User
    from icbt.programs import enrolment
    from icbt.timeutil import local_today

    with app.app_context():
        client = db.session.get(User, client_id)
        therapist = db.session.get(User, therapist_id)
        enrolment.enrol(client, "cbt-low-mood", actor=therapist, notify_client=False,
                        start_date=local_today(client.timezone) - timedelta(weeks=weeks))
        db.session.commit()


def test_risk_answer_reaches_the_therapist(browser: Any, page: Any, live_app: Any,
                                           live_server: Any, axe_source: str) -> None:
    base = live_server.url
    therapist_id, therapist_email = steps.make_user(live_app, "therapist", name="Sasha Brand")
    secret = give_totp(live_app, therapist_id)
    # Another client of the same therapist, quiet for weeks: flagged, but less urgent. Their
    # name sorts first, so only the ordering by urgency puts the risk flag on top.
    quiet_id, _q = steps.make_user(live_app, "client", name="Aaron Able",
                                   therapist_id=therapist_id)
    enrol_weeks_ago(live_app, quiet_id, therapist_id, weeks=3)
    client_id, client_email = steps.make_user(live_app, "client", name="Zoe Quinn",
                                              therapist_id=therapist_id)
    steps.enrol(live_app, client_id, therapist_id)

    # The client answers this week's PHQ-9 from their home page.
    steps.sign_in(page, base, client_email)
    page.get_by_role("link", name="Answer the PHQ-9").click()
    expect(steps.heading(page, "PHQ-9 questionnaire")).to_be_visible()
    steps.checked(page, axe_source)
    for n, answer in enumerate(ANSWERS, start=1):
        item = page.get_by_role("group", name=re.compile(rf"^{n}\. "))
        item.get_by_role("radio", name=answer, exact=True).check()
    page.get_by_role("button", name="Save my answers").click()

    # The crisis page: numbers to call, and what happens next.
    expect(steps.heading(page, "Need help now?")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_text("We have let your therapist know that you need their attention."
                            )).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Call ")).first).to_be_visible()
    steps.checked(page, axe_source)
    shot(page, "journey-4-crisis-page")

    # The therapist signs in: password, then the code from their authenticator app.
    staff_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    staff = staff_ctx.new_page()
    staff.set_default_timeout(15000)
    steps.sign_in(staff, base, therapist_email)
    expect(steps.heading(staff, "Enter your code")).to_be_visible()
    steps.checked(staff, axe_source)
    staff.get_by_label("Code from your authenticator app, or a recovery code").fill(
        pyotp.TOTP(secret).now())
    staff.get_by_role("button", name="Continue").click()

    # The queue: the urgent risk flag comes first.
    expect(steps.heading(staff, "Review queue")).to_be_visible()
    steps.checked(staff, axe_source)
    rows = staff.locator("ol.queue > li")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first.get_by_role("heading", name="Zoe Quinn")).to_be_visible()
    assert "queue-urgent" in (first.get_attribute("class") or "")
    expect(first.locator(".badge-urgent").first).to_be_visible()
    second = rows.nth(1)
    expect(second.get_by_role("heading", name="Aaron Able")).to_be_visible()
    assert second.locator(".flag").count() >= 1  # flagged too, just less urgent
    assert not second.locator(".badge-urgent").count()
    first.get_by_role("link", name="Zoe Quinn", exact=True).click()

    # The overview: acknowledge the flag with a note.
    expect(steps.heading(staff, "Zoe Quinn")).to_be_visible()
    steps.checked(staff, axe_source)
    flags = staff.get_by_role("region", name="Open flags")
    flags.get_by_role("link", name=re.compile(r"^Acknowledge")).first.click()
    expect(steps.heading(staff, re.compile(r"^Acknowledge"))).to_be_visible()
    steps.checked(staff, axe_source)
    staff.get_by_label("What did you do or decide?").fill(NOTE)
    staff.get_by_role("button", name="Acknowledge").click()
    expect(steps.heading(staff, "Zoe Quinn")).to_be_visible()
    history = staff.get_by_role("region", name="Flag history")
    expect(history.get_by_text(NOTE)).to_be_visible()
    assert not staff.get_by_role("region", name="Open flags").locator(".badge-urgent").count()
    steps.checked(staff, axe_source)

    # A message to the client.
    staff.get_by_role("link", name="Open the conversation").click()
    expect(steps.heading(staff, "Messages with Zoe Quinn")).to_be_visible()
    steps.checked(staff, axe_source)
    staff.get_by_label("Your message").fill(MESSAGE)
    staff.get_by_role("button", name="Send").click()
    expect(staff.get_by_text(MESSAGE)).to_be_visible()
    staff_ctx.close()

    # The client sees the new message on their home page and reads it.
    steps.main_nav(page).get_by_role("link", name="This week").click()
    card = page.get_by_role("region", name="Messages")
    expect(card.get_by_text("You have 1 new message.")).to_be_visible()
    steps.checked(page, axe_source)
    card.get_by_role("link", name="Open messages").click()
    expect(steps.heading(page, "Messages")).to_be_visible()
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    expect(page.locator(".message").filter(has_text=MESSAGE).get_by_text("Your therapist"
                                                                         )).to_be_visible()
    steps.checked(page, axe_source)
    steps.main_nav(page).get_by_role("link", name="This week").click()
    expect(page.get_by_role("region", name="Messages").get_by_text("No new messages."
                                                                   )).to_be_visible()
    shot(page, "journey-4-message-read")
