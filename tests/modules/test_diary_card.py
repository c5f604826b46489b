"""DBT diary card: emotions and urges from the program, skills, acted-on urges first in the summary."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import (
    HOSTILE,
    fill,
    hostile_form,
    inputs,
    latest_entry,
    new_client,
    open_form,
    post_hostile,
    summary,
)

ANSWERS = {
    "day": "2026-03-01", "emotion__sadness": "3", "emotion__shame": "4", "emotion__joy": "1",
    "urge__self_harm": "2", "urge__avoiding_things": "4", "acted_on": ["avoiding_things"],
    "skills": ["tipp", "self_soothe"], "note": "Cold water helped after the meeting.",
}


def test_diary_card_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "diary_card", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["emotions"] == {"sadness": 3, "anger": None, "fear": None, "shame": 4,
                                      "joy": 1}
    assert entry.data["urges"]["avoiding things"] == 4
    assert entry.data["acted_on"] == ["avoiding things"]
    assert entry.data["skills"] == ["Self-soothe", "TIPP"]
    text = summary(app, entry)
    assert text.startswith("2026-03-01: ACTED ON: avoiding things")
    assert "shame 4/5, sadness 3/5" in text and "skills: Self-soothe, TIPP" in text
    # Editing shows the same answers again.
    page = c.get(f"/worksheets/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'name="emotion__shame" value="4" checked' in page
    assert 'name="skills" value="tipp" checked' in page


def test_program_sets_the_emotions_and_urges(app, make_user) -> None:
    from icbt.db import db
    from icbt.models.people import User
    from icbt.programs import enrolment

    user, c = new_client(app, make_user)
    html, _ = open_form(c, "/worksheets/new/diary_card")
    assert "urge__lashing_out" not in inputs(html)
    with app.app_context():
        client = db.session.get(User, user.id)
        enrolment.enrol(client, "dbt-emotion-regulation", actor=client.therapist)
    html, _ = open_form(c, "/worksheets/new/diary_card")
    fields = inputs(html)
    assert "urge__lashing_out" in fields and "emotion__guilt" in fields


def test_diary_card_settings_are_checked() -> None:
    from icbt.modules.diary_card import DiaryCard, _list

    assert _list({"diary_card": {"emotions": ["Calm", "calm", "", None, "x" * 99]}},
                 "emotions", ("a",)) == ("Calm", "x" * 60)
    assert _list({"diary_card": {"emotions": "not a list"}}, "emotions", ("a",)) == ("a",)
    names = [f.name for s in DiaryCard().sections({"diary_card": {"urges": ["Shouting"]}})
             for f in s.items]
    assert "urge__shouting" in names


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["emotion__anger", "urge__using_alcohol_or_drugs"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "diary_card", data)
