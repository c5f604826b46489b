"""What each chart shows, read from the database: points, a text alternative, a data table.

`build(client, kind)` gathers the data once and returns it with a `draw(fmt, size)`
that hands plain points to icbt.measures.charts; `version(client, kind)` is the cheap key that
changes whenever the data behind a chart changes (used for the cache and the ETag).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from icbt.db import db
from icbt.measures import assessments, charts, scoring
from icbt.models.care import Entry, Homework, MeasureResponse, MoodCheckin
from icbt.models.people import User
from icbt.programs import homework as hw_svc
from icbt.timeutil import local_today, to_local

KINDS = ("mood", "phq9", "gad7", "homework", "activation", "diary")
MOOD_DAYS = 56  # eight weeks of check-ins
DIARY_DAYS = 28


@dataclass
class ChartData:
    """One chart's words and numbers; `draw(fmt, size)` makes the image."""

    kind: str
    title: str
    alt: str
    columns: list[str]
    rows: list[list[str]]
    draw: Callable[[str, str], bytes] = field(repr=False)

    @property
    def empty(self) -> bool:
        """Nothing to draw yet."""
        return not self.rows


def _fmt(value: float | None, digits: int = 1) -> str:
    """A number for a table cell ('' for none)."""
    if value is None:
        return ""
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else str(int(value))


def _day(d: date) -> str:
    """A day as people read it in tables: 'Mon 2 Mar'."""
    return f"{d:%a} {d.day} {d:%b}"


def mood(client: User) -> ChartData:
    """Mood (and anxiety) check-ins of the last eight weeks with the 7-day mean."""
    today = local_today(client.timezone)
    start = today - timedelta(days=MOOD_DAYS - 1)
    rows = db.session.execute(
        select(MoodCheckin.day, MoodCheckin.mood, MoodCheckin.anxiety, MoodCheckin.sleep_hours)
        .where(MoodCheckin.client_id == client.id, MoodCheckin.day >= start,
               MoodCheckin.day <= today).order_by(MoodCheckin.day)
    ).all()
    points = [(d, float(m)) for d, m, _a, _s in rows]
    anxiety = [(d, float(a)) for d, _m, a, _s in rows if a is not None]
    means = dict(charts.rolling_mean(points))
    week = [v for d, v in points if d > today - timedelta(days=7)]
    before = [v for d, v in points if today - timedelta(days=14) < d <= today - timedelta(days=7)]
    if not points:
        alt = _("No mood check-ins in the last eight weeks yet.")
    else:
        alt = ngettext("Mood over the last eight weeks, from 0 (very low) to 10 (very good): "
                       "%(num)d check-in.", "Mood over the last eight weeks, from 0 (very low) "
                       "to 10 (very good): %(num)d check-ins.", len(points))
        if week:
            alt += " " + _("This week's average is %(a)s.", a=_fmt(sum(week) / len(week)))
        if before:
            alt += " " + _("The week before it was %(b)s.", b=_fmt(sum(before) / len(before)))
    labels = {"mood": _("Daily mood"), "mean": _("7-day average"), "anxiety": _("Anxiety"),
              "axis": _("0 = very low, 10 = very good")}
    table = [[_day(d), str(m), _fmt(means.get(d)), "" if a is None else str(a), _fmt(s)]
             for d, m, a, s in reversed(rows)]
    return ChartData(
        "mood", _("Mood over time"), alt,
        [_("Day"), _("Mood"), _("7-day average"), _("Anxiety"), _("Hours slept")], table,
        lambda fmt, size: charts.mood_chart(points, anxiety, start, today, labels, fmt, size),
    )


def measure(client: User, key: str) -> ChartData:
    """PHQ-9 or GAD-7 totals over time, with bands and the caseness line."""
    m = scoring.MEASURES[key]
    points = assessments.history(client, key)
    today = local_today(client.timezone)
    start = points[0][0] if points else today - timedelta(days=28)
    end = max(points[-1][0], start + timedelta(days=28)) if points else today
    if not points:
        alt = _("No %(m)s results yet.", m=m.title)
    else:
        first, last = points[0], points[-1]
        alt = _("%(m)s scores (0 to %(max)d, higher means more difficulty): %(res)s. "
                "First %(a)d (%(ab)s), latest %(b)d (%(bb)s). The dashed line at %(c)d marks "
                "the usual clinical cut-off.", m=m.title, max=m.max_total,
                res=ngettext("%(num)d result", "%(num)d results", len(points)),
                a=first[1], ab=_(scoring.band(m, first[1]).label).lower(), b=last[1],
                bb=_(scoring.band(m, last[1]).label).lower(), c=m.caseness)
    labels = {"total": _("Score"), "caseness": _("Clinical cut-off (%(c)d)", c=m.caseness),
              "axis": _("%(m)s score", m=m.title)}
    labels.update({f"band_{b.key}": _(b.label) for b in m.bands})
    table = [[_day(d), str(t), _(scoring.band(m, t).label)] for d, t in reversed(points)]
    return ChartData(
        key, _("%(m)s over time", m=m.title), alt, [_("Day"), _("Score"), _("Severity")], table,
        lambda fmt, size: charts.measure_chart(key, points, start, end, labels, fmt, size),
    )


def homework(client: User) -> ChartData:
    """Homework done against set, per program week (or calendar week without one)."""
    items = list(db.session.scalars(
        select(Homework).where(Homework.client_id == client.id).order_by(Homework.assigned_at)
    ))
    done = hw_svc.counts(items, {client.id: client.timezone}) if items else {}
    weeks: dict[tuple[int, str], list[int]] = {}
    for h in items:
        times = max(h.times or 1, 1)
        if h.week is not None:
            key = (h.week, _("Week %(n)d", n=h.week))
        else:
            monday = to_local(h.assigned_at, client.timezone).date()
            monday -= timedelta(days=monday.weekday())
            key = (monday.toordinal(), _day(monday))
        pair = weeks.setdefault(key, [0, 0])
        pair[0] += min(done.get(h.id, 0), times)
        pair[1] += times
    ordered = [(label, d, s) for (_o, label), (d, s) in sorted(weeks.items())][-12:]
    total_done, total_set = sum(d for _l, d, _s in ordered), sum(s for _l, _d, s in ordered)
    alt = (_("Homework: %(d)d of %(s)d done over %(w)s.", d=total_done, s=total_set,
             w=ngettext("%(num)d week", "%(num)d weeks", len(ordered)))
           if ordered else _("No homework has been set yet."))
    labels = {"done": _("Done"), "set": _("Set"), "axis": _("Times")}
    return ChartData(
        "homework", _("Homework done per week"), alt, [_("Week"), _("Done"), _("Set")],
        [[label, str(d), str(s)] for label, d, s in reversed(ordered)],
        lambda fmt, size: charts.homework_chart(ordered, labels, fmt, size),
    )


def _entries(client: User, kind: str) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(Entry.client_id == client.id, Entry.kind == kind,
                            Entry.deleted_at.is_(None)).order_by(Entry.created_at)
    ))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def activation(client: User) -> ChartData:
    """Behavioural activation: expected against actual pleasure and achievement."""
    points: list[tuple[int, int, int, int]] = []
    table: list[list[str]] = []
    for entry in _entries(client, "activity_schedule"):
        for row in (entry.data or {}).get("plans") or []:
            if not isinstance(row, dict) or not row.get("done"):
                continue
            vals = [_int(row.get(k)) for k in ("predicted_pleasure", "actual_pleasure",
                                                "predicted_mastery", "actual_mastery")]
            if any(v is None for v in vals):
                continue
            pp, ap, pm, am = (int(v) for v in vals if v is not None)
            points.append((pp, ap, pm, am))
            table.append([str(row.get("day") or ""), str(row.get("activity") or "")[:80],
                          str(pp), str(ap), str(pm), str(am)])
    if not points:
        alt = _("No activities rated yet. Once you mark planned activities as done and rate "
                "them, they appear here.")
    else:
        better = sum(1 for pp, ap, _pm, _am in points if ap > pp)
        worse = sum(1 for pp, ap, _pm, _am in points if ap < pp)
        alt = _("%(done)s. Pleasure was higher than expected for "
                "%(b)d, lower for %(w)d and as expected for %(s)d.",
                done=ngettext("%(num)d activity done and rated", "%(num)d activities done and "
                              "rated", len(points)), b=better,
                w=worse, s=len(points) - better - worse)
    labels = {"pleasure": _("Pleasure"), "mastery": _("Achievement"),
              "same": _("As expected"), "x": _("Expected (0-10)"), "y": _("Actual (0-10)")}
    return ChartData(
        "activation", _("Expected and actual pleasure and achievement"), alt,
        [_("Day"), _("Activity"), _("Expected pleasure"), _("Actual pleasure"),
         _("Expected achievement"), _("Actual achievement")], list(reversed(table)),
        lambda fmt, size: charts.activation_chart(points, labels, fmt, size),
    )


def diary(client: User) -> ChartData:
    """DBT diary cards of the last four weeks: emotion strength by day."""
    today = local_today(client.timezone)
    start = today - timedelta(days=DIARY_DAYS - 1)
    values: dict[tuple[str, date], int | None] = {}
    emotions: list[str] = []
    for entry in _entries(client, "diary_card"):
        data = entry.data or {}
        try:
            day = date.fromisoformat(str(data.get("day")))
        except ValueError:
            continue
        if not start <= day <= today:
            continue
        for name, value in (data.get("emotions") or {}).items():
            if str(name) not in emotions:
                emotions.append(str(name))
            values[(str(name), day)] = _int(value)
    days = sorted({d for _e, d in values})
    span = [days[0] + timedelta(days=i) for i in range((days[-1] - days[0]).days + 1)] if days \
        else []
    if not days:
        alt = _("No diary cards in the last four weeks yet.")
    else:
        means = []
        for e in emotions:
            vals = [v for (name, _d), v in values.items() if name == e and v is not None]
            if vals:
                means.append((sum(vals) / len(vals), e))
        top = max(means) if means else None
        alt = ngettext("Diary cards: %(num)d day in the last four weeks.",
                       "Diary cards: %(num)d days in the last four weeks.", len(days))
        if top:
            alt += " " + _("Strongest on average: %(e)s (%(v)s out of 5).", e=top[1],
                           v=_fmt(top[0]))
    table = [[_day(d)] + ["" if values.get((e, d)) is None else str(values[(e, d)])
                          for e in emotions] for d in reversed(days)]
    labels = {"scale": _("0 = none, 5 = extremely strong")}
    return ChartData(
        "diary", _("Diary card: emotions by day"), alt,
        [_("Day")] + [e.capitalize() for e in emotions], table,
        lambda fmt, size: charts.diary_heatmap(span, emotions, values, labels, fmt, size),
    )


BUILDERS: dict[str, Callable[[User], ChartData]] = {
    "mood": mood, "phq9": lambda c: measure(c, "phq9"), "gad7": lambda c: measure(c, "gad7"),
    "homework": homework, "activation": activation, "diary": diary,
}


def build(client: User, kind: str) -> ChartData:
    """Gather one chart's data for a client."""
    return BUILDERS[kind](client)


def _one(*columns: object, where: tuple[object, ...]) -> tuple[object, ...]:
    """Run one aggregate query and return its row."""
    query = select(*columns)  # type: ignore[call-overload]
    for cond in where:
        query = query.where(cond)
    return tuple(db.session.execute(query).one())


def version(client: User, kind: str) -> str:
    """A short key that changes whenever the data (or the day, zone, language) changes."""
    cid = client.id
    parts: list[object] = [charts.VERSION, kind, cid, client.timezone,
                           str(get_locale() or ""), local_today(client.timezone)]
    if kind in ("mood", "homework"):
        # The sums catch an edit made within the same clock tick (a frozen test clock).
        parts.append(_one(func.count(), func.max(MoodCheckin.updated_at),
                          func.sum(MoodCheckin.mood), func.sum(MoodCheckin.anxiety),
                          where=(MoodCheckin.client_id == cid,)))
    if kind in ("phq9", "gad7"):
        parts.append(_one(func.count(), func.max(MeasureResponse.completed_at),
                          func.max(MeasureResponse.id),
                          where=(MeasureResponse.client_id == cid, MeasureResponse.measure == kind,
                                 MeasureResponse.completed_at.is_not(None))))
    if kind == "homework":
        parts.append(_one(func.count(), func.max(Homework.id), func.sum(Homework.times),
                          func.max(Homework.due_at), where=(Homework.client_id == cid,)))
    if kind in ("homework", "activation", "diary"):
        kinds = {"activation": ("activity_schedule",), "diary": ("diary_card",)}.get(kind)
        where: tuple[object, ...] = (Entry.client_id == cid,)
        if kinds:
            where += (Entry.kind.in_(kinds),)
        parts.append(_one(func.count(), func.max(Entry.updated_at), func.max(Entry.deleted_at),
                          func.max(Entry.id), where=where))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
