"""Forms of the worksheet pages (the worksheet inputs themselves are checked by icbt.modules)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import Length, Optional

from icbt.forms import choices


class WorksheetForm(FlaskForm):
    """The CSRF token and the submission key that makes a retried post count once."""

    submission_key = HiddenField(validators=[Length(max=64)])


class EntryFilterForm(FlaskForm):
    """Filter the entry list by type and date (a GET form, no CSRF token)."""

    kind = SelectField(_l("Type"), choices=choices([("", _l("All types"))]),
                       validate_choice=False, validators=[Optional(), Length(max=80)])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
