"""DBT diary card: one card per day with emotions, urges, skills used and a note."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, FormValues, Parsed, Section
from icbt.modules.formvalues import values_from_data

# Defaults when the program sets none (settings.diary_card.emotions / urges / skills).
EMOTIONS = ("sadness", "anger", "fear", "shame", "joy")
URGES = ("self-harm", "using alcohol or drugs", "avoiding things")
SKILLS = (
    "Wise mind", "Observe", "Describe", "Participate", "Non-judgemental stance",
    "One-mindfully", "Effectiveness", "Check the facts", "Opposite action", "Problem solving",
    "Building positive experiences", "PLEASE skills", "Self-soothe", "TIPP", "Distract (ACCEPTS)",
    "Pros and cons", "Radical acceptance", "DEAR MAN", "GIVE", "FAST",
)


def _slug(text: str) -> str:
    """An input name part for a program-chosen emotion or urge."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "x"


def _list(settings: Settings | None, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """settings.diary_card.<name> as clean unique strings, or the default."""
    conf = (settings or {}).get("diary_card") if isinstance(settings, Mapping) else None
    items = conf.get(name) if isinstance(conf, Mapping) else None
    if not isinstance(items, list):
        return default
    out: list[str] = []
    for item in items[:25]:
        text = " ".join(str(item).split())[:60] if isinstance(item, (str, int)) else ""
        if text and _slug(text) not in [_slug(o) for o in out]:
            out.append(text)
    return tuple(out) or default


class DiaryCard(Worksheet):
    """A day's emotions and urges rated 0-5, urges acted on, skills used."""

    key = "diary_card"
    title = _l("Diary card")
    therapy = "DBT"
    description = _l("A quick daily card: emotions, urges and the skills you used.")
    help = _l("Fill in one card each day, ideally in the evening. Rate each from 0 (none) to 5 "
              "(extremely strong). Be honest: the card is for noticing, not judging.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """Day, emotions, urges, skills, note; emotions and urges come from the program."""
        emotions = _list(settings, "emotions", EMOTIONS)
        urges = _list(settings, "urges", URGES)
        skills = _list(settings, "skills", SKILLS)
        return (
            Section("day", _l("Which day?"), (FieldSpec("day", _l("Date"), "date",
                                                         required=True),)),
            Section("emotions", _l("Emotions today (0–5)"), tuple(
                FieldSpec(f"emotion__{_slug(e)}", e.capitalize(), "scale_0_5",
                          low=_l("None"), high=_l("Extremely strong")) for e in emotions
            ), help=_l("How strong did each emotion get at its highest?")),
            Section("urges", _l("Urges today (0–5)"), tuple(
                FieldSpec(f"urge__{_slug(u)}", u.capitalize(), "scale_0_5",
                          low=_l("None"), high=_l("Extremely strong")) for u in urges
            ) + (FieldSpec("acted_on", _l("Did you act on any of these urges?"), "checklist",
                           choices=tuple((_slug(u), u.capitalize()) for u in urges),
                           help=_l("Tick any you acted on. It's important to be honest; "
                                   "your therapist will help, not judge.")),),
                help=_l("How strong did each urge get?")),
            Section("skills", _l("Skills used"), (
                FieldSpec("skills", _l("Which skills did you use today?"), "checklist",
                          choices=tuple((_slug(s), s) for s in skills)),
            )),
            Section("note", _l("Note"), (
                FieldSpec("note", _l("Anything else about today?"), "long_text",
                          max_length=2000),
            )),
        )

    def parse(self, form: Mapping[str, Any], settings: Settings | None = None) -> Parsed:
        """Check the card, then store emotions and urges as {name: rating} maps."""
        parsed = super().parse(form, settings)
        emotions = _list(settings, "emotions", EMOTIONS)
        urges = _list(settings, "urges", URGES)
        data = parsed.data
        data["emotions"] = {e: data.pop(f"emotion__{_slug(e)}", None) for e in emotions}
        data["urges"] = {u: data.pop(f"urge__{_slug(u)}", None) for u in urges}
        labels = {_slug(u): u for u in urges}
        data["acted_on"] = [labels[v] for v in data.get("acted_on") or [] if v in labels]
        skill_labels = {_slug(s): s for s in _list(settings, "skills", SKILLS)}
        data["skills"] = [skill_labels[v] for v in data.get("skills") or [] if v in skill_labels]
        return parsed

    def values(self, data: Mapping[str, Any], settings: Settings | None = None) -> FormValues:
        """Flatten the stored maps back into the form's inputs."""
        flat: dict[str, Any] = {"day": data.get("day"), "note": data.get("note")}
        for name, value in (data.get("emotions") or {}).items():
            flat[f"emotion__{_slug(str(name))}"] = value
        for name, value in (data.get("urges") or {}).items():
            flat[f"urge__{_slug(str(name))}"] = value
        flat["acted_on"] = [_slug(str(u)) for u in data.get("acted_on") or []]
        flat["skills"] = [_slug(str(s)) for s in data.get("skills") or []]
        return values_from_data(self.sections(settings), flat)

    def detail_rows(self, data: Mapping[str, Any],
                    settings: Settings | None = None) -> list[tuple[str, Any]]:
        """The day, each rating, urges acted on, skills, note."""
        rows: list[tuple[str, Any]] = [(_("Date"), str(data.get("day") or ""))]
        for title, key in ((_("Emotions (0–5)"), "emotions"), (_("Urges (0–5)"), "urges")):
            rated = [(str(k).capitalize(), f"{v}/5") for k, v in (data.get(key) or {}).items()
                     if isinstance(v, int)]
            if rated:
                rows.append((title, [rated]))
        for title, key in ((_("Acted on"), "acted_on"), (_("Skills used"), "skills")):
            if data.get(key):
                rows.append((title, ", ".join(str(x) for x in data[key])))
        if data.get("note"):
            rows.append((_("Note"), str(data["note"])))
        return rows

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The day."""
        return str(data.get("day") or "")

    def summary(self, data: Mapping[str, Any]) -> str:
        """Strongest emotions and urges, urges acted on (first), skills used."""
        parts = []
        acted = data.get("acted_on") or []
        if acted:
            parts.append(_("ACTED ON: %(u)s", u=", ".join(str(a) for a in acted)))
        for key in ("emotions", "urges"):
            rated = sorted(((v, str(k)) for k, v in (data.get(key) or {}).items()
                            if isinstance(v, int) and v > 0), reverse=True)[:3]
            if rated:
                parts.append(", ".join(f"{k} {v}/5" for v, k in rated))
        skills = data.get("skills") or []
        parts.append(_("skills: %(s)s", s=clip(", ".join(str(s) for s in skills), 60))
                     if skills else _("no skills noted"))
        return f"{data.get('day') or '?'}: " + " · ".join(parts)

    def chart_points(self, entries: Any) -> list[tuple[Any, float]] | None:
        """(day, strongest emotion) per card."""
        points = []
        for entry in entries:
            data = entry.data or {}
            values = [v for v in (data.get("emotions") or {}).values() if isinstance(v, int)]
            if values:
                points.append((data.get("day") or entry.created_at.date().isoformat(),
                               float(max(values))))
        return points
