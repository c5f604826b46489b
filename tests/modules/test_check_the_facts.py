"""Check the facts: the real form over HTTP, the stored entry, the summary, hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import HOSTILE, fill, hostile_form, latest_entry, new_client, post_hostile, summary

ANSWERS = {
    "emotion": "Fear", "intensity_before": "80",
    "event": "My partner said we need to talk tonight.",
    "interpretations": "I assumed it is bad news about us.",
    "threat": "That they will leave. Unlikely: they were kind this morning.",
    "fits": "partly", "next": "Ask what it is about instead of guessing.",
    "intensity_after": "45",
}


def test_check_the_facts_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "check_the_facts", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["fits"] == "partly" and entry.data["intensity_after"] == 45
    text = summary(app, entry)
    assert text.startswith("Fear 80→45 · fits the facts: partly")
    assert "“My partner said we need to talk tonight.”" in text
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Fear: 80 → 45" in page and "Partly, or it&#39;s stronger" in page


def test_unknown_choice_is_refused(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "check_the_facts", {"emotion": "Anger"})
    assert resp.status_code == 302
    from ws_helpers import open_form

    _html, hidden = open_form(c, "/worksheets/new/check_the_facts")
    resp = c.post("/worksheets/new/check_the_facts",
                  data={**hidden, "emotion": "Anger", "fits": "maybe", "action": "submit"})
    assert "Please choose one of the options." in resp.get_data(as_text=True)


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS)))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "check_the_facts", data)
