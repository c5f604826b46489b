"""What a client sees of their program: this week, the lesson list, one lesson (services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from icbt import signals
from icbt.db import db
from icbt.models.care import Enrolment, Homework, LessonProgress
from icbt.models.people import User
from icbt.programs import enrolment as prog
from icbt.programs import homework as hw_mod
from icbt.programs import overdue, store
from icbt.programs.pacing import Plan, locked_hint
from icbt.timeutil import utcnow

SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass
class Week:
    """The client's "what do I do now?": this week's lesson, homework and what comes next."""

    enrolment: Enrolment | None = None
    program: Any = None
    title: str = ""
    current: LessonProgress | None = None
    rows: list[LessonProgress] = field(default_factory=list)
    total: int = 0
    next_week: int | None = None
    next_hint: tuple[str, datetime | None] = ("", None)
    homework: list[hw_mod.Status] = field(default_factory=list)
    earlier: list[hw_mod.Status] = field(default_factory=list)  # past due, not finished


@dataclass
class LessonItem:
    """One line of the lesson list: open (a row) or locked (a hint)."""

    week: int
    title: str
    row: LessonProgress | None = None
    hint: tuple[str, datetime | None] = ("", None)


@dataclass
class Shown:
    """One lesson to show: the live lesson, or the stored snapshot of what the client saw."""

    row: LessonProgress
    program: Any = None
    lesson: Any = None
    snapshot: Any = None


def valid_slug(slug: str) -> bool:
    """Accept only the characters a program slug may have, before any lookup."""
    return 0 < len(slug) <= 80 and set(slug) <= SLUG_CHARS


def _plan(enrolment: Enrolment, program: Any, client: User,
          rows: list[LessonProgress]) -> Plan:
    return prog.plan_for(enrolment, program, client.timezone, rows)


def _lesson_titles(program: Any, rows: list[LessonProgress]) -> dict[int, str]:
    titles = {lesson.week: lesson.title for lesson in program.lessons} if program else {}
    titles.update({r.week: r.lesson_title for r in rows})  # what the client saw wins
    return titles


def client_week(client: User, now: datetime | None = None) -> Week:
    """Build the client's home page data (opening any lesson that is due first)."""
    now = now or utcnow()
    enrolment = prog.current_enrolment(client.id)
    if enrolment is None:
        return Week()
    rows = prog.progress_rows(enrolment.id)
    if prog.sync(enrolment, now, rows=rows):  # a lesson opened just now: read them again
        rows = prog.progress_rows(enrolment.id)
    program = prog.get_program(enrolment.program_slug)
    week = Week(enrolment=enrolment, program=program, rows=rows,
                title=program.title if program else enrolment.program_slug,
                current=rows[-1] if rows else None)
    week.total = max(len(program.lessons) if program else 0, len(rows))
    next_n = (rows[-1].week if rows else 0) + 1
    if program is not None and program.lesson(next_n) is not None:
        week.next_week = next_n
        week.next_hint = locked_hint(_plan(enrolment, program, client, rows), next_n)
    window = overdue.window_days(current_app.config)
    items = db.session.scalars(select(Homework).where(
        Homework.client_id == client.id, Homework.assigned_at <= now,
        (Homework.enrolment_id == enrolment.id) | Homework.enrolment_id.is_(None),
        Homework.due_at.is_(None) | (Homework.due_at >= now - timedelta(days=window + 1)))).all()
    found = hw_mod.statuses(client, items, now)
    # Still open from before: the same items the queue flag and the session brief name.
    week.earlier = overdue.pick(found, now, window=window, enrolment_id=enrolment.id)
    week.homework = [s for s in found if s.homework.due_at is None or s.homework.due_at > now]
    return week


def lesson_list(client: User, now: datetime | None = None) -> tuple[Week, list[LessonItem],
                                                                    list[tuple[Enrolment, list[LessonProgress]]]]:
    """Return this week, every lesson of the current program, and earlier programs' lessons."""
    week = client_week(client, now)
    items: list[LessonItem] = []
    if week.enrolment is not None:
        titles = _lesson_titles(week.program, week.rows)
        by_week = {r.week: r for r in week.rows}
        plan = _plan(week.enrolment, week.program, client, week.rows) if week.program else None
        for n in sorted(titles):
            if n in by_week:
                items.append(LessonItem(n, titles[n], row=by_week[n]))
            elif plan is not None:
                items.append(LessonItem(n, titles[n], hint=locked_hint(plan, n)))
    earlier = []
    for e in prog.enrolments(client.id):
        if e.status == "ended":
            rows = prog.progress_rows(e.id)
            if rows:
                earlier.append((e, rows))
    return week, items, earlier


def find_row(client_id: int, program_slug: str, week: int) -> LessonProgress | None:
    """Return the client's open lesson of this program and week (newest enrolment first)."""
    return db.session.scalar(
        select(LessonProgress).join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .where(LessonProgress.client_id == client_id, Enrolment.program_slug == program_slug,
               LessonProgress.week == week)
        .order_by(Enrolment.id.desc()).limit(1))


def locked(client: User, program_slug: str, week: int) -> LessonItem | None:
    """Return the locked lesson of the client's current program, to say when it opens."""
    enrolment = prog.current_enrolment(client.id)
    if enrolment is None or enrolment.program_slug != program_slug:
        return None
    program = prog.get_program(program_slug)
    lesson = program.lesson(week) if program else None
    if lesson is None:
        return None
    plan = _plan(enrolment, program, client, prog.progress_rows(enrolment.id))
    return LessonItem(week, lesson.title, hint=locked_hint(plan, week))


def shown(row: LessonProgress) -> Shown:
    """Pick what to show: the live lesson if unchanged since it opened, else the snapshot."""
    slug = db.session.scalar(select(Enrolment.program_slug)
                             .where(Enrolment.id == row.enrolment_id)) or ""
    program = prog.get_program(slug)
    lesson = program.lesson(row.week) if program is not None else None
    if lesson is not None and program.content_hash == row.content_version:
        return Shown(row, program, lesson)
    return Shown(row, program, None, store.historic_lesson(slug, row.content_version, row.week))


def open_lesson(row: LessonProgress, view: Shown, now: datetime | None = None) -> None:
    """Record that the client opened a lesson (first time only), keeping a snapshot of it."""
    if row.opened_at is not None:
        return
    row.opened_at = now or utcnow()
    db.session.commit()
    if view.lesson is not None:
        store.snapshot_lesson(view.program.slug, view.lesson)
    signals.client_data_changed(row.client_id)


def lesson_homework(row: LessonProgress) -> dict[str, Homework]:
    """Return the lesson's homework rows by worksheet key (for the embedded worksheets)."""
    items = hw_mod.for_client(row.client_id, enrolment_id=row.enrolment_id, week=row.week)
    out: dict[str, Homework] = {}
    # The lesson's own assignment wins over extra homework of the same worksheet.
    for h in sorted(items, key=lambda h: (h.created_by is not None, h.id)):
        if h.enrolment_id == row.enrolment_id:
            out.setdefault(h.worksheet, h)
    return out


def save_talk_note(client: User, text: str) -> None:
    """Store what the client wants to talk about next time."""
    client.talk_note = text.strip()[:2000]
    db.session.commit()
