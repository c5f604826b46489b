"""Field specs and the plain-data engine that parses, checks and re-renders worksheet input.

Everything here works on plain mappings (input name -> list of strings), never
on `request`, so a form post, a kept post after expiry and a test all go
through the same checks. Whatever is posted, parsing returns data or messages;
it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from flask_babel import gettext as _

FIELD_TYPES = (
    "short_text", "long_text", "scale_0_5", "scale_0_10", "scale_0_100", "single_choice",
    "multiple_choice", "checklist", "date", "time", "yes_no", "tags",
)
SCALES = {"scale_0_5": (0, 5), "scale_0_10": (0, 10), "scale_0_100": (0, 100)}
DEFAULT_MAX = {"short_text": 200, "long_text": 4000, "tags": 300}
MULTI = ("multiple_choice", "checklist")
# A value longer than this is cut when kept for re-display, so a hostile post
# cannot make us store or echo megabytes.
KEEP_MAX = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FormValues = dict[str, Any]  # input name -> str or list[str], exactly what is shown again


@dataclass(frozen=True)
class Option:
    """One choice: the stored value, what the client reads, and an optional explanation."""

    value: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """One input of a worksheet (the designer file's `fields:` items use the same names)."""

    name: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    choices: tuple[Any, ...] = ()
    low: str = ""
    high: str = ""
    max_length: int | None = None

    def options(self) -> list[Option]:
        """The choices as Options; plain strings are both value and label."""
        out: list[Option] = []
        for c in self.choices:
            if isinstance(c, Option):  # labels may be lazy translations: resolve them now
                out.append(Option(c.value, str(c.label), str(c.help)))
            elif isinstance(c, (tuple, list)):
                out.append(Option(str(c[0]), str(c[1]) if len(c) > 1 else str(c[0]),
                                  str(c[2]) if len(c) > 2 else ""))
            else:
                out.append(Option(str(c), str(c)))
        return out

    @property
    def limit(self) -> int:
        """The maximum length of a text answer."""
        return self.max_length or DEFAULT_MAX.get(self.type, 200)

    @property
    def scale(self) -> tuple[int, int] | None:
        """(lowest, highest) for a scale field, else None."""
        return SCALES.get(self.type)

    @property
    def is_multi(self) -> bool:
        """Whether the answer is a list of choices."""
        return self.type in MULTI

    def display(self, value: Any) -> str:
        """The stored value in words, for the entry page and summaries."""
        if value is None or value == "" or value == []:
            return ""
        if self.type in ("single_choice",) or self.is_multi:
            labels = {o.value: o.label for o in self.options()}
            values = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(str(v), str(v)) for v in values)
        if self.type == "yes_no":
            return _("Yes") if value else _("No")
        if self.type == "tags":
            return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if self.scale:
            return f"{value}/{self.scale[1]}" if self.type != "scale_0_100" else f"{value}"
        return str(value)


@dataclass(frozen=True)
class Group:
    """Repeating rows of fields (emotions, thoughts, activities); empty rows are ignored."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    help: str = ""
    required: bool = False
    blank_rows: int = 3
    max_rows: int = 12
    add_label: str = ""
    pick_key: str = ""  # e.g. "hot": the client marks one row with a radio button
    pick_label: str = ""
    pick_default_by: str = ""  # if none is marked, mark the row with the highest value here


@dataclass(frozen=True)
class Section:
    """A step of a worksheet: a heading, help for the client and its inputs."""

    id: str
    title: str
    items: tuple[FieldSpec | Group, ...]
    help: str = ""
    recall: bool = False  # show the worksheet's recall text (e.g. the hot thought) here


@dataclass
class Parsed:
    """The result of parsing a post: clean data, messages by input name, values to show again."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    values: FormValues = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the post can be stored."""
        return not self.errors


def clean_text(value: Any) -> str:
    """A posted value as text without NUL/control characters and with plain newlines."""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def posted_values(form: Mapping[str, Any], name: str) -> list[str]:
    """All values posted under a name, as cleaned strings (scalars and lists alike)."""
    raw = form.get(name) if hasattr(form, "get") else None
    if hasattr(form, "getlist"):
        raw = form.getlist(name)  # type: ignore[union-attr]
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    return [clean_text(v)[:KEEP_MAX] for v in raw if v is not None]


def _first(form: Mapping[str, Any], name: str) -> str:
    """The first value posted under a name ('' when missing)."""
    vals = posted_values(form, name)
    return vals[0] if vals else ""


def safe_int(text: Any, default: int = 0, low: int = 0, high: int = 1_000_000) -> int:
    """Parse a small integer, clamped; anything malformed gives the default."""
    try:
        value = int(str(text).strip()[:12])
    except (TypeError, ValueError):
        return default
    return max(low, min(high, value))


def parse_field(spec: FieldSpec, form: Mapping[str, Any], name: str) -> tuple[Any, str | None, Any]:
    """Parse one input: (clean value, error message or None, value to show again)."""
    if spec.is_multi:
        wanted = set(posted_values(form, name))
        kept = [o.value for o in spec.options() if o.value in wanted]
        if spec.required and not kept:
            return kept, _("Please choose at least one."), kept
        return kept, None, kept
    raw = _first(form, name)
    text = raw.strip()
    if spec.type in ("short_text", "long_text", "tags"):
        if spec.type == "short_text":
            text = " ".join(text.split())
        if spec.required and not text:
            return "", _("Please fill this in."), raw
        if len(text) > spec.limit:
            return None, _("Please keep this to %(n)d characters or fewer (it has %(m)d).",
                           n=spec.limit, m=len(text)), raw
        if spec.type == "tags":
            tags: list[str] = []
            for t in text.split(","):
                t = " ".join(t.split())[:40]
                if t and t.lower() not in [x.lower() for x in tags]:
                    tags.append(t)
            return tags[:12], None, raw
        return text, None, raw
    if not text:
        if spec.required:
            msg = _("Please choose one.") if spec.type in ("single_choice", "yes_no") \
                else _("Please fill this in.")
            return None, msg, raw
        return None, None, raw
    if spec.scale:
        low, high = spec.scale
        try:
            number = int(text) if len(text) < 12 else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            return None, _("Please choose a whole number from %(low)d to %(high)d.",
                           low=low, high=high), raw
        return number, None, raw
    if spec.type == "single_choice":
        values = [o.value for o in spec.options()]
        if text not in values:
            return None, _("Please choose one of the options."), raw
        return text, None, raw
    if spec.type == "yes_no":
        if text not in ("yes", "no"):
            return None, _("Please choose yes or no."), raw
        return text == "yes", None, raw
    if spec.type == "date":
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2200:
            return None, _("Please enter a date like 2026-03-14."), raw
        return day.isoformat(), None, raw
    if spec.type == "time":
        try:
            moment = time.fromisoformat(text) if len(text) in (5, 8) else None
        except ValueError:
            moment = None
        if moment is None:
            return None, _("Please enter a time like 09:30."), raw
        return moment.strftime("%H:%M"), None, raw
    return None, _("This answer could not be read."), raw


def row_count(group: Group, form: Mapping[str, Any], data_rows: int = 0) -> int:
    """How many rows to parse and show: the posted count, enough for the data, within limits."""
    posted = safe_int(_first(form, f"{group.name}-count"), 0, 0, group.max_rows)
    return max(1, min(group.max_rows, max(group.blank_rows, posted, data_rows)))


def parse_group(group: Group, form: Mapping[str, Any], parsed: Parsed) -> None:
    """Parse repeating rows into a list of row dicts, skipping rows left empty."""
    count = row_count(group, form)
    parsed.values[f"{group.name}-count"] = str(count)
    pick_raw = _first(form, f"{group.name}-pick") if group.pick_key else ""
    if group.pick_key:
        parsed.values[f"{group.name}-pick"] = pick_raw
    rows: list[dict[str, Any]] = []
    picked: int | None = None
    for i in range(count):
        row: dict[str, Any] = {}
        row_errors: dict[str, str] = {}
        filled = False
        for spec in group.fields:
            name = f"{group.name}-{i}-{spec.name}"
            value, error, shown = parse_field(
                FieldSpec(spec.name, spec.label, spec.type, False, spec.help, spec.choices,
                          spec.low, spec.high, spec.max_length), form, name)
            parsed.values[name] = shown
            if shown not in ("", None, []) and (not isinstance(shown, str) or shown.strip()):
                filled = True
            if error:
                row_errors[name] = error
            row[spec.name] = value
        if not filled:
            continue
        for spec in group.fields:
            name = f"{group.name}-{i}-{spec.name}"
            if spec.required and row.get(spec.name) in (None, "", []) and name not in row_errors:
                row_errors[name] = _("Please fill this in, or clear the whole row.")
        parsed.errors.update(row_errors)
        if group.pick_key and pick_raw == str(i):
            picked = len(rows)
        rows.append(row)
    if group.required and not rows:
        parsed.errors[group.name] = _("Please fill in at least one row.")
    if group.pick_key and rows:
        if picked is None:
            picked = 0
            if group.pick_default_by:
                scores = [r.get(group.pick_default_by) or 0 for r in rows]
                picked = scores.index(max(scores))
        for n, row in enumerate(rows):
            row[group.pick_key] = n == picked
    parsed.data[group.name] = rows


def parse_sections(sections: Iterable[Section], form: Mapping[str, Any]) -> Parsed:
    """Parse a whole post against a worksheet's sections."""
    parsed = Parsed()
    for section in sections:
        for item in section.items:
            if isinstance(item, Group):
                parse_group(item, form, parsed)
                continue
            value, error, shown = parse_field(item, form, item.name)
            parsed.values[item.name] = shown
            parsed.data[item.name] = value
            if error:
                parsed.errors[item.name] = error
    return parsed
