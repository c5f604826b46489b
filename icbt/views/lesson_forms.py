"""Forms of the client's week and the therapist's program actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from icbt.forms import choices
from icbt.messaging.notify import KINDS

HOURS = choices([(h, f"{h:02d}:00") for h in range(24)])


class TalkNoteForm(FlaskForm):
    note = TextAreaField(_l("What I want to talk about next time"),
                         validators=[Length(max=2000)],
                         description=_l("Only you and your therapist can see this."))


class SettingsForm(FlaskForm):
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)],
                           description=_l("For example Europe/London or America/Toronto. "
                                          "Lessons open and reminders arrive by this clock."))
    quiet = BooleanField(_l("Keep emails quiet at night"))
    quiet_start = SelectField(_l("Quiet from"), coerce=int, choices=HOURS)
    quiet_end = SelectField(_l("Quiet until"), coerce=int, choices=HOURS)
    lesson = BooleanField(KINDS["lesson"])
    homework = BooleanField(KINDS["homework"])
    checkin = BooleanField(KINDS["checkin"])


class EnrolForm(FlaskForm):
    program = SelectField(_l("Program"), validate_choice=True)
    start_date = DateField(_l("Start date"), validators=[DataRequired()],
                           description=_l("Lesson 1 opens at the start of this day, in the "
                                          "client's time zone."))
    pace_days = IntegerField(_l("Days between lessons"), default=7,
                             validators=[DataRequired(), NumberRange(min=1, max=60)])


class HomeworkForm(FlaskForm):
    worksheet = SelectField(_l("Worksheet"), validate_choice=True)
    times = IntegerField(_l("How many times"), default=1,
                         validators=[DataRequired(), NumberRange(min=1, max=31)])
    instruction = TextAreaField(_l("What to do"), validators=[Length(max=500)],
                                description=_l("A short, kind instruction the client will see."))
    due = DateField(_l("Due by (optional)"), validators=[Optional()],
                    description=_l("Leave empty to make it due before the next lesson opens."))


class FeedbackForm(FlaskForm):
    week = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("A note to the client (optional)"), validators=[Length(max=5000)],
                         description=_l("Sent to the client as a message."))
