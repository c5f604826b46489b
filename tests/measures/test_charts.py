"""Charts: real data in, a non-blank image out; cached by a data key; ETag and 304."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from datetime import date, timedelta

import pytest
from conftest import login_as

from icbt.db import db
from icbt.measures import assessments, charts
from icbt.measures import mood as mood_svc
from icbt.models.care import Entry, Homework
from icbt.models.people import User
from icbt.timeutil import utcnow

S = date(2026, 3, 2)


def _pixels(png: bytes):  # type: ignore[no-untyped-def]
    from matplotlib import image

    return image.imread(io.BytesIO(png), format="png")


@pytest.fixture
def people(app, make_user):  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    person = make_user("client", therapist=therapist)
    with app.app_context():
        client = db.session.get(User, person.id)
        for back in range(0, 40):
            if back % 5 == 3:
                continue  # gaps
            db.session.add(mood_svc.MoodCheckin(client_id=client.id, day=S - timedelta(days=back),
                                                mood=3 + (40 - back) // 8, anxiety=back % 7))
        db.session.commit()
    return therapist, person


def _history(app, person) -> None:  # type: ignore[no-untyped-def]
    """Homework, activity plans, diary cards and measures for the other charts."""
    with app.app_context():
        client = db.session.get(User, person.id)
        for key, answers in (("phq9", [2] * 8 + [0]), ("gad7", [2] * 7)):
            assessments.save_answers(client, key, answers)
        hw = Homework(client_id=client.id, week=1, worksheet="diary_card", times=3,
                      assigned_at=utcnow() - timedelta(days=6))
        db.session.add(hw)
        db.session.flush()
        for i in range(3):
            db.session.add(Entry(client_id=client.id, kind="diary_card", homework_id=hw.id, data={
                "day": (S - timedelta(days=i)).isoformat(),
                "emotions": {"sadness": 4 - i, "anger": i, "joy": None}}))
        db.session.add(Entry(client_id=client.id, kind="activity_schedule", data={"plans": [
            {"activity": "Walk", "done": True, "predicted_pleasure": 3, "actual_pleasure": 6,
             "predicted_mastery": 4, "actual_mastery": 5},
            {"activity": "Call Sam", "done": True, "predicted_pleasure": 5, "actual_pleasure": 4,
             "predicted_mastery": 2, "actual_mastery": 7},
            {"activity": "Not yet", "done": False, "predicted_pleasure": 5}]}))
        db.session.commit()


def test_mood_chart_renders_real_data_not_blank(app, people) -> None:  # type: ignore[no-untyped-def]
    _t, person = people
    c = login_as(app, person)
    resp = c.get(f"/charts/{person.id}/mood.png")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _pixels(resp.data)
    assert pixels.shape[1] == 800 and pixels[..., :3].std() > 0.05
    assert "private" in resp.headers["Cache-Control"] and resp.headers["ETag"]
    narrow = _pixels(c.get(f"/charts/{person.id}/mood.png?size=narrow").data)
    assert narrow.shape[1] < 800 and narrow.shape[1] / narrow.shape[0] < 1.5


def test_chart_changes_when_the_data_changes(app, people) -> None:  # type: ignore[no-untyped-def]
    _t, person = people
    c = login_as(app, person)
    first = c.get(f"/charts/{person.id}/mood.png")
    with app.app_context():
        client = db.session.get(User, person.id)
        mood_svc.save_checkin(client, S - timedelta(days=3), mood_svc.CheckinInput(mood=0))  # a gap
    second = c.get(f"/charts/{person.id}/mood.png")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data != first.data
    with app.app_context():  # an edit of today's check-in, at the same clock time
        mood_svc.save_checkin(db.session.get(User, person.id), S, mood_svc.CheckinInput(mood=10))
    third = c.get(f"/charts/{person.id}/mood.png")
    assert third.headers["ETag"] != second.headers["ETag"] and third.data != second.data


def test_unchanged_chart_is_not_drawn_again_and_answers_304(app, people) -> None:  # type: ignore[no-untyped-def]
    therapist, person = people
    c = login_as(app, person)
    url = f"/charts/{person.id}/mood.png"
    before = charts.RENDERS
    first = c.get(url)
    assert charts.RENDERS == before + 1
    again = c.get(url)
    assert charts.RENDERS == before + 1 and again.data == first.data  # from the cache
    etag = first.headers["ETag"]
    cached = c.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    assert charts.RENDERS == before + 1
    staff = login_as(app, therapist).get(url, headers={"If-None-Match": etag})
    assert staff.status_code == 304  # the same image for the therapist
    from icbt.views.charts import image_cache

    with app.app_context():
        image_cache().clear()  # losing the cache only costs one drawing
    assert c.get(url).headers["ETag"] == etag and charts.RENDERS == before + 2


@pytest.mark.parametrize("kind", ["mood", "phq9", "gad7", "homework", "activation", "diary"])
def test_every_chart_kind_renders_png_and_svg(app, people, kind) -> None:  # type: ignore[no-untyped-def]
    therapist, person = people
    _history(app, person)
    c = login_as(app, therapist)
    png = c.get(f"/charts/{person.id}/{kind}.png")
    assert png.status_code == 200 and _pixels(png.data)[..., :3].std() > 0.03
    svg = c.get(f"/charts/{person.id}/{kind}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_chart_data_words_and_tables(app, people) -> None:  # type: ignore[no-untyped-def]
    from icbt.measures import chartdata

    _t, person = people
    _history(app, person)
    with app.test_request_context():
        client = db.session.get(User, person.id)
        act = chartdata.build(client, "activation")
        assert "2 activities done and rated" in act.alt and "higher than expected for 1" in act.alt
        assert len(act.rows) == 2
        diary = chartdata.build(client, "diary")
        assert diary.columns == ["Day", "Sadness", "Anger", "Joy"] and "sadness" in diary.alt
        hw = chartdata.build(client, "homework")
        assert hw.rows == [["Week 1", "3", "3"]] and "3 of 3 done" in hw.alt
        phq = chartdata.build(client, "phq9")
        assert phq.rows[0][1:] == ["16", "Moderately severe"] and "cut-off" in phq.alt


def test_pages_show_text_alternative_and_numbers(app, people) -> None:  # type: ignore[no-untyped-def]
    _t, person = people
    html = login_as(app, person).get("/mood/").get_data(as_text=True)
    assert f'src="/charts/{person.id}/mood.png"' in html
    assert 'alt="Mood over the last eight weeks' in html
    assert "Show the numbers" in html and "<table>" in html and "7-day average" in html
    assert 'media="(max-width: 40rem)"' in html


def test_other_people_cannot_open_a_chart(app, people, make_user) -> None:  # type: ignore[no-untyped-def]
    _t, person = people
    for other in (make_user("client", therapist=make_user("therapist")), make_user("therapist")):
        assert login_as(app, other).get(f"/charts/{person.id}/mood.png").status_code == 404
    c = login_as(app, person)
    assert c.get(f"/charts/{person.id}/nope.png").status_code == 404
    assert c.get(f"/charts/{person.id}/mood.gif").status_code == 404


ROLLING = [
    ([], []),
    ([(S, 4.0)], [(S, 4.0)]),
    ([(S, 2.0), (S + timedelta(days=1), 4.0)], [(S, 2.0), (S + timedelta(days=1), 3.0)]),
    # a gap: the window holds fewer values rather than reaching further back
    ([(S, 2.0), (S + timedelta(days=7), 8.0)],
     [(S + timedelta(days=i), 2.0) for i in range(7)] + [(S + timedelta(days=7), 8.0)]),
    ([(S + timedelta(days=i), float(i)) for i in range(8)],
     [(S + timedelta(days=i), i / 2) for i in range(7)] + [(S + timedelta(days=7), 4.0)]),
]


@pytest.mark.parametrize(("points", "expected"), ROLLING)
def test_rolling_mean(points, expected) -> None:  # type: ignore[no-untyped-def]
    assert charts.rolling_mean(points) == expected


def test_empty_charts_still_draw_a_frame() -> None:
    labels = {"mood": "m", "mean": "a", "anxiety": "x", "axis": "y"}
    png = charts.mood_chart([], [], S - timedelta(days=7), S, labels)
    assert _pixels(png).shape[1] == 800


def test_matplotlib_is_imported_only_when_a_chart_is_drawn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = textwrap.dedent(f"""
        import sys
        from icbt import create_app
        app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 40,
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/db.sqlite",
                          "INSTANCE_PATH": "{tmp_path}/instance"}})
        app.test_client().get("/help")
        from icbt.measures import charts, chartdata
        assert "matplotlib" not in sys.modules, "imported too early"
        charts.homework_chart([("Week 1", 1, 2)], {{"done": "d", "set": "s", "axis": "a"}})
        assert "matplotlib" in sys.modules
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
