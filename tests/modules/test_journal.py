"""Journal: free text, mood and tags over HTTP; the summary; hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import (
    HOSTILE,
    fill,
    hostile_form,
    latest_entry,
    new_client,
    open_form,
    post_hostile,
    summary,
)

ANSWERS = {"title": "A better day", "text": "Slept well.\r\nWent for a walk — felt lighter. ✨",
           "mood": "6", "tags": "sleep, walk, Sleep,  family "}


def test_journal_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "journal", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data == {"title": "A better day",
                          "text": "Slept well.\nWent for a walk — felt lighter. ✨",
                          "mood": 6, "tags": ["sleep", "walk", "family"]}
    assert summary(app, entry) == ("mood 6/10 · #sleep #walk #family · “Slept well. Went for a "
                                   "walk — felt lighter. ✨”")


def test_nul_bytes_and_html_are_harmless(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "journal", {"text": "a\x00b <script>alert(1)</script>"})
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["text"] == "ab <script>alert(1)</script>"
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_too_long_text_is_kept_with_a_message(app, make_user) -> None:
    user, c = new_client(app, make_user)
    _html, hidden = open_form(c, "/worksheets/new/journal")
    resp = c.post("/worksheets/new/journal",
                  data={**hidden, "text": "w" * 10_001, "mood": "11", "action": "submit"})
    page = resp.get_data(as_text=True)
    assert "Please keep this to 10000 characters or fewer (it has 10001)." in page
    assert "w" * 10_001 in page and "Please choose a whole number from 0 to 10." in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS)))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "journal", data)
