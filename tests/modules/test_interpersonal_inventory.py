"""Interpersonal inventory: the people, closeness, good/hard/change; summary; hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import HOSTILE, fill, hostile_form, latest_entry, new_client, post_hostile, summary

ANSWERS = {
    "people-0-name": "Mum", "people-0-relation": "Mother", "people-0-closeness": "inner",
    "people-0-good": "She always listens.", "people-0-hard": "She worries about me.",
    "people-1-name": "Sam", "people-1-relation": "Partner", "people-1-closeness": "inner",
    "people-1-hard": "We argue about chores.", "people-1-change": "Talk before it builds up",
    "people-2-name": "Kai", "people-2-closeness": "outer", "people-2-change": "Get in touch",
    "reflection": "I lean on Mum a lot.",
}


def test_inventory_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "interpersonal_inventory", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert [p["name"] for p in entry.data["people"]] == ["Mum", "Sam", "Kai"]
    assert entry.data["people"][2]["closeness"] == "outer"
    text = summary(app, entry)
    assert text == ("3 people · very close: Mum, Sam · wants change with: Sam (“Talk before it "
                    "builds up”); Kai (“Get in touch”)")
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Very close" in page and "We argue about chores." in page


def test_a_person_needs_a_name(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "interpersonal_inventory", {"people-0-good": "Kind"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Please fill this in, or clear the whole row." in page
    assert ">Kind</textarea>" in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["people-count"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "interpersonal_inventory", data)
