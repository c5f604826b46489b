"""IPT interpersonal inventory: the important people, how close, what is good and hard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, Group, Section

CLOSENESS = (("inner", _l("Very close")), ("middle", _l("Close")),
             ("outer", _l("Not so close")))


class InterpersonalInventory(Worksheet):
    """The people who matter, each with closeness, good, hard and wished-for change."""

    key = "interpersonal_inventory"
    title = _l("The important people in my life")
    therapy = "IPT"
    description = _l("Map the people who matter to you and how things are with each of them.")
    help = _l("List the people who matter most to you now, whether things are good or hard "
              "with them. A first name or a word like 'Mum' is enough.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The people, then what stands out."""
        return (
            Section("people", _l("The people"), (
                Group("people", _l("People"), (
                    FieldSpec("name", _l("Who?"), "short_text", required=True, max_length=80),
                    FieldSpec("relation", _l("Who are they to you?"), "short_text",
                              max_length=80, help=_l("For example partner, friend, boss.")),
                    FieldSpec("closeness", _l("How close do you feel?"), "single_choice",
                              choices=CLOSENESS),
                    FieldSpec("good", _l("What is good about this relationship?"), "long_text",
                              max_length=1000),
                    FieldSpec("hard", _l("What is hard?"), "long_text", max_length=1000),
                    FieldSpec("change", _l("What would you like to change?"), "long_text",
                              max_length=1000),
                ), required=True, blank_rows=3, max_rows=15,
                    add_label=_l("Add another person")),
            )),
            Section("reflection", _l("Looking at the whole picture"), (
                FieldSpec("reflection", _l("What do you notice?"), "long_text",
                          max_length=2000,
                          help=_l("Who could support you more? Which relationship is linked "
                                  "most to your mood?")),
            )),
        )

    def title_of(self, data: Mapping[str, Any]) -> str:
        """How many people."""
        people = [p for p in data.get("people") or [] if isinstance(p, Mapping)]
        return _("%(n)d people", n=len(people))

    def summary(self, data: Mapping[str, Any]) -> str:
        """Count, the closest people, and who the client wants things to change with."""
        people = [p for p in data.get("people") or [] if isinstance(p, Mapping)]
        parts = [_("%(n)d people", n=len(people))]
        close = [clip(p.get("name"), 20) for p in people if p.get("closeness") == "inner"]
        if close:
            parts.append(_("very close: %(names)s", names=", ".join(close[:4])))
        change = [f"{clip(p.get('name'), 20)} (“{clip(p.get('change'), 40)}”)"
                  for p in people if p.get("change")]
        if change:
            parts.append(_("wants change with: %(names)s", names="; ".join(change[:3])))
        return " · ".join(parts)
