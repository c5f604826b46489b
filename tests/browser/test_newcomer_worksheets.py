"""A newcomer's thought record on a 375x812 phone: re-rating only one of two feelings in
step 7 ("Your feelings now") saves (issue #20, item 5)."""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from steps import expect, heading

pytestmark = harness.PYTESTMARK

SITUATION = "My sister did not answer my message all weekend."


def test_rerating_one_of_two_feelings_saves_on_a_phone(phone: Any, live_app: Any,
                                                       live_server: Any,
                                                       axe_source: str) -> None:
    therapist_id, _t = steps.make_user(live_app, "therapist", name="Rui Costa")
    client_id, address = steps.make_user(live_app, "client", name="Noor Haddad",
                                         therapist_id=therapist_id)
    steps.enrol(live_app, client_id, therapist_id)
    steps.sign_in(phone, live_server.url, address)
    phone.goto(live_server.url + "/worksheets/new/thought_record")
    expect(heading(phone, "Thought record")).to_be_visible()

    phone.get_by_label("What was happening?").fill(SITUATION)
    feelings = phone.get_by_role("group", name="What did you feel, and how strongly?")
    feelings.get_by_label("Feeling").nth(0).fill("guilty")
    feelings.get_by_label("How strong (0–100)").nth(0).fill("80")
    feelings.get_by_label("Feeling").nth(1).fill("sad")
    feelings.get_by_label("How strong (0–100)").nth(1).fill("60")
    thoughts = phone.get_by_role("group", name="What went through your mind?")
    thoughts.get_by_label("Thought").first.fill("She is angry with me.")

    # Step 7 offers both feelings again; the client re-rates only "sad".
    rerate = phone.get_by_role("group", name="Rate the same feelings again")
    expect(rerate.get_by_label("Feeling").nth(0)).to_have_value("guilty")
    expect(rerate.get_by_label("Feeling").nth(1)).to_have_value("sad")
    rerate.get_by_label("How strong (0–100)").nth(1).fill("30")
    assert steps.phone_layout(phone) > 0
    steps.checked(phone, axe_source)
    phone.get_by_role("button", name="Finish and save").click()

    expect(phone.get_by_text("Saved. Well done for taking the time to do this.")).to_be_visible()
    expect(phone.get_by_text(SITUATION)).to_be_visible()
    expect(phone.get_by_text("sad: 60 → 30 (down 30)")).to_be_visible()
    expect(phone.get_by_text("guilty: 80 →")).to_have_count(0)
    assert steps.phone_layout(phone) > 0
    steps.checked(phone, axe_source)
