"""Communication analysis: the real form over HTTP, the stored entry, the summary, hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import HOSTILE, fill, hostile_form, latest_entry, new_client, post_hostile, summary

ANSWERS = {
    "who": "Sam", "when": "Sunday evening", "about": "The washing up, again.",
    "said": "You never do anything around here.", "meant": "I'm tired and need help.",
    "they_said": "That's not fair, I cooked.", "landed": "We both went quiet all evening.",
    "feeling": "Guilty and alone", "differently": "I'm tired tonight, could you do the dishes?",
}


def test_communication_analysis_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "communication_analysis", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data == ANSWERS
    assert summary(app, entry) == (
        "With Sam · said “You never do anything around here.” · felt Guilty and alone · "
        "next time: “I'm tired tonight, could you do the dishes?”")


def test_what_was_said_is_needed(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "communication_analysis", {"who": "Sam"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'href="#f-said"' in page and 'value="Sam"' in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS)))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "communication_analysis", data)
