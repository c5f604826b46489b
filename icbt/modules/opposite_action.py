"""DBT emotion regulation: act opposite to an emotion's urge when it doesn't help."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, clip
from icbt.modules.check_the_facts import FITS, EmotionShift, before_after
from icbt.modules.fields import FieldSpec, Section


class OppositeAction(EmotionShift):
    """Emotion, urge, the opposite action, whether it was done and what happened."""

    key = "opposite_action"
    title = _l("Opposite action")
    therapy = "DBT"
    description = _l("When an emotion pushes you towards something that won't help, try the "
                     "opposite.")
    recall_label = _l("The emotion you are working with")
    recall_source = "emotion"
    help = _l("Opposite action is for emotions that don't fit the facts, or where acting on "
              "the urge would make things worse. Do it all the way: body, face, voice and "
              "words.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The emotion and urge, the opposite action, how it went."""
        return (
            Section("emotion", _l("The emotion and its urge"), (
                FieldSpec("emotion", _l("What emotion are you feeling?"), "short_text",
                          required=True, max_length=60),
                FieldSpec("intensity_before", _l("How strong is it? (0–100)"), "scale_0_100"),
                FieldSpec("urge", _l("What is it urging you to do?"), "long_text",
                          max_length=1000, help=_l("For example: hide, shout, stay in bed.")),
                FieldSpec("fits", _l("Does the emotion fit the facts?"), "single_choice",
                          choices=FITS),
            )),
            Section("opposite", _l("The opposite action"), (
                FieldSpec("opposite", _l("What is the opposite action?"), "long_text",
                          max_length=1000,
                          help=_l("What would you do if you felt the opposite? Be specific.")),
                FieldSpec("did_it", _l("Did you do it?"), "yes_no"),
                FieldSpec("what_happened", _l("What happened?"), "long_text", max_length=2000,
                          help=_l("If it was hard or you stopped part way, that's useful to "
                                  "know.")),
                FieldSpec("intensity_after", _l("How strong is the emotion now? (0–100)"),
                          "scale_0_100"),
            ), recall=True),
        )

    def recall(self, data: Mapping[str, Any]) -> str:
        """The emotion and its urge."""
        urge = clip(data.get("urge"), 80)
        return before_after(data) + (f" — {urge}" if urge else "")

    def summary(self, data: Mapping[str, Any]) -> str:
        """Emotion shift, urge, opposite action, whether done."""
        parts = [before_after(data)]
        if data.get("urge"):
            parts.append(_("urge: %(u)s", u=clip(data["urge"], 40)))
        if data.get("opposite"):
            parts.append(_("opposite: %(o)s", o=clip(data["opposite"], 50)))
        if data.get("did_it") is not None:
            parts.append(_("done") if data["did_it"] else _("not done yet"))
        return " · ".join(p for p in parts if p)
