"""The worksheet plug-in interface: every built-in and designer-defined type is a Worksheet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from icbt.modules.fields import FieldSpec, FormValues, Group, Parsed, Section, parse_sections
from icbt.modules.formvalues import values_from_data

Settings = Mapping[str, Any]  # a program's `settings:` mapping from program.md (may be empty)


def clip(text: Any, n: int = 80) -> str:
    """Shorten text for a one-line summary, on a word boundary where possible."""
    value = " ".join(str(text or "").split())
    if len(value) <= n:
        return value
    cut = value[: n - 1].rsplit(" ", 1)[0] or value[: n - 1]
    return cut + "…"


class Worksheet:
    """A worksheet type: what it asks, how it checks answers, and how an entry reads back.

    Subclasses set the class attributes and `sections()`; methods take plain data
    (mappings of input name -> strings, stored dicts), never the request.
    """

    key: str = ""
    title: str = ""
    therapy: str = ""  # CBT, DBT, IPT or "" for any
    description: str = ""  # one line, shown in lists
    help: str = ""  # a few sentences for the client above the form
    intro_html: str = ""  # sanitised HTML (designer-defined worksheets)
    source: str = "builtin"
    schema_version: int = 1
    form_template = "worksheets/form.html"
    detail_template = "worksheets/_detail_body.html"
    list_item_template = "worksheets/_list_item.html"
    opt_in = False  # shown only to clients for whom it is switched on (medication log)
    recall_label: str = ""  # heading of the recall box on later steps
    recall_source: str = ""  # what drafts.js copies into it live: "field" or "group:field"
    mirror: str = ""  # drafts.js copies "group:field" into "group2:field" rows while typing

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """The steps of the form, in order."""
        raise NotImplementedError

    def all_items(self, settings: Settings | None = None) -> list[FieldSpec | Group]:
        """Every field and group of the form, in order."""
        return [item for s in self.sections(settings) for item in s.items]

    def parse(self, form: Mapping[str, Any], settings: Settings | None = None) -> Parsed:
        """Check a post (plain mapping of input name -> value or list); never raises."""
        parsed = parse_sections(self.sections(settings), form)
        self.check(parsed)
        return parsed

    def check(self, parsed: Parsed) -> None:
        """Add cross-field checks (subclasses); field-level checks are already done."""

    def values(self, data: Mapping[str, Any], settings: Settings | None = None) -> FormValues:
        """Form values that show a stored entry's data for editing."""
        return values_from_data(self.sections(settings), data)

    def recall(self, data: Mapping[str, Any]) -> str:
        """Text kept visible on later steps (e.g. the hot thought); '' for none."""
        return ""

    def title_of(self, data: Mapping[str, Any]) -> str:
        """A short heading for one entry in the client's list."""
        return ""

    def summary(self, data: Mapping[str, Any]) -> str:
        """One or two lines a therapist reads in seconds."""
        raise NotImplementedError

    def detail_rows(self, data: Mapping[str, Any],
                    settings: Settings | None = None) -> list[tuple[str, Any]]:
        """(label, text or list of row dicts) pairs showing an entry, in form order."""
        rows: list[tuple[str, Any]] = []
        for item in self.all_items(settings):
            value = data.get(item.name)
            if isinstance(item, Group):
                table = []
                for row in value or []:
                    if not isinstance(row, Mapping):
                        continue
                    cells = [(f.label, f.display(row.get(f.name))) for f in item.fields]
                    if item.pick_key and row.get(item.pick_key):
                        cells.append((item.pick_label, "✓"))
                    table.append(cells)
                if table:
                    rows.append((item.label, table))
            else:
                shown = item.display(value)
                if shown:
                    rows.append((item.label, shown))
        return rows

    def highlights(self, data: Mapping[str, Any]) -> list[str]:
        """Lines shown at the top of an entry (e.g. the shift in emotion intensity)."""
        return []

    def chart_points(self, entries: Sequence[Any]) -> list[tuple[Any, float]] | None:
        """(date, value) points for a chart across entries, or None if it has none."""
        return None

    def enabled_for(self, prefs: Mapping[str, Any], settings: Settings | None = None) -> bool:
        """Whether a client with these prefs, in a program with these settings, may use it."""
        if not self.opt_in:
            return True
        if prefs.get(self.key):
            return True
        return bool((settings or {}).get(self.key, {}).get("enabled")) if isinstance(
            (settings or {}).get(self.key), Mapping) else False


def numbers(values: Iterable[Any]) -> list[int]:
    """The integers among values (ignores None and junk from old data)."""
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
