"""DBT emotion regulation: check whether an emotion, and its strength, fit the facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, Section

FITS = (("yes", _l("Yes, it fits")), ("partly", _l("Partly, or it's stronger than the "
                                                    "facts call for")),
        ("no", _l("No, it doesn't fit the facts")))


def before_after(data: Mapping[str, Any]) -> str:
    """'Fear 80→50' from emotion, intensity_before and intensity_after."""
    emotion = clip(data.get("emotion"), 30)
    b, a = data.get("intensity_before"), data.get("intensity_after")
    if isinstance(b, int) and isinstance(a, int):
        return f"{emotion} {b}→{a}"
    if isinstance(b, int):
        return f"{emotion} {b}"
    return emotion


def fits_label(value: Any) -> str:
    """The words for a 'fits the facts' answer."""
    return str(dict(FITS).get(str(value), ""))


class EmotionShift(Worksheet):
    """Worksheets about one emotion rated before and after (check the facts, opposite action)."""

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The emotion."""
        return clip(data.get("emotion"), 60)

    def highlights(self, data: Mapping[str, Any]) -> list[str]:
        """The change in intensity."""
        b, a = data.get("intensity_before"), data.get("intensity_after")
        if isinstance(b, int) and isinstance(a, int):
            return [_("%(e)s: %(b)d → %(a)d", e=clip(data.get("emotion"), 40), b=b, a=a)]
        return []


class CheckTheFacts(EmotionShift):
    """Emotion, the prompting event, interpretations, threats, does it fit."""

    key = "check_the_facts"
    title = _l("Check the facts")
    therapy = "DBT"
    description = _l("Check whether an emotion, and how strong it is, fits what actually "
                     "happened.")
    recall_label = _l("The emotion you are checking")
    recall_source = "emotion"
    help = _l("Emotions are real and important. Sometimes they fit the facts, and sometimes "
              "they fit what we fear or assume. Go through the questions slowly.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The emotion, the facts, the interpretations, the verdict, the next step."""
        return (
            Section("emotion", _l("The emotion"), (
                FieldSpec("emotion", _l("What emotion do you want to check?"), "short_text",
                          required=True, max_length=60),
                FieldSpec("intensity_before", _l("How strong is it? (0–100)"), "scale_0_100"),
            )),
            Section("facts", _l("The facts"), (
                FieldSpec("event", _l("What happened that set it off?"), "long_text",
                          max_length=2000,
                          help=_l("Describe only what you could see and hear, like a "
                                  "camera.")),
                FieldSpec("interpretations", _l("What are you assuming or interpreting?"),
                          "long_text", max_length=2000,
                          help=_l("Can you think of other ways to see what happened?")),
                FieldSpec("threat", _l("Are you expecting a threat or something terrible?"),
                          "long_text", max_length=2000,
                          help=_l("What is it? How likely is it really? If it happened, how "
                                  "could you cope?")),
            ), recall=True),
            Section("verdict", _l("Does it fit?"), (
                FieldSpec("fits", _l("Does the emotion, and its strength, fit the facts?"),
                          "single_choice", choices=FITS),
                FieldSpec("next", _l("What will you do now?"), "long_text", max_length=2000,
                          help=_l("If it fits, problem solving may help. If it doesn't, "
                                  "opposite action may help.")),
                FieldSpec("intensity_after", _l("How strong is the emotion now? (0–100)"),
                          "scale_0_100"),
            ), recall=True),
        )

    def recall(self, data: Mapping[str, Any]) -> str:
        """The emotion being checked."""
        return before_after(data)

    def summary(self, data: Mapping[str, Any]) -> str:
        """Emotion and intensity shift, the verdict, the event."""
        parts = [before_after(data)]
        if data.get("fits"):
            parts.append(_("fits the facts: %(v)s", v=str(data["fits"])))
        if data.get("event"):
            parts.append(f"“{clip(data['event'], 70)}”")
        return " · ".join(p for p in parts if p)
