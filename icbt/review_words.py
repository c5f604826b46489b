"""Flag evidence in words: "PHQ-9 up 7 points since 2 March", "no activity for 9 days"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from flask import has_request_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .measures import OPTIONS

KIND_LABELS = {
    "risk": _l("Needs attention now"),
    "deteriorating": _l("Deteriorating"),
    "stalled": _l("Stalled"),
    "homework": _l("Homework overdue"),
    "quiet": _l("Quiet"),
}
SEVERITY_LABELS = {4: _l("urgent"), 3: _l("high"), 2: _l("medium"), 1: _l("low")}
MEASURE_TITLES = {"phq9": "PHQ-9", "gad7": "GAD-7"}


def kind_label(kind: str) -> str:
    """The flag kind as a therapist reads it."""
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()))


def day_words(value: str | date | None) -> str:
    """A date as "2 March" in the reader's language."""
    if value is None:
        return ""
    locale = str(get_locale() or "en") if has_request_context() else "en"
    return _format_day(value, locale)


@lru_cache(maxsize=4096)  # a queue of 100 clients names the same few weeks of days
def _format_day(value: str | date, locale: str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM", locale=locale)


def _days(n: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", n)


def reason_words(r: Mapping[str, Any]) -> str:
    """One reason (a dict of numbers) in words."""
    code = r.get("code")
    if code == "measure_up":
        title = MEASURE_TITLES.get(str(r.get("measure")), str(r.get("measure")))
        return _("%(m)s up %(n)d points since %(d)s (%(a)d → %(b)d)", m=title,
                 n=int(r["points"]), d=day_words(r.get("baseline")), a=int(r["from"]),
                 b=int(r["to"]))
    if code == "mood_drop":
        return _("Mood 7-day average fell by %(n).1f points (%(a).1f → %(b).1f)",
                 n=float(r["drop"]), a=float(r["from"]), b=float(r["to"]))
    if code == "no_activity":
        if r.get("last"):
            return _("No activity for %(days)s (last on %(d)s)", days=_days(int(r["days"])),
                     d=day_words(r["last"]))
        return _("No activity since starting on %(d)s (%(days)s)", d=day_words(r.get("start")),
                 days=_days(int(r["days"])))
    if code == "lesson_waiting":
        return _("Week %(w)s lesson open for %(days)s without being completed",
                 w=r.get("week") or "?", days=_days(int(r["days"])))
    if code == "homework_overdue":
        return _("%(t)s %(days)s past due (%(done)d of %(times)d done)", t=r.get("title") or "",
                 days=_days(int(r["days"])), done=int(r["done"]), times=int(r["times"]))
    if code == "no_checkin":
        if r.get("last"):
            return _("No mood check-in for %(days)s (last on %(d)s)",
                     days=_days(int(r["days"])), d=day_words(r["last"]))
        return _("No mood check-in since starting on %(d)s (%(days)s)",
                 d=day_words(r.get("start")), days=_days(int(r["days"])))
    return str(r.get("words") or code or "")


def evidence_words(kind: str, source: str, evidence: Mapping[str, Any] | None) -> list[str]:
    """Every reason of a flag in words; risk flags (raised by icbt.safety) included."""
    evidence = evidence or {}
    reasons = evidence.get("reasons")
    if isinstance(reasons, list) and reasons:
        return [reason_words(r) for r in reasons if isinstance(r, Mapping)]
    words = evidence.get("words")
    if isinstance(words, str) and words:
        return [words]
    if isinstance(words, list) and words:
        return [str(w) for w in words]
    if kind == "risk":
        times = evidence.get("times")
        if "help" in source:
            if isinstance(times, int) and times > 1:
                return [_("Pressed “Need help now?” (%(n)d times that day)", n=times)]
            return [_("Pressed “Need help now?”")]
        if "phq" in source or "item" in source:
            answer = evidence.get("answer")
            label = dict(OPTIONS).get(answer) if isinstance(answer, int) else None
            if label:
                return [_("PHQ-9 question 9 (thoughts of being better off dead or of self-harm): "
                          "“%(a)s”", a=label)]
            return [_("Answered PHQ-9 question 9 (thoughts of self-harm) above 0")]
        return [_("A safety answer needs your attention")]
    return []


def evidence_numbers(evidence: Mapping[str, Any] | None) -> Any:
    """The numbers behind a flag (for JSON): its reasons, or the raw evidence."""
    evidence = evidence or {}
    reasons = evidence.get("reasons")
    return reasons if isinstance(reasons, list) else dict(evidence)
