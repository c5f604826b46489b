"""Taking PHQ-9 and GAD-7 (services): drafts, scoring, the risk item, schedules, histories.

A response is complete only when every item is answered; until then it is a draft that
is kept and never scored. A PHQ-9 item 9 answer above 0 raises the urgent risk signal
in the same transaction as the answer, even on a draft: the answer itself is what
matters, not whether the rest of the questionnaire was finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from icbt.db import db
from icbt.measures import mood as mood_svc
from icbt.measures import safety, scoring
from icbt.models.care import Enrolment, MeasureResponse, MoodCheckin
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.programs import store
from icbt.timeutil import local_midnight_utc, local_today, to_local, utcnow

DEFAULT_SCHEDULE = {"phq9": 1, "gad7": 1}  # measure -> every N weeks
# An answer given up to this many days before an occasion counts for it, so a client who
# answered late last week is not asked again the next day.
EARLY_DAYS = 3
LIVE = ("active", "paused")


@dataclass
class SaveResult:
    """What happened to a submission."""

    response: MeasureResponse
    complete: bool
    risk_flag: Flag | None
    missing: int  # unanswered items


def current_enrolment(client_id: int) -> Enrolment | None:
    """The client's active or paused enrolment (the newest), if any."""
    return db.session.scalar(
        select(Enrolment).where(Enrolment.client_id == client_id, Enrolment.status.in_(LIVE))
        .order_by(Enrolment.id.desc()).limit(1)
    )


def draft_for(client_id: int, key: str) -> MeasureResponse | None:
    """The client's unfinished response to a measure, if any."""
    return db.session.scalar(
        select(MeasureResponse).where(
            MeasureResponse.client_id == client_id, MeasureResponse.measure == key,
            MeasureResponse.completed_at.is_(None),
        ).order_by(MeasureResponse.id.desc()).limit(1)
    )


def measures_with_drafts(client_id: int) -> set[str]:
    """The measures the client started and has not finished (one query for all)."""
    return set(db.session.scalars(
        select(MeasureResponse.measure).where(MeasureResponse.client_id == client_id,
                                              MeasureResponse.completed_at.is_(None))
        .distinct()))


def save_answers(client: User, key: str, answers: Sequence[int | None]) -> SaveResult:
    """Keep a draft or score a complete response; raise the risk signal in the same commit."""
    measure = scoring.get(key)
    if measure is None:
        raise ValueError(f"unknown measure {key!r}")
    clean: list[int | None] = [
        a if isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 3 else None
        for a in list(answers)[: len(measure.items)]
    ]
    clean += [None] * (len(measure.items) - len(clean))
    response = draft_for(client.id, key)
    if response is None:
        enrolment = current_enrolment(client.id)
        response = MeasureResponse(client_id=client.id, measure=key, created_at=utcnow(),
                                   enrolment_id=enrolment.id if enrolment else None)
        db.session.add(response)
    response.answers = clean
    total = scoring.score(measure, clean)
    if total is not None:
        response.total = total
        response.completed_at = utcnow()
    db.session.flush()
    flag = None
    if key == "phq9" and scoring.risk_answer(clean) > 0:
        flag = safety.raise_risk(client, "phq9_item9", {
            "measure": "phq9", "item": 9, "answer": scoring.risk_answer(clean),
            "response_id": response.id,
        })
    db.session.commit()  # the answer and the risk flag, together
    after_commit(client.id)
    return SaveResult(response, total is not None, flag, sum(a is None for a in clean))


def after_commit(client_id: int) -> None:
    """Work done after the answer is safely stored (flag recompute)."""
    mood_svc.after_write(client_id)


def schedule(client: User) -> tuple[date, dict[str, int]] | None:
    """The start date and measure schedule that apply to a client, or None when paused.

    With an active enrolment: its start date and the program's `measures`. Without
    one: weekly from the first mood check-in (or from when the account was made).
    """
    enrolment = current_enrolment(client.id)
    if enrolment is not None:
        if enrolment.status != "active":
            return None
        return enrolment.start_date, program_schedule(enrolment.program_slug)
    first = db.session.scalar(
        select(func.min(MoodCheckin.day)).where(MoodCheckin.client_id == client.id)
    )
    start = first or to_local(client.created_at, client.timezone).date()
    return start, dict(DEFAULT_SCHEDULE)


def program_schedule(slug: str) -> dict[str, int]:
    """The program's measures schedule ({"phq9": every_n_weeks, ...}), or weekly."""
    try:
        program = store.store().get_program(slug)
    except (AttributeError, KeyError, RuntimeError):  # content not loaded in this context
        program = None
    wanted = getattr(program, "measures", None)
    if not wanted:
        return dict(DEFAULT_SCHEDULE)
    return {k: int(v) for k, v in wanted.items() if k in scoring.MEASURES and int(v) > 0}


def last_completed_days(client: User) -> dict[str, date]:
    """The local day of each measure's latest completed response."""
    rows = db.session.execute(
        select(MeasureResponse.measure, func.max(MeasureResponse.completed_at))
        .where(MeasureResponse.client_id == client.id, MeasureResponse.completed_at.is_not(None))
        .group_by(MeasureResponse.measure)
    ).all()
    return {key: to_local(at, client.timezone).date() for key, at in rows if at is not None}


def due_for(start: date, every: dict[str, int], last: dict[str, date], today: date) -> list[str]:
    """Which measures are due today (pure): baseline at start, then every N weeks."""
    if today < start:
        return []
    due = []
    for key in scoring.MEASURES:
        weeks = every.get(key)
        if not weeks:
            continue
        period = 7 * weeks
        occasion = start + timedelta(days=((today - start).days // period) * period)
        done = last.get(key)
        if done is None or done < occasion - timedelta(days=EARLY_DAYS):
            due.append(key)
    return due


def due_measures(client: User) -> list[str]:
    """The measures the client should take now, per the program's schedule."""
    sched = schedule(client)
    if sched is None:
        return []
    start, every = sched
    return due_for(start, every, last_completed_days(client), local_today(client.timezone))


def history(client: User, key: str, enrolment: Enrolment | None = None
            ) -> list[tuple[date, int]]:
    """(local day, total) of the client's completed responses to a measure, oldest first.

    With an enrolment: the responses linked to it, plus unlinked ones taken during it (from
    EARLY_DAYS before its start, so a baseline answered just before enrolment counts).
    """
    query = select(MeasureResponse.completed_at, MeasureResponse.total).where(
        MeasureResponse.client_id == client.id, MeasureResponse.measure == key,
        MeasureResponse.completed_at.is_not(None), MeasureResponse.total.is_not(None),
    )
    if enrolment is not None:
        since = local_midnight_utc(enrolment.start_date - timedelta(days=EARLY_DAYS),
                                   client.timezone)
        during = (MeasureResponse.enrolment_id.is_(None)) & (MeasureResponse.completed_at >= since)
        if enrolment.ended_at is not None:
            during = during & (MeasureResponse.completed_at <= enrolment.ended_at)
        query = query.where((MeasureResponse.enrolment_id == enrolment.id) | during)
    rows = db.session.execute(query.order_by(MeasureResponse.completed_at)).all()
    return [(to_local(at, client.timezone).date(), int(total)) for at, total in rows
            if at is not None and total is not None]


def episode(client: User) -> Enrolment | None:
    """The current enrolment, else the latest one, else None."""
    return current_enrolment(client.id) or db.session.scalar(
        select(Enrolment).where(Enrolment.client_id == client.id)
        .order_by(Enrolment.id.desc()).limit(1)
    )


def client_outcome(client: User) -> scoring.Outcome | None:
    """The outcome so far of the current (or latest) episode, from paired scores."""
    e = episode(client)
    pairs = scoring.pair_scores(history(client, "phq9", e), history(client, "gad7", e))
    return scoring.episode_outcome(pairs)


def latest(client: User, key: str) -> MeasureResponse | None:
    """The client's latest completed response to a measure."""
    return db.session.scalar(
        select(MeasureResponse).where(
            MeasureResponse.client_id == client.id, MeasureResponse.measure == key,
            MeasureResponse.completed_at.is_not(None),
        ).order_by(MeasureResponse.completed_at.desc()).limit(1)
    )
