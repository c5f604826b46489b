"""Journal: free writing with an optional mood rating and tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, Section


class Journal(Worksheet):
    """Free text, a mood from 0 to 10 and a few tags."""

    key = "journal"
    title = _l("Journal")
    therapy = ""
    description = _l("Write freely about your day, your thoughts or anything on your mind.")
    help = _l("Write as much or as little as you like. Nobody will mark it; your therapist "
              "reads it to understand how things are for you.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """One section: title, text, mood, tags."""
        return (
            Section("write", "", (
                FieldSpec("title", _l("Title (optional)"), "short_text", max_length=120),
                FieldSpec("text", _l("What's on your mind?"), "long_text", required=True,
                          max_length=10000),
                FieldSpec("mood", _l("How is your mood right now? (optional)"), "scale_0_10",
                          low=_l("Very low"), high=_l("Very good")),
                FieldSpec("tags", _l("Tags (optional)"), "tags", max_length=300,
                          help=_l("A few words, separated by commas, like work, sleep, "
                                  "family.")),
            )),
        )

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The title, or the first words."""
        return clip(data.get("title") or data.get("text"), 60)

    def summary(self, data: Mapping[str, Any]) -> str:
        """Mood, tags and the first words."""
        parts = []
        if isinstance(data.get("mood"), int):
            parts.append(_("mood %(m)d/10", m=data["mood"]))
        if data.get("tags"):
            parts.append("#" + " #".join(str(t) for t in data["tags"][:4]))
        parts.append(f"“{clip(data.get('text'), 110)}”")
        return " · ".join(parts)

    def chart_points(self, entries: Any) -> list[tuple[Any, float]] | None:
        """(date, mood) for entries with a mood."""
        return [(e.created_at.date(), e.data["mood"]) for e in entries
                if isinstance((e.data or {}).get("mood"), int)]
