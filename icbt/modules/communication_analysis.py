"""IPT communication analysis: what was said, what was meant, how it landed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, Section


class CommunicationAnalysis(Worksheet):
    """One conversation looked at slowly, and what could be said differently."""

    key = "communication_analysis"
    title = _l("Looking back at a conversation")
    therapy = "IPT"
    description = _l("Go through a conversation that didn't go the way you wanted.")
    recall_label = _l("What you said")
    recall_source = "said"
    help = _l("Think of one recent conversation that left you feeling upset, stuck or "
              "misunderstood. Try to remember the actual words, as closely as you can.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The conversation, how it landed, next time."""
        return (
            Section("conversation", _l("The conversation"), (
                FieldSpec("who", _l("Who was it with?"), "short_text", max_length=80),
                FieldSpec("when", _l("When was it?"), "short_text", max_length=80),
                FieldSpec("about", _l("What was it about?"), "long_text", max_length=1000),
                FieldSpec("said", _l("What did you say?"), "long_text", required=True,
                          max_length=2000, help=_l("The words you used, as best you can "
                                                   "remember.")),
                FieldSpec("meant", _l("What did you mean, or hope would happen?"),
                          "long_text", max_length=2000),
                FieldSpec("they_said", _l("What did they say or do?"), "long_text",
                          max_length=2000),
            )),
            Section("landed", _l("How it landed"), (
                FieldSpec("landed", _l("How did it land? What happened next?"), "long_text",
                          max_length=2000),
                FieldSpec("feeling", _l("How did you feel afterwards?"), "short_text",
                          max_length=200),
            ), recall=True),
            Section("next_time", _l("Next time"), (
                FieldSpec("differently", _l("What could you say or do differently?"),
                          "long_text", max_length=2000,
                          help=_l("Think of one small change you could try. There is no single "
                                  "right answer.")),
            ), recall=True),
        )

    def recall(self, data: Mapping[str, Any]) -> str:
        """What the client said."""
        return clip(data.get("said"), 200)

    def title_of(self, data: Mapping[str, Any]) -> str:
        """Who the conversation was with."""
        return clip(data.get("who"), 60)

    def summary(self, data: Mapping[str, Any]) -> str:
        """With whom, what was said, how they felt, what they could say next time."""
        parts = []
        if data.get("who"):
            parts.append(_("With %(who)s", who=clip(data["who"], 30)))
        parts.append(_("said “%(s)s”", s=clip(data.get("said"), 60)))
        if data.get("feeling"):
            parts.append(_("felt %(f)s", f=clip(data["feeling"], 30)))
        if data.get("differently"):
            parts.append(_("next time: “%(d)s”", d=clip(data["differently"], 60)))
        return " · ".join(parts)
