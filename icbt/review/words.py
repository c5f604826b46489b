"""Flag evidence in words: "PHQ-9 up 7 points since 2 March", "no activity for 9 days"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from icbt.measures.scoring import OPTIONS

KIND_LABELS = {
    "risk": _l("Needs attention now"),
    "deteriorating": _l("Deteriorating"),
    "stalled": _l("Stalled"),
    "homework": _l("Homework overdue"),
    "quiet": _l("Quiet"),
}
SEVERITY_LABELS = {4: _l("urgent"), 3: _l("high"), 2: _l("medium"), 1: _l("low")}
MEASURE_TITLES = {"phq9": "PHQ-9", "gad7": "GAD-7"}


class Words:
    """gettext, ngettext and day names bound to one request's language, looked up once.

    Flask-Babel finds the translations again on every call (tens of microseconds); the
    queue words hundreds of reasons per page, so it makes one of these per page.
    """

    def __init__(self) -> None:
        from flask_babel import get_translations

        self.locale = str(get_locale() or "en") if has_request_context() else "en"
        self.translations = get_translations()

    def gettext(self, msgid: str, **variables: Any) -> str:
        """As flask_babel.gettext."""
        s = self.translations.ugettext(msgid)
        return s % variables if variables else s

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """As flask_babel.ngettext (`num` is a variable too)."""
        variables.setdefault("num", num)
        return self.translations.ungettext(singular, plural, num) % variables

    def day(self, value: str | date | None) -> str:
        """A date as "2 March"."""
        return "" if value is None else _format_day(value, self.locale)


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


def _days(n: int, w: Words) -> str:
    return w.ngettext("%(num)d day", "%(num)d days", n)


def reason_words(r: Mapping[str, Any], w: Words | None = None) -> str:
    """One reason (a dict of numbers) in words."""
    w = w or Words()
    code = r.get("code")
    if code == "measure_up":
        title = MEASURE_TITLES.get(str(r.get("measure")), str(r.get("measure")))
        return w.gettext("%(m)s up %(n)d points since %(d)s (%(a)d → %(b)d)", m=title,
                         n=int(r["points"]), d=w.day(r.get("baseline")), a=int(r["from"]),
                         b=int(r["to"]))
    if code == "mood_drop":
        return w.gettext("Mood 7-day average fell by %(n).1f points (%(a).1f → %(b).1f)",
                         n=float(r["drop"]), a=float(r["from"]), b=float(r["to"]))
    if code == "no_activity":
        if r.get("last"):
            return w.gettext("No activity for %(days)s (last on %(d)s)",
                             days=_days(int(r["days"]), w), d=w.day(r["last"]))
        return w.gettext("No activity since starting on %(d)s (%(days)s)",
                         d=w.day(r.get("start")), days=_days(int(r["days"]), w))
    if code == "lesson_waiting":
        return w.gettext("Week %(w)s lesson open for %(days)s without being completed",
                         w=r.get("week") or "?", days=_days(int(r["days"]), w))
    if code == "homework_overdue":
        what = w.gettext("%(t)s, due %(d)s, %(days)s late (%(done)d of %(times)d done)",
                         t=r.get("title") or "", d=w.day(r.get("due")),
                         days=_days(int(r["days"]), w), done=int(r["done"]),
                         times=int(r["times"]))
        if r.get("week"):
            return w.gettext("Week %(n)s: %(what)s", n=r["week"], what=what)
        return what
    if code == "no_checkin":
        if r.get("last"):
            return w.gettext("No mood check-in for %(days)s (last on %(d)s)",
                             days=_days(int(r["days"]), w), d=w.day(r["last"]))
        return w.gettext("No mood check-in since starting on %(d)s (%(days)s)",
                         d=w.day(r.get("start")), days=_days(int(r["days"]), w))
    return str(r.get("words") or code or "")


def evidence_words(kind: str, source: str, evidence: Mapping[str, Any] | None,
                   w: Words | None = None) -> list[str]:
    """Every reason of a flag in words; risk flags (raised by icbt.measures.safety) included."""
    w = w or Words()
    evidence = evidence or {}
    reasons = evidence.get("reasons")
    if isinstance(reasons, list) and reasons:
        return [reason_words(r, w) for r in reasons if isinstance(r, Mapping)]
    words = evidence.get("words")
    if isinstance(words, str) and words:
        return [words]
    if isinstance(words, list) and words:
        return [str(w) for w in words]
    if kind == "risk":
        times = evidence.get("times")
        if "help" in source:
            if isinstance(times, int) and times > 1:
                return [w.gettext("Pressed “Need help now?” (%(n)d times that day)", n=times)]
            return [w.gettext("Pressed “Need help now?”")]
        if "phq" in source or "item" in source:
            answer = evidence.get("answer")
            label = dict(OPTIONS).get(answer) if isinstance(answer, int) else None
            if label:
                return [w.gettext("PHQ-9 question 9 (thoughts of being better off dead or of "
                                  "self-harm): “%(a)s”", a=label)]
            return [w.gettext("Answered PHQ-9 question 9 (thoughts of self-harm) above 0")]
        return [w.gettext("A safety answer needs your attention")]
    return []


def evidence_numbers(evidence: Mapping[str, Any] | None) -> Any:
    """The numbers behind a flag (for JSON): its reasons, or the raw evidence."""
    evidence = evidence or {}
    reasons = evidence.get("reasons")
    return reasons if isinstance(reasons, list) else dict(evidence)
