"""Forms for the audit search and a client's data pages (download, delete)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from icbt.audit import ACTIONS
from icbt.forms import choices


class AuditSearchForm(FlaskForm):
    """The admins' audit search (posted; its results are read back from a GET with ids)."""

    actor = StringField(_l("Who did it"), validators=[Optional(), Length(max=254)],
                        description=_l("An email address or an account number like 12."))
    client = StringField(_l("Whose record"), validators=[Optional(), Length(max=254)],
                         description=_l("An email address or an account number like 12."))
    action = SelectField(_l("What"), validators=[Optional()], validate_choice=True)
    since = DateField(_l("From (UTC date)"), validators=[Optional()])
    until = DateField(_l("To (UTC date, included)"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.action.choices = choices([("", _l("Any action"))] +
                                      [(a, a) for a in sorted(ACTIONS)])


class DeleteAccountForm(FlaskForm):
    """Ask for the account to be deleted after the grace period."""

    confirm = BooleanField(
        _l("I understand that my account and everything in it will be deleted"),
        validators=[DataRequired(message=_l("Please tick the box if you want to go ahead."))],
    )
