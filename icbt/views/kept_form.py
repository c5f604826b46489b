"""What a post said, made readable again for the "database unavailable" page.

When the database is down nothing can be saved, so the page shows the person
what they typed, under the labels they saw, and lets them send it again. Labels
come from the worksheet being filled in, else from the WTForms class whose
fields match the post, else from the input's name. Secrets are never echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields import HiddenField, PasswordField, SubmitField, TextAreaField
from wtforms.fields.core import UnboundField

from icbt.programs import registry

# Inputs whose value must never be written back into a page.
SECRET_WORDS = ("password", "passwd", "secret", "totp", "otp", "recovery", "current", "confirm")
LONG_TEXT = 60


@dataclass(frozen=True)
class KeptField:
    """One posted value and how to show it."""

    name: str
    value: str
    label: str
    kind: str  # "hidden", "text" or "textarea"


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered != "csrf_token" and any(w in lowered for w in SECRET_WORDS)


def humanise(name: str) -> str:
    """Turn an input name like "sleep_hours" into "Sleep hours"."""
    words = name.replace("-", " ").replace("_", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else name


def _subclasses(cls: type) -> list[type]:
    """Every subclass of cls, however deep."""
    out: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@lru_cache(maxsize=1)
def _form_fields() -> tuple[tuple[str, dict[str, tuple[str, type]]], ...]:
    """Every FlaskForm class's fields: (class name, {name: (label, field class)})."""
    found = []
    for cls in _subclasses(FlaskForm):
        fields: dict[str, tuple[str, type]] = {}
        for name in dir(cls):
            attr = getattr(cls, name, None)
            if isinstance(attr, UnboundField):
                label = attr.args[0] if attr.args else attr.kwargs.get("label", "")
                fields[name] = (str(label or humanise(name)), attr.field_class)
        if fields:
            found.append((cls.__qualname__, fields))
    return tuple(found)


def _from_forms(names: set[str]) -> dict[str, tuple[str, type]] | None:
    """The fields of the smallest form class that has every posted name."""
    best = None
    for _name, fields in _form_fields():
        if names <= set(fields) and (best is None or len(fields) < len(best)):
            best = fields
    return best


def _from_worksheet(view_args: Mapping[str, Any]) -> dict[str, str] | None:
    """Labels of the worksheet named in the URL (groups: "Thoughts 2: Thought")."""
    kind = view_args.get("kind")
    if not kind:
        return None
    try:
        ws = registry.get(str(kind))
        if ws is None:
            return None
        labels: dict[str, str] = {}
        for item in ws.all_items():
            subfields = getattr(item, "fields", None)
            if subfields is None:
                labels[item.name] = str(item.label)
                continue
            for i in range(int(getattr(item, "max_rows", 12))):
                for spec in subfields:
                    labels[f"{item.name}-{i}-{spec.name}"] = f"{item.label} {i + 1}: {spec.label}"
        return labels
    except Exception:  # noqa: BLE001 - labels are a nicety; never fail the error page
        return None


def kept_fields(view_args: Mapping[str, Any], form: Any) -> list[KeptField]:
    """The posted values to show again, labelled, secrets left out, in posted order."""
    pairs = [(k, v) for k, vs in form.lists() for v in vs if not _is_secret(k)]
    names = {k for k, _v in pairs if k != "csrf_token"}
    ws_labels = _from_worksheet(view_args)
    wtf = None if ws_labels else _from_forms(names)
    out: list[KeptField] = []
    for name, value in pairs:
        if name == "csrf_token":
            out.append(KeptField(name, value, "", "hidden"))
            continue
        if ws_labels is not None:
            if name not in ws_labels:  # the form's own hidden inputs and buttons
                out.append(KeptField(name, value, "", "hidden"))
                continue
            label, field_class = ws_labels[name], None
        elif wtf is not None:
            label, field_class = wtf[name]
            if issubclass(field_class, PasswordField):
                continue
            if issubclass(field_class, HiddenField | SubmitField):
                out.append(KeptField(name, value, "", "hidden"))
                continue
        else:
            label, field_class = humanise(name), None
        long = (field_class is not None and issubclass(field_class, TextAreaField)) or \
            len(value) > LONG_TEXT or "\n" in value
        out.append(KeptField(name, value, label, "textarea" if long else "text"))
    return out
