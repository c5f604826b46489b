"""Behavioural activation: plan activities, predict how they will feel, then rate them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip, numbers
from icbt.modules.fields import FieldSpec, Group, Section


def _avg(values: list[int]) -> float | None:
    """The mean, or None for no values."""
    return sum(values) / len(values) if values else None


class ActivitySchedule(Worksheet):
    """Planned activities with predicted and actual pleasure and achievement."""

    key = "activity_schedule"
    title = _l("Activity plan")
    therapy = "CBT"
    description = _l("Plan a few activities, guess how they will feel, then see how they "
                     "really felt.")
    help = _l("Choose a few small, doable activities and when you'll do them. Guess how much "
              "pleasure and sense of achievement each will bring. Afterwards, come back to "
              "this entry and mark what you did and how it really felt.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The plan rows (predicted and actual ratings), then a reflection."""
        return (
            Section("plan", _l("Your plan"), (
                Group("plans", _l("Planned activities"), (
                    FieldSpec("day", _l("Day"), "date"),
                    FieldSpec("time", _l("Time"), "time"),
                    FieldSpec("activity", _l("Activity"), "short_text", required=True,
                              max_length=200),
                    FieldSpec("predicted_pleasure", _l("Expected pleasure (0–10)"),
                              "scale_0_10"),
                    FieldSpec("predicted_mastery", _l("Expected achievement (0–10)"),
                              "scale_0_10"),
                    FieldSpec("done", _l("Did you do it?"), "yes_no",
                              help=_l("Fill this in afterwards.")),
                    FieldSpec("actual_pleasure", _l("Actual pleasure (0–10)"), "scale_0_10"),
                    FieldSpec("actual_mastery", _l("Actual achievement (0–10)"),
                              "scale_0_10"),
                ), required=True, blank_rows=3, max_rows=14,
                    add_label=_l("Add another activity")),
            )),
            Section("reflection", _l("Looking back"), (
                FieldSpec("notes", _l("What did you learn?"), "long_text", max_length=2000,
                          help=_l("Did things feel better or worse than you expected? If you "
                                  "didn't get to something, that's useful to know too.")),
            )),
        )

    def title_of(self, data: Mapping[str, Any]) -> str:
        """How many activities were planned."""
        rows = [r for r in data.get("plans") or [] if isinstance(r, Mapping)]
        return _("%(n)d planned", n=len(rows))

    def highlights(self, data: Mapping[str, Any]) -> list[str]:
        """Expected against actual pleasure and achievement, per activity done."""
        lines = []
        for row in data.get("plans") or []:
            if not isinstance(row, Mapping) or not row.get("done"):
                continue
            parts = []
            for what, key in ((_("pleasure"), "pleasure"), (_("achievement"), "mastery")):
                p, a = row.get(f"predicted_{key}"), row.get(f"actual_{key}")
                if isinstance(p, int) and isinstance(a, int):
                    parts.append(_("%(what)s expected %(p)d, actual %(a)d", what=what, p=p, a=a))
            if parts:
                lines.append(f"{clip(row.get('activity'), 40)}: " + "; ".join(parts))
        return lines

    def summary(self, data: Mapping[str, Any]) -> str:
        """Planned and done counts; predicted against actual averages."""
        rows = [r for r in data.get("plans") or [] if isinstance(r, Mapping)]
        done = [r for r in rows if r.get("done")]
        parts = [_("%(n)d planned, %(d)d done", n=len(rows), d=len(done))]
        for label, key in ((_("pleasure"), "pleasure"), (_("achievement"), "mastery")):
            pred = _avg(numbers(r.get(f"predicted_{key}") for r in done))
            act = _avg(numbers(r.get(f"actual_{key}") for r in done))
            if pred is not None and act is not None:
                parts.append(_("%(what)s expected %(p).1f vs actual %(a).1f", what=label,
                               p=pred, a=act))
        return " · ".join(parts)
