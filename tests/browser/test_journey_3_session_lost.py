"""Journey 3: half-way through a long thought record the client's session ends on the server;
they press save, sign in again, and find the entry saved with every word they wrote."""

from __future__ import annotations

import re
from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

# Long answers, each word distinct, with accents, quotes and a line break, near the limits.
WHAT = ("We were at the Sunday market in the rain. Mum said “you look tired, love” and I felt "
        "my face go hot.\nI left the café before the others, without paying for my crêpe. ") * 5
THOUGHT = "Everyone could see I am failing at everything, naïve to think I could cope today. " * 5
FOR = ("I have cancelled plans three times this month; my boss mentioned deadlines on Friday; "
       "the flat is untidy and the plants are dying. ") * 10
AGAINST = ("Mum hugged me when I left; Priya texted to ask if I got home safe; I finished the "
           "report early on Wednesday; the doctor said tiredness is part of low mood. ") * 10
BALANCED = ("Being tired at a market is not failing at everything. People who care noticed I "
            "was tired because they care, and I am doing more than I give myself credit for. ") * 5


def expire_sessions(app: Any, user_id: int) -> None:
    """End every session of the user on the server (as a sign-out elsewhere does)."""
    from icbt.db import db
    from icbt.models.people import User

    with app.app_context():
        user = db.session.get(User, user_id)
        user.session_version += 1
        db.session.commit()


def saved_entry(app: Any, user_id: int) -> dict[str, Any]:
    """The client's only worksheet entry, as stored."""
    from sqlalchemy import select

    from icbt.db import db
    from icbt.models.care import Entry

    with app.app_context():
        entries = db.session.scalars(select(Entry).where(Entry.client_id == user_id)).all()
        assert len(entries) == 1, entries
        return dict(entries[0].data)


def test_entry_survives_a_lost_session(page: Any, live_app: Any, live_server: Any,
                                       axe_source: str) -> None:
    therapist_id, _t = steps.make_user(live_app, "therapist", name="Lee Park")
    client_id, address = steps.make_user(live_app, "client", name="Morgan Hale",
                                         therapist_id=therapist_id)
    steps.sign_in(page, live_server.url, address)
    steps.main_nav(page).get_by_role("link", name="My worksheets").click()
    page.get_by_role("link", name="Thought record").click()
    expect(steps.heading(page, "Thought record")).to_be_visible()

    # The first half.
    page.get_by_label("What was happening?").fill(WHAT)
    feelings = page.get_by_role("group", name="What did you feel, and how strongly?")
    for i, (name, strength) in enumerate([("ashamed", "85"), ("sad", "70"), ("anxious", "60")]):
        feelings.get_by_label("Feeling").nth(i).fill(name)
        feelings.get_by_label("How strong (0–100)").nth(i).fill(strength)
    thoughts = page.get_by_role("group", name="What went through your mind?")
    thoughts.get_by_label("Thought").first.fill(THOUGHT)
    thoughts.get_by_label("How much do you believe it? (0–100 %)").first.fill("90")
    thoughts.get_by_role("radio", name="This is the hot thought").first.check()

    # Meanwhile the session ends on the server.
    expire_sessions(live_app, client_id)

    # The second half, then save.
    page.get_by_role("checkbox", name="Labelling").check()
    page.get_by_role("checkbox", name="Overgeneralising").check()
    page.get_by_label("What makes me think the hot thought is true?").fill(FOR)
    page.get_by_label("What suggests it might not be completely true?").fill(AGAINST)
    page.get_by_label("A more balanced way to see it").fill(BALANCED)
    page.get_by_label("How much do you believe it? (0–100 %)").last.fill("55")
    rerate = page.get_by_role("group", name="Rate the same feelings again")
    for i, (name, strength) in enumerate([("ashamed", "50"), ("sad", "45"), ("anxious", "40")]):
        rerate.get_by_label("Feeling").nth(i).fill(name)
        rerate.get_by_label("How strong (0–100)").nth(i).fill(strength)
    page.get_by_role("button", name="Finish and save").click()

    # Signed out, told the work is safe, asked to sign in.
    expect(steps.heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_text("You were signed out, but what you wrote is safe.")).to_be_visible()
    steps.checked(page, axe_source)
    steps.sign_in(page, None, address)

    # Back in: the entry is saved, with every word.
    expect(page.get_by_text("Welcome back. We saved what you sent before you were signed out."
                            )).to_be_visible()
    expect(steps.heading(page, "Thought record")).to_be_visible()
    assert re.search(r"/worksheets/entries/\d+$", page.url), page.url
    steps.checked(page, axe_source)
    shown = " ".join(page.locator("main").inner_text().split())
    for text in (WHAT, THOUGHT, FOR, AGAINST, BALANCED):
        assert " ".join(text.split()) in shown
    data = saved_entry(live_app, client_id)
    assert data["what"] == WHAT.strip()
    assert data["thoughts"][0]["text"] == THOUGHT.strip()
    assert data["evidence_for"] == FOR.strip()
    assert data["evidence_against"] == AGAINST.strip()
    assert data["balanced"] == BALANCED.strip()
    assert [r["name"] for r in data["emotions"]] == ["ashamed", "sad", "anxious"]
    assert [r["intensity"] for r in data["rerate"]] == [50, 45, 40]
    assert sorted(data["traps"]) == ["labelling", "overgeneralising"]
    shot(page, "journey-3-saved-after-sign-in")
