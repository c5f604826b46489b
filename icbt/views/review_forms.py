"""Forms for the review pages: acknowledging flags, case status, contacts, messages, sessions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from icbt.forms import choices
from icbt.messaging.messages import MAX_LENGTH
from icbt.review.casework import CONTACT_KINDS, MAX_MINUTES, SETTABLE, STATUS_LABELS
from icbt.review.live_sessions import NOTES_MAX


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("What did you do or decide?"),
                         validators=[DataRequired(message=_l("Please write a short note.")),
                                     Length(max=2000)],
                         description=_l("Kept in the flag's history. Required."))
    snooze_until = DateField(_l("Look again after (optional)"), validators=[Optional()],
                             description=_l("If the rule still holds after this date, the flag "
                                            "opens again. Leave empty to keep it closed while "
                                            "the rule holds."))


class StatusForm(FlaskForm):
    status = SelectField(_l("Case status"), validators=[DataRequired()],
                         choices=choices([(s, STATUS_LABELS[s]) for s in SETTABLE]))


class ContactForm(FlaskForm):
    kind = SelectField(_l("Kind of contact"), validators=[DataRequired()],
                       choices=choices(list(CONTACT_KINDS.items())))
    minutes = IntegerField(_l("Minutes spent"), validators=[
        InputRequired(message=_l("Please give the minutes.")),
        NumberRange(min=1, max=MAX_MINUTES, message=_l("Between 1 and 600 minutes."))])
    day = DateField(_l("Date"), validators=[Optional()], description=_l("Empty means today."))
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[
        DataRequired(message=_l("Please write a message.")), Length(max=MAX_LENGTH)])
    entry_id = HiddenField()


class SessionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Please give a date."))])
    at = TimeField(_l("Time"), validators=[InputRequired(message=_l("Please give a time."))],
                   description=_l("In your own time zone."))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=NOTES_MAX)],
                          description=_l("For you: your client does not see these notes here."))
