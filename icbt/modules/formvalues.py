"""Form values: stored data shown in a form again, raw posts kept as drafts, display helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from icbt.modules.fields import FieldSpec, FormValues, Group, Section, clean_text, posted_values


def _shown(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the form shows it."""
    if value is None:
        return [] if spec.is_multi else ""
    if spec.is_multi:
        return [str(v) for v in value] if isinstance(value, list) else []
    if spec.type == "yes_no":
        return "yes" if value else "no"
    if spec.type == "tags":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def values_from_data(sections: Iterable[Section], data: Mapping[str, Any]) -> FormValues:
    """Turn stored data back into form values, for editing an entry."""
    values: FormValues = {}
    for section in sections:
        for item in section.items:
            if isinstance(item, Group):
                rows = data.get(item.name) or []
                rows = [r for r in rows if isinstance(r, Mapping)][: item.max_rows]
                count = max(item.blank_rows, min(item.max_rows, len(rows) + 1))
                values[f"{item.name}-count"] = str(count)
                for i, row in enumerate(rows):
                    for spec in item.fields:
                        values[f"{item.name}-{i}-{spec.name}"] = _shown(spec, row.get(spec.name))
                    if item.pick_key and row.get(item.pick_key):
                        values[f"{item.name}-pick"] = str(i)
            else:
                values[item.name] = _shown(item, data.get(item.name))
    return values


def values_from_form(form: Mapping[str, Any], limit_keys: int = 400) -> FormValues:
    """Keep a raw post as plain values (for drafts): strings, lists of strings, bounded size."""
    out: FormValues = {}
    keys = list(form.keys())[:limit_keys]
    for key in keys:
        name = clean_text(key)[:120]
        if not name or name in ("csrf_token", "submission_key", "action"):
            continue
        vals = posted_values(form, key)
        out[name] = vals if len(vals) != 1 else vals[0]
    return out


def scalar(value: Any) -> str:
    """A form value as one string for an input (the first of a list; '' for none)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else ""
    return str(value)


def as_list(value: Any) -> list[str]:
    """A form value as a list of strings (for checkboxes)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _row_words(group: Group, i: int, values: Mapping[str, Any]) -> str:
    """What a row holds, in a few words (its first text answer), or '' if it has none."""
    for kind in ("short_text", "long_text"):
        for spec in group.fields:
            text = " ".join(scalar(values.get(f"{group.name}-{i}-{spec.name}")).split())
            if spec.type == kind and text:
                return text if len(text) <= 40 else text[:39].rsplit(" ", 1)[0] + "…"
    return ""


def row_error_label(group: Group, spec: FieldSpec, i: int, values: Mapping[str, Any],
                    step: int | None) -> str:
    """Name a row's field for the error summary: the step, the row by its content, the field.

    For example "Step 7, “sad”, How strong (0–100)"; a row with no text of its own is
    "Step 7, row 2, …"; a one-step worksheet leaves the step out.
    """
    words = _row_words(group, i, values)
    if step is not None:
        if words:
            return _("Step %(step)d, “%(row)s”, %(field)s", step=step, row=words,
                     field=spec.label)
        return _("Step %(step)d, row %(row)d, %(field)s", step=step, row=i + 1, field=spec.label)
    if words:
        return _("“%(row)s”, %(field)s", row=words, field=spec.label)
    return _("Row %(row)d, %(field)s", row=i + 1, field=spec.label)


def error_links(sections: Iterable[Section], errors: Mapping[str, str],
                values: Mapping[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """(anchor, what, message) for each message, in form order, for the error summary.

    A message in a repeated row says which step and which row it is about, by the
    row's own words where it has some (values: the form values shown with the errors).
    """
    sections = list(sections)
    shown = values or {}
    out: list[tuple[str, str, str]] = []
    for number, section in enumerate(sections, 1):
        step = number if len(sections) > 1 else None
        for item in section.items:
            if isinstance(item, Group):
                if item.name in errors:
                    out.append((f"#group-{item.name}", str(item.label), errors[item.name]))
                for i in range(item.max_rows):
                    for spec in item.fields:
                        name = f"{item.name}-{i}-{spec.name}"
                        if name in errors:
                            out.append((f"#f-{name}",
                                        row_error_label(item, spec, i, shown, step),
                                        errors[name]))
            elif item.name in errors:
                out.append((f"#f-{item.name}", str(item.label), errors[item.name]))
    return out
