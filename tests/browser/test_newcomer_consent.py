"""A newcomer on a 375x812 phone: the invitation page shows the privacy notice and what the
service is not; finishing without ticking the box is refused next to the box; ticking finishes.
Every page: nothing scrolls sideways, controls are reachable and 44 px tall, axe finds nothing."""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect, heading

pytestmark = harness.PYTESTMARK


def test_newcomer_reads_the_notice_and_agrees_on_a_phone(phone: Any, live_app: Any,
                                                         live_server: Any,
                                                         axe_source: str) -> None:
    from icbt.accounts import consent, users
    from icbt.db import db
    from icbt.models.people import User

    def visit(pg: Any) -> None:
        assert steps.phone_layout(pg) > 0
        steps.checked(pg, axe_source)

    therapist_id, _email = steps.make_user(live_app, "therapist", name="Kim Osei")
    address = steps.unique_email("client")
    with live_app.app_context():
        therapist = db.session.get(User, therapist_id)
        client_id = users.invite_client(address, name="Noor Newcomer", therapist=therapist,
                                        invited_by=therapist).id
    steps.enrol(live_app, client_id, therapist_id)

    phone.goto(steps.invite_link(live_app, address))
    expect(heading(phone, "Welcome! Choose a password")).to_be_visible()
    notice = phone.get_by_role("region", name="Privacy notice")
    expect(notice.get_by_role("heading", name="What this service is, and what it is not")
           ).to_be_visible()
    expect(notice.get_by_text("It is not watched around the clock")).to_be_visible()
    expect(notice.get_by_role("link", name="Need help now?")).to_be_visible()
    visit(phone)

    # Without the box: refused, the error next to the box, nothing created.
    phone.get_by_label("New password").fill(steps.PASSWORD)
    phone.get_by_label("Type it again").fill(steps.PASSWORD)
    phone.get_by_role("button", name="Save password and start").click()
    box = phone.get_by_role("checkbox", name="I have read the privacy notice above")
    expect(box).to_be_visible()
    error = phone.locator("#agree-error")
    expect(error).to_contain_text("Please tick this box")
    expect(box).to_have_attribute("aria-describedby", "agree-error")
    field = phone.locator(".field.has-error", has=box)
    expect(field.locator("#agree-error")).to_be_visible()  # in the box's own field
    expect(phone.get_by_text("please type yours again in both boxes")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(User, client_id).status == "invited"
        assert consent.history(client_id) == []
    visit(phone)
    shot(phone, "newcomer-consent-refused")

    # With the box ticked (and the password typed again): in, and the consent is kept.
    phone.get_by_label("New password").fill(steps.PASSWORD)
    phone.get_by_label("Type it again").fill(steps.PASSWORD)
    box.check()
    phone.get_by_role("button", name="Save password and start").click()
    expect(heading(phone, "Hello, Noor")).to_be_visible()
    visit(phone)
    with live_app.app_context():
        assert [row.version for row in consent.history(client_id)] == ["1"]

    phone.goto(live_server.url + "/my-data/")
    expect(phone.get_by_text("You agreed to the privacy notice version 1 on")).to_be_visible()
    phone.get_by_role("link", name="Our privacy notice").click()
    expect(heading(phone, "Privacy notice")).to_be_visible()
    visit(phone)


def test_a_new_notice_is_agreed_to_on_a_phone(phone: Any, live_app: Any, live_server: Any,
                                              axe_source: str, tmp_path: Any) -> None:
    from icbt.accounts import consent

    def visit(pg: Any) -> None:
        assert steps.phone_layout(pg) > 0
        steps.checked(pg, axe_source)

    therapist_id, _email = steps.make_user(live_app, "therapist", name="Kim Osei")
    client_id, address = steps.make_user(live_app, "client", name="Ravi Returning",
                                         therapist_id=therapist_id)
    steps.enrol(live_app, client_id, therapist_id)
    new = tmp_path / "notice.md"
    new.write_text("---\nversion: 2\nchanges: Messages are now kept for two years.\n---\n"
                   "## What we keep\n\nYour worksheets and messages, for two years.\n", "utf-8")
    before = live_app.config.get("PRIVACY_NOTICE_FILE")
    live_app.config["PRIVACY_NOTICE_FILE"] = str(new)  # the live app is shared: put it back
    try:
        steps.sign_in(phone, live_server.url, address)
        expect(heading(phone, "Our privacy notice has changed")).to_be_visible()
        expect(phone.get_by_text("Messages are now kept for two years.")).to_be_visible()
        visit(phone)
        phone.get_by_role("button", name="I have read it and I agree").click()
        expect(heading(phone, "Hello, Ravi")).to_be_visible()
        with live_app.app_context():
            assert [row.version for row in consent.history(client_id)] == ["1", "2"]
    finally:
        live_app.config["PRIVACY_NOTICE_FILE"] = before
