"""The generic engine for designer-defined worksheets: a list of FieldSpecs, no code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FIELD_TYPES, FieldSpec, Section

__all__ = ["FIELD_TYPES", "FieldSpec", "FieldWorksheet"]


class FieldWorksheet(Worksheet):
    """A worksheet defined by data (a designer's `worksheets/<key>.md`)."""

    def __init__(self, key: str, title: str, therapy: str, fields: tuple[FieldSpec, ...],
                 summary_fields: tuple[str, ...], intro_html: str, source: str) -> None:
        """Keep the definition; the form has one section holding every field."""
        self.key = key
        self.title = title
        self.therapy = therapy
        self.fields = tuple(fields)
        self.summary_fields = tuple(summary_fields)
        self.intro_html = intro_html
        self.source = source
        self.description = ""
        self.help = ""
        self._sections = (Section(id="answers", title="", items=self.fields),)

    def __repr__(self) -> str:
        return f"FieldWorksheet({self.key!r}, source={self.source!r})"

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """One section with every field, in the designer's order."""
        return self._sections

    def summary(self, data: Mapping[str, Any]) -> str:
        """The summary fields (or the first answered ones) as 'Label: answer' parts."""
        by_name = {f.name: f for f in self.fields}
        names = [n for n in self.summary_fields if n in by_name] or [f.name for f in self.fields]
        parts = []
        for name in names:
            shown = by_name[name].display(data.get(name))
            if shown:
                parts.append(f"{clip(by_name[name].label, 40)} {clip(shown, 90)}")
            if len(parts) == 3:
                break
        return " · ".join(parts)

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The first summary answer, shortened."""
        for name in self.summary_fields or tuple(f.name for f in self.fields):
            spec = next((f for f in self.fields if f.name == name), None)
            if spec is not None and spec.display(data.get(name)):
                return clip(spec.display(data.get(name)), 60)
        return ""
