"""Shared form classes (account forms; each area keeps its own forms beside its views)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs: list[tuple[Any, Any]]) -> list[Any]:
    """Turn (value, label) pairs into choices for a SelectField on any WTForms version."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class TotpForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                                  "spellcheck": "false"})


class TotpSetupForm(FlaskForm):
    code = StringField(_l("The 6-digit code your app shows now"),
                       validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=256)],
        description=_l("At least 12 characters. A few unrelated words are easy to remember "
                       "and hard to guess."),
    )
    confirm = PasswordField(_l("Type it again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class AcceptInviteForm(NewPasswordForm):
    agree = BooleanField(
        _l("I have read the privacy notice above and I agree to it"),
        validators=[DataRequired(message=_l(
            "Please tick this box to say you have read the privacy notice and agree to it. "
            "We can only open your account once you have."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    timezone = StringField(_l("Time zone"), validators=[Length(max=64)],
                           description=_l("For example Europe/London or America/Toronto."))
    therapist = SelectField(_l("Therapist"), coerce=int, validate_choice=True)
    # Not posted (an older form, a script): the clinic's default language.
    language = SelectField(_l("Language"), validate_choice=False,
                           description=_l("The invitation, the pages and the emails use it. The "
                                          "client can change it in their settings."))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validate_choice=True,
                           description=_l("Pages and emails from this clinic use it."))


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices([("therapist", _l("Therapist")),
                                                    ("designer", _l("Designer")),
                                                    ("admin", _l("Administrator"))]))
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(),
                                                                    Length(max=256)])


class AssignForm(FlaskForm):
    therapist = SelectField(_l("Therapist"), coerce=int, validate_choice=True)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons."""
