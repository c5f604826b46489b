"""Activity plan: plan, then mark done with actual ratings; predicted against actual."""

from __future__ import annotations

from conftest import csrf_from
from hypothesis import HealthCheck, given, settings
from ws_helpers import (
    HOSTILE,
    fill,
    hostile_form,
    inputs,
    latest_entry,
    new_client,
    post_hostile,
    summary,
)

ANSWERS = {
    "plans-0-day": "2026-03-03", "plans-0-time": "10:00", "plans-0-activity": "Walk in the park",
    "plans-0-predicted_pleasure": "3", "plans-0-predicted_mastery": "4",
    "plans-1-day": "2026-03-04", "plans-1-time": "18:30",
    "plans-1-activity": "Cook a proper dinner",
    "plans-1-predicted_pleasure": "2", "plans-1-predicted_mastery": "6",
}


def test_plan_then_rate_afterwards(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "activity_schedule", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["plans"][0]["time"] == "10:00"
    assert entry.data["plans"][0]["done"] is None
    assert summary(app, entry) == "2 planned, 0 done"
    # Later: mark the walk done with how it really felt, by editing the entry.
    page = c.get(f"/worksheets/entries/{entry.id}/edit").get_data(as_text=True)
    fields = inputs(page)
    assert 'value="Walk in the park"' in page and "plans-0-actual_pleasure" in fields
    form = {k: v for k, v in ANSWERS.items()}
    form.update({"plans-0-done": "yes", "plans-0-actual_pleasure": "7",
                 "plans-0-actual_mastery": "6", "plans-1-done": "no",
                 "csrf_token": csrf_from(page), "action": "submit"})
    resp = c.post(f"/worksheets/entries/{entry.id}/edit", data=form)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["plans"][0]["done"] is True and entry.data["plans"][1]["done"] is False
    text = summary(app, entry)
    assert "2 planned, 1 done" in text
    assert "pleasure expected 3.0 vs actual 7.0" in text
    assert "achievement expected 4.0 vs actual 6.0" in text
    detail = c.get(f"/worksheets/entries/{entry.id}").get_data(as_text=True)
    assert "Walk in the park: pleasure expected 3, actual 7; achievement expected 4, actual 6" in detail


def test_bad_time_is_explained(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "activity_schedule", {**ANSWERS, "plans-0-time": "25:99"})
    page = resp.get_data(as_text=True)
    assert "Please enter a time like 09:30." in page and 'value="25:99"' in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["plans-0-done", "plans-0-actual_pleasure", "plans-count"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "activity_schedule", data)
