"""Behavioural activation: what I did, hour by hour or by part of the day, and how it felt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip, numbers
from icbt.modules.fields import FieldSpec, Group, Section


def rating(name: str, label: Any) -> FieldSpec:
    """A 0-10 rating inside an activity row."""
    return FieldSpec(name, label, "scale_0_10")


class ActivityMonitoring(Worksheet):
    """A day of activities with mood, pleasure and mastery ratings."""

    key = "activity_monitoring"
    title = _l("Activity diary")
    therapy = "CBT"
    description = _l("Notice what you do during a day and how each thing affects your mood.")
    help = _l("Jot down what you did, hour by hour or by part of the day. Nothing is too small: "
              "'lay in bed' and 'made tea' count. Rate each from 0 to 10.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The day, the activities, a reflection."""
        return (
            Section("day", _l("Which day?"), (
                FieldSpec("day", _l("Date"), "date", required=True),
            )),
            Section("activities", _l("What you did"), (
                Group("activities", _l("Activities"), (
                    FieldSpec("time", _l("Time or part of the day"), "short_text",
                              max_length=40, help=_l("For example 7–8 am, or morning.")),
                    FieldSpec("activity", _l("What I did"), "short_text", required=True,
                              max_length=200),
                    rating("mood", _l("Mood (0–10)")),
                    rating("pleasure", _l("Pleasure (0–10)")),
                    rating("mastery", _l("Sense of achievement (0–10)")),
                ), required=True, blank_rows=4, max_rows=24,
                    add_label=_l("Add another activity"),
                    help=_l("Mood: 0 is the lowest, 10 the best. Pleasure: how much you "
                            "enjoyed it. Achievement: how much it felt like you got something "
                            "done, given how you felt.")),
            )),
            Section("reflection", _l("Looking back"), (
                FieldSpec("notes", _l("What do you notice?"), "long_text", max_length=2000,
                          help=_l("For example, which activities lifted your mood a little, "
                                  "and which pulled it down.")),
            )),
        )

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The day."""
        return str(data.get("day") or "")

    def summary(self, data: Mapping[str, Any]) -> str:
        """Number of activities, average mood, the lowest and the highest."""
        rows = [r for r in data.get("activities") or [] if isinstance(r, Mapping)]
        parts = [_("%(day)s: %(n)d activities", day=data.get("day") or "?", n=len(rows))]
        rated = [r for r in rows if isinstance(r.get("mood"), int)]
        if rated:
            avg = sum(r["mood"] for r in rated) / len(rated)
            low = min(rated, key=lambda r: r["mood"])
            high = max(rated, key=lambda r: r["mood"])
            parts.append(_("mood %(avg).1f/10 on average", avg=avg))
            parts.append(_("lowest %(m)d “%(a)s”, highest %(n)d “%(b)s”",
                           m=low["mood"], a=clip(low.get("activity"), 30),
                           n=high["mood"], b=clip(high.get("activity"), 30)))
        return " · ".join(parts)

    def chart_points(self, entries: Any) -> list[tuple[Any, float]] | None:
        """(day, average mood) per entry."""
        points = []
        for entry in entries:
            data = entry.data or {}
            moods = numbers(r.get("mood") for r in data.get("activities") or []
                            if isinstance(r, Mapping))
            if moods:
                points.append((data.get("day") or entry.created_at.date().isoformat(),
                               sum(moods) / len(moods)))
        return points
