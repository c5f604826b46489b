"""Opposite action: the real form over HTTP, the stored entry, the summary, hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import HOSTILE, fill, hostile_form, latest_entry, new_client, post_hostile, summary

ANSWERS = {
    "emotion": "Shame", "intensity_before": "70", "urge": "Hide in my room all weekend",
    "fits": "no", "opposite": "Text Jo and go for coffee, face up, normal voice.",
    "did_it": "yes", "what_happened": "Awkward at first, then fine.", "intensity_after": "35",
}


def test_opposite_action_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "opposite_action", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["did_it"] is True and entry.data["fits"] == "no"
    text = summary(app, entry)
    assert text == ("Shame 70→35 · urge: Hide in my room all weekend · opposite: Text Jo and "
                    "go for coffee, face up, normal voice. · done")
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Shame: 70 → 35" in page


def test_yes_no_only_takes_yes_or_no(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "opposite_action", {**ANSWERS, "did_it": "yes"})
    assert resp.status_code == 302
    from ws_helpers import open_form

    _html, hidden = open_form(c, "/worksheets/new/opposite_action")
    resp = c.post("/worksheets/new/opposite_action",
                  data={**hidden, "emotion": "Anger", "did_it": "perhaps", "action": "submit"})
    assert "Please choose yes or no." in resp.get_data(as_text=True)


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS)))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "opposite_action", data)
