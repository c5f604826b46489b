"""Medication log: what was taken and when, side effects, a note for the prescriber.

It records what the client reports and never gives medication advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, Group, Section


class MedicationLog(Worksheet):
    """A day's medicines, side effects and a note to bring to the prescriber."""

    key = "medication_log"
    title = _l("Medication log")
    therapy = ""
    opt_in = True
    description = _l("Keep a record of your medicines and side effects to share with your "
                     "prescriber.")
    help = _l("This is a record for you and your prescriber. It does not give medical advice. "
              "If you have questions about your medicines, or side effects worry you, please "
              "talk to your doctor, nurse or pharmacist.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The day, what was taken, side effects, the prescriber note."""
        return (
            Section("day", _l("Which day?"), (FieldSpec("day", _l("Date"), "date",
                                                         required=True),)),
            Section("taken", _l("What you took"), (
                Group("taken", _l("Medicines taken"), (
                    FieldSpec("medicine", _l("Medicine"), "short_text", required=True,
                              max_length=100),
                    FieldSpec("amount", _l("How much"), "short_text", max_length=60,
                              help=_l("As written on the label, for example 50 mg.")),
                    FieldSpec("time", _l("Time"), "time"),
                ), blank_rows=2, max_rows=10, add_label=_l("Add another medicine")),
                FieldSpec("missed", _l("Anything missed, late or taken differently?"),
                          "long_text", max_length=1000),
            )),
            Section("side_effects", _l("Side effects"), (
                Group("side_effects", _l("Side effects you noticed"), (
                    FieldSpec("effect", _l("What did you notice?"), "short_text",
                              required=True, max_length=120),
                    FieldSpec("strength", _l("How strong? (0–10)"), "scale_0_10"),
                ), blank_rows=2, max_rows=10, add_label=_l("Add another side effect")),
            )),
            Section("prescriber", _l("For your prescriber"), (
                FieldSpec("prescriber_note", _l("Anything to bring up with your prescriber?"),
                          "long_text", max_length=2000,
                          help=_l("Questions or concerns you want to remember to ask.")),
            )),
        )

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The day."""
        return str(data.get("day") or "")

    def summary(self, data: Mapping[str, Any]) -> str:
        """What was taken, side effects with strength, and whether there is a prescriber note."""
        taken = [t for t in data.get("taken") or [] if isinstance(t, Mapping)]
        effects = [e for e in data.get("side_effects") or [] if isinstance(e, Mapping)]
        parts = [str(data.get("day") or "?") + ": " + (", ".join(
            " ".join(x for x in (clip(t.get("medicine"), 30), clip(t.get("amount"), 15),
                                 str(t.get("time") or "")) if x) for t in taken[:4])
            or _("nothing recorded as taken"))]
        if data.get("missed"):
            parts.append(_("missed/changed: %(m)s", m=clip(data["missed"], 40)))
        if effects:
            parts.append(_("side effects: %(e)s", e=", ".join(
                clip(e.get("effect"), 25) + (f" {e['strength']}/10"
                                             if isinstance(e.get("strength"), int) else "")
                for e in effects[:3])))
        if data.get("prescriber_note"):
            parts.append(_("note for prescriber: “%(n)s”", n=clip(data["prescriber_note"], 50)))
        return " · ".join(parts)
