"""The mood demo history: weeks of check-ins with gaps, measure stories, one risk answer."""

from __future__ import annotations

from sqlalchemy import func, select

from icbt.db import db
from icbt.demo import mood
from icbt.measures import assessments, scoring
from icbt.models.care import MeasureResponse, MoodCheckin
from icbt.models.flags import Flag
from icbt.models.people import User


def test_demo_history(app, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    ids = [make_user("client", therapist=therapist).id for _ in range(12)]
    with app.app_context():
        clients = [db.session.get(User, i) for i in ids]
        mood.demo_history({}, clients)
        db.session.commit()
        mood.demo_history({}, clients)  # a second run adds nothing
        db.session.commit()
        first = assessments.client_outcome(clients[0])
        assert first is not None and first.reliable_improvement
        worse = assessments.client_outcome(clients[4])
        assert worse is not None and worse.reliable_deterioration
        for i, client in enumerate(clients):
            days = list(db.session.scalars(select(MoodCheckin.day).where(
                MoodCheckin.client_id == client.id).order_by(MoodCheckin.day)))
            span = (days[-1] - days[0]).days + 1
            assert len(days) < span  # there are gaps
            if mood.STORIES[i] != "new":
                assert 6 * 7 - 7 <= span <= 10 * 7 + 1
            for r in db.session.scalars(select(MeasureResponse).where(
                    MeasureResponse.client_id == client.id)):
                m = scoring.MEASURES[r.measure]
                assert scoring.score(m, r.answers) == r.total
                assert (scoring.risk_answer(r.answers) > 0) == (
                    mood.STORIES[i] == "risk" and r.measure == "phq9"
                    and r.completed_at == max(x.completed_at for x in db.session.scalars(
                        select(MeasureResponse).where(MeasureResponse.client_id == client.id))))
        risk = db.session.scalars(select(Flag).where(Flag.kind == "risk")).all()
        assert [f.client_id for f in risk] == [ids[5]]
        assert db.session.scalar(select(func.count()).select_from(MoodCheckin)) > 300


def test_answers_for_spreads_totals() -> None:
    import random

    rng = random.Random(1)
    for total in (0, 5, 24, 27, 30):
        a = mood.answers_for(total, 9, rng, keep_last_zero=True)
        assert a[8] == 0 and all(0 <= x <= 3 for x in a) and sum(a) == min(total, 24)
