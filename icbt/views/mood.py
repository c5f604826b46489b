"""Mood check-ins: today's form, missed days, recent days, the mood chart; the home and staff includes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import FloatField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from icbt.accounts import pending
from icbt.forms import choices
from icbt.measures import assessments, chartdata, safety, scoring
from icbt.measures import mood as mood_svc
from icbt.models.people import User
from icbt.views.access import client_or_404, roles_required

bp = Blueprint("mood", __name__, url_prefix="/mood")

SCALE = choices([(i, str(i)) for i in range(11)])


class CheckinForm(FlaskForm):
    mood = RadioField(_l("How is your mood today?"), coerce=int, choices=SCALE,
                      validators=[InputRequired(message=_l("Please choose a number from 0 to "
                                                           "10."))])
    anxiety = RadioField(_l("How anxious have you felt? (optional)"), coerce=int,
                         choices=SCALE, validators=[Optional()])
    sleep_hours = FloatField(_l("Hours slept last night (optional)"),
                             widget=NumberInput(step="0.5", min=0, max=24),
                             validators=[Optional(), NumberRange(min=0, max=24, message=_l(
                                 "Please enter a number of hours from 0 to 24."))],
                             render_kw={"inputmode": "decimal"})
    tags = SelectMultipleField(_l("Any of these feelings? (optional)"),
                               choices=choices(list(mood_svc.EMOTION_TAGS)),
                               widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), validators=[Optional()])
    note = TextAreaField(_l("A short note (optional)"),
                         description=_l("A few words about your day, if you like."),
                         validators=[Optional(), Length(max=mood_svc.NOTE_MAX)],
                         render_kw={"maxlength": mood_svc.NOTE_MAX, "rows": 3})


def _friendly_errors(form: CheckinForm) -> None:
    """Replace WTForms' "Not a valid float value" with words a client understands."""
    if form.sleep_hours.errors:
        form.sleep_hours.errors = [_("Please enter a number of hours from 0 to 24, like 7 or "
                                     "7.5.")]


def _input(form: CheckinForm) -> mood_svc.CheckinInput:
    return mood_svc.CheckinInput(
        mood=int(form.mood.data), anxiety=form.anxiety.data,
        sleep_hours=form.sleep_hours.data, tags=list(form.tags.data or []),
        note=form.note.data or "",
    )


def _fill(form: CheckinForm, row: Any) -> None:
    form.mood.data, form.anxiety.data, form.sleep_hours.data = row.mood, row.anxiety, \
        row.sleep_hours
    form.tags.data, form.note.data = list(row.tags or []), row.note


def _page(client: User, day: date) -> Response | str:
    """Show and save the check-in of one day."""
    today = mood_svc.client_today(client)
    existing = mood_svc.get_checkin(client.id, day)
    editable = mood_svc.can_edit(client, day, existing)
    if existing is None and not editable:
        abort(404)
    form = CheckinForm()
    if request.method == "GET" and existing is not None:
        _fill(form, existing)
    if request.method == "POST" and editable:
        if form.validate_on_submit():
            try:
                mood_svc.save_checkin(client, day, _input(form))
            except mood_svc.CheckinError as exc:
                form.mood.errors = [str(exc)]
            else:
                flash(_("Saved. Thank you for checking in.") if day == today
                      else _("Saved. Thank you for filling in %(d)s.", d=_long_day(day)),
                      "success")
                return redirect(url_for("mood.checkin"))
        _friendly_errors(form)
    return render_template(
        "mood/checkin.html", form=form, client=client, day=day, today=today, existing=existing,
        editable=editable, recent=mood_svc.recent(client), missed=mood_svc.missed_days(client),
        chart=chartdata.build(client, "mood"), tag_label=mood_svc.tag_label,
    )


def _long_day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B}"


@bp.route("/", methods=["GET", "POST"])
@roles_required("client")
def checkin() -> Response | str:
    """Today's check-in, the days that can still be filled in, and the mood chart."""
    client = client_or_404(current_user.id, target="mood")
    return _page(client, mood_svc.client_today(client))


@bp.route("/day/<day>", methods=["GET", "POST"])
@roles_required("client")
def edit_day(day: str) -> Response | str:
    """A past day's check-in: fill in a missed day, or see one."""
    client = client_or_404(current_user.id, target="mood")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if when == mood_svc.client_today(client):
        return redirect(url_for("mood.checkin"))
    return _page(client, when)


@pending.keep_on_expiry("mood.checkin")
def _complete_checkin(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Save a check-in posted after the session expired (today's, as of when it is saved)."""
    return _complete(user, mood_svc.client_today(user), form)


@pending.keep_on_expiry("mood.edit_day")
def _complete_day(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Save a missed day's check-in posted after the session expired."""
    try:
        day = date.fromisoformat(str(view_args.get("day")))
    except ValueError:
        return url_for("mood.checkin")
    return _complete(user, day, form)


def _complete(user: User, day: date, raw: dict[str, list[str]]) -> str:
    form = CheckinForm(formdata=MultiDict([(k, v) for k, vs in raw.items() for v in vs]),
                       meta={"csrf": False})
    if user.role == "client" and form.validate():
        try:
            mood_svc.save_checkin(user, day, _input(form))
        except mood_svc.CheckinError:
            flash(_("We could not save that check-in. Please check it and try again."), "warning")
        else:
            flash(_("Saved. Thank you for checking in."), "success")
    return url_for("mood.checkin")


@bp.app_template_global()
def mood_home_card(client: User) -> dict[str, Any]:
    """What the client home's mood card shows."""
    today = mood_svc.client_today(client)
    # One read covers today, the last 7 days and the days that can still be filled in.
    rows = mood_svc.recent(client, max(7, mood_svc.BACKFILL_DAYS + 1))
    days = {r.day for r in rows}
    missed = [d for i in range(1, mood_svc.BACKFILL_DAYS + 1)
              if (d := today - timedelta(days=i)) not in days]
    return {"today": today, "checkin": next((r for r in rows if r.day == today), None),
            "missed": len(missed),
            "recent": [r for r in rows if r.day >= today - timedelta(days=6)]}


@bp.app_template_global()
def mood_staff_panel(client: User) -> dict[str, Any]:
    """What the therapist's overview shows: charts, measure histories with bands, outcome."""
    history = {}
    for key, m in scoring.MEASURES.items():
        history[key] = [(d, t, scoring.band(m, t)) for d, t in assessments.history(client, key)]
    built = [chartdata.build(client, kind) for kind in chartdata.KINDS]
    return {
        # Mood and the two measures always show (an empty one says so); the others only
        # when the client has that kind of data.
        "charts": [c for c in built if not c.empty or c.kind in ("mood", "phq9", "gad7")],
        "history": history, "measures": scoring.MEASURES,
        "outcome": assessments.client_outcome(client), "due": assessments.due_measures(client),
        "risk": safety.open_risk_flags(client.id), "recent": mood_svc.recent(client, 7),
        "tag_label": mood_svc.tag_label,
    }
