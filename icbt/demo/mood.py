"""Demo history for mood and measures: weeks of check-ins with gaps, PHQ-9/GAD-7 trajectories.

Deterministic (seeded per client) so every demo build looks the same. Clients get an
improving, flat or worsening story; one answers PHQ-9 item 9 above 0 on the latest
questionnaire, which raises the urgent risk signal exactly as a real answer would.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from icbt.db import db
from icbt.measures import safety, scoring
from icbt.models.care import Enrolment, MeasureResponse, MoodCheckin
from icbt.models.people import User
from icbt.timeutil import local_midnight_utc, local_today, utcnow

# Per demo client (by position): the story, and how many weeks of history.
STORIES = ["improving", "improving", "improving", "flat", "worsening", "risk", "improving",
           "flat", "new", "flat", "worsening", "new"]
# (PHQ-9, GAD-7) at the start and at the end of each story.
ARCS = {"improving": ((17, 14), (6, 5)), "flat": ((12, 10), (11, 10)),
        "worsening": ((9, 7), (17, 13)), "risk": ((16, 12), (19, 15)), "new": ((14, 11), (14, 11))}
TAGS_LOW = ["tired", "sad", "worried", "lonely", "stressed", "numb"]
TAGS_HIGH = ["calm", "content", "hopeful", "grateful", "energised"]


def answers_for(total: int, n_items: int, rng: random.Random, keep_last_zero: bool) -> list[int]:
    """Spread a total over items (0-3 each); PHQ-9 item 9 stays 0 unless asked otherwise."""
    slots = n_items - 1 if keep_last_zero else n_items
    total = max(0, min(total, 3 * slots))
    answers = [0] * n_items
    for _ in range(total):
        i = rng.choice([j for j in range(slots) if answers[j] < 3])
        answers[i] += 1
    return answers


def _at(client: User, day: date, hour: int) -> datetime:
    """A naive UTC time at a local hour of a day, never in the future."""
    at = local_midnight_utc(day, client.timezone) + timedelta(hours=hour)
    return min(at, utcnow() - timedelta(minutes=30))


def _checkins(client: User, story: str, weeks: int, rng: random.Random) -> None:
    """Daily check-ins with gaps; mood follows the story with day-to-day noise."""
    today = local_today(client.timezone)
    days = weeks * 7
    for back in range(days, -1, -1):
        if rng.random() < (0.45 if story == "new" else 0.2):
            continue  # a missed day
        progress = 1 - back / days
        base = {"improving": 3 + 4 * progress, "flat": 5.0, "worsening": 6 - 3 * progress,
                "risk": 4 - 2 * progress, "new": 5.0}[story]
        mood = max(0, min(10, round(base + rng.uniform(-1.5, 1.5))))
        day = today - timedelta(days=back)
        at = _at(client, day, 20)
        db.session.add(MoodCheckin(
            client_id=client.id, day=day, mood=mood,
            anxiety=max(0, min(10, 10 - mood + rng.randint(-2, 1))) if rng.random() < 0.7 else None,
            sleep_hours=rng.choice([5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0]) if rng.random() < 0.8
            else None,
            tags=sorted(rng.sample(TAGS_HIGH if mood >= 6 else TAGS_LOW, 2)),
            created_at=at, updated_at=at,
        ))


def _measures(client: User, story: str, weeks: int, rng: random.Random) -> None:
    """Weekly PHQ-9 and GAD-7 along the story's arc (the risk story ends with item 9 > 0)."""
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.client_id == client.id, Enrolment.status == "active").limit(1))
    today = local_today(client.timezone)
    (p0, g0), (p1, g1) = ARCS[story]
    occasions = 1 if story == "new" else weeks
    for k in range(occasions):
        frac = k / max(occasions - 1, 1)
        day = today - timedelta(weeks=occasions - 1 - k)
        last = k == occasions - 1
        for key, start, end in (("phq9", p0, p1), ("gad7", g0, g1)):
            m = scoring.MEASURES[key]
            total = round(start + (end - start) * frac + rng.choice([-1, 0, 0, 1]))
            risky = key == "phq9" and story == "risk" and last
            answers = answers_for(total - (1 if risky else 0), len(m.items), rng,
                                  keep_last_zero=key == "phq9")
            if risky:
                answers[scoring.RISK_ITEM_INDEX] = 1
            at = _at(client, day, 19)
            response = MeasureResponse(
                client_id=client.id, measure=key, answers=answers, total=sum(answers),
                created_at=at, completed_at=at, enrolment_id=enrolment.id if enrolment else None)
            db.session.add(response)
            if risky:
                db.session.flush()
                safety.raise_risk(client, "phq9_item9", {
                    "measure": "phq9", "item": 9, "answer": 1, "response_id": response.id})


def demo_history(staff: dict[str, User], clients: list[User]) -> None:
    """Add 6-10 weeks of check-ins and questionnaires for the demo clients (once)."""
    if clients and db.session.scalar(select(MoodCheckin.id).where(
            MoodCheckin.client_id == clients[0].id).limit(1)) is not None:
        return  # already there
    for i, client in enumerate(clients):
        story = STORIES[i % len(STORIES)]
        rng = random.Random(f"icbt-demo-{i}")
        weeks = 2 if story == "new" else 6 + i % 5
        _checkins(client, story, weeks, rng)
        _measures(client, story, weeks, rng)
    db.session.flush()
