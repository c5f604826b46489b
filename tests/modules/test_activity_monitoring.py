"""Activity diary: the real form over HTTP, the stored entry, the summary, hostile posts."""

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

ANSWERS = {
    "day": "2026-03-01",
    "activities-0-time": "7–8 am", "activities-0-activity": "Lay in bed",
    "activities-0-mood": "2", "activities-0-pleasure": "1", "activities-0-mastery": "0",
    "activities-1-time": "Afternoon", "activities-1-activity": "Walk with Sam",
    "activities-1-mood": "7", "activities-1-pleasure": "8", "activities-1-mastery": "5",
    "activities-2-time": "Evening", "activities-2-activity": "Cooked pasta",
    "activities-2-mood": "5", "activities-2-pleasure": "4", "activities-2-mastery": "6",
    "notes": "The walk helped.",
}


def test_activity_diary_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "activity_monitoring", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["day"] == "2026-03-01"
    assert entry.data["activities"][1] == {"time": "Afternoon",
                                           "activity": "Walk with Sam", "mood": 7,
                                           "pleasure": 8, "mastery": 5}
    text = summary(app, entry)
    assert text.startswith("2026-03-01: 3 activities")
    assert "mood 4.7/10 on average" in text
    assert "lowest 2 “Lay in bed”, highest 7 “Walk with Sam”" in text
    from icbt.programs import registry

    with app.app_context():
        assert registry.get("activity_monitoring").chart_points([entry]) == [("2026-03-01", 14 / 3)]


def test_day_starts_as_the_clients_today(app, make_user, clock) -> None:
    from datetime import datetime

    clock.set(datetime(2026, 3, 2, 23, 30))  # already 3 March in Helsinki
    user, c = new_client(app, make_user, timezone="Europe/Helsinki")
    html, _hidden = open_form(c, "/worksheets/new/activity_monitoring")
    assert 'name="day" value="2026-03-03"' in html


def test_an_activity_needs_its_name(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "activity_monitoring", {"day": "2026-03-01", "activities-0-mood": "4"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Please fill this in, or clear the whole row." in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["activities-count"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "activity_monitoring", data)
