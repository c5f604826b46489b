"""The therapist's program actions on one client: enrol, unlock, pause, move, homework, feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt.forms import EmptyForm, choices
from icbt.models.people import User
from icbt.programs import controls, lessons, registry, store
from icbt.programs import enrolment as prog
from icbt.programs.homework import MOOD_KEY
from icbt.timeutil import local_today
from icbt.views.access import client_or_404, roles_required
from icbt.views.lesson_forms import EnrolForm, FeedbackForm, HomeworkForm

bp = Blueprint("program", __name__, url_prefix="/staff/clients/<int:client_id>/program")


def _overview(client_id: int) -> Response:
    return redirect(url_for("staff.client_overview", client_id=client_id))


def pace_words(unlock: str) -> str:
    """What a program's unlock rule means for the therapist choosing it, in words."""
    words = {
        "schedule": _("a new lesson on a fixed schedule, every “Days between lessons” (below)"),
        "completion": _("the next lesson opens when the last one is done"),
        "feedback": _("the next lesson opens after you give feedback on the homework"),
    }
    return words.get(unlock, unlock)


def _program_choices() -> list[Any]:
    progs = sorted(store.store().programs.values(), key=lambda p: p.title)
    return choices([(p.slug, _("%(title)s (%(therapy)s): %(pace)s", title=p.title,
                               therapy=p.therapy, pace=pace_words(p.unlock)))
                    for p in progs])


def _enrol_form(client: User) -> EnrolForm:
    form = EnrolForm()
    form.program.choices = _program_choices()
    if form.start_date.data is None and not form.is_submitted():
        form.start_date.data = local_today(client.timezone)
    return form


def _live_or_back(client: User) -> Any:
    enrolment = prog.current_enrolment(client.id)
    if enrolment is None:
        flash(_("%(name)s is not in a program yet.", name=client.display_name), "warning")
    return enrolment


@bp.route("/enrol", methods=["GET", "POST"])
@roles_required("therapist", "admin")
def enrol(client_id: int) -> Response | str:
    """Enrol the client in a program with a start date and a pace."""
    client = client_or_404(client_id, target="program enrol")
    form = _enrol_form(client)
    if prog.current_enrolment(client.id) is not None:
        return redirect(url_for("program.move", client_id=client.id))
    if form.validate_on_submit():
        try:
            prog.enrol(client, form.program.data or "", actor=current_user,
                       start_date=form.start_date.data, pace_days=form.pace_days.data or 7)
        except prog.ProgramError as exc:
            form.program.errors = [str(exc)]
        else:
            flash(_("%(name)s is enrolled.", name=client.display_name), "success")
            return _overview(client.id)
    return render_template("program/enrol.html", client=client, form=form, moving=None)


@bp.route("/move", methods=["GET", "POST"])
@roles_required("therapist", "admin")
def move(client_id: int) -> Response | str:
    """Move the client to another program; the old one ends and its history stays."""
    client = client_or_404(client_id, target="program move")
    enrolment = prog.current_enrolment(client.id)
    if enrolment is None:
        return redirect(url_for("program.enrol", client_id=client.id))
    form = _enrol_form(client)
    if form.validate_on_submit():
        try:
            controls.move(enrolment, form.program.data or "", actor=current_user,
                          start_date=form.start_date.data, pace_days=form.pace_days.data or 7)
        except prog.ProgramError as exc:
            form.program.errors = [str(exc)]
        else:
            flash(_("%(name)s has moved to the new program. Their earlier work is kept.",
                    name=client.display_name), "success")
            return _overview(client.id)
    return render_template("program/enrol.html", client=client, form=form, moving=enrolment)


def _action(client_id: int, target: str, fn: Any, done: str) -> Response:
    """Run one button action on the client's live enrolment, then go back to the overview."""
    client = client_or_404(client_id, target=target)
    if not EmptyForm().validate_on_submit():
        return _overview(client.id)
    enrolment = _live_or_back(client)
    if enrolment is not None:
        try:
            fn(enrolment)
        except prog.ProgramError as exc:
            flash(str(exc), "warning")
        else:
            flash(done, "success")
    return _overview(client.id)


@bp.route("/unlock", methods=["POST"])
@roles_required("therapist", "admin")
def unlock_next(client_id: int) -> Response:
    """Open the next lesson now."""
    return _action(client_id, "program unlock",
                   lambda e: controls.unlock_next(e, actor=current_user),
                   _("The next lesson is open."))


@bp.route("/pause", methods=["POST"])
@roles_required("therapist", "admin")
def pause(client_id: int) -> Response:
    """Pause the program: no lessons open and no reminders go out."""
    return _action(client_id, "program pause", lambda e: controls.pause(e, actor=current_user),
                   _("The program is paused."))


@bp.route("/resume", methods=["POST"])
@roles_required("therapist", "admin")
def resume(client_id: int) -> Response:
    """Resume a paused program; the schedule moves on by the paused days."""
    return _action(client_id, "program resume", lambda e: controls.resume(e, actor=current_user),
                   _("The program is running again."))


def _worksheet_choices() -> list[Any]:
    pairs = [(MOOD_KEY, _("Mood check-in"))]
    pairs += [(key, str(ws.title)) for key, ws in registry.all_worksheets().items()]
    return choices(pairs)


@bp.route("/homework", methods=["GET", "POST"])
@roles_required("therapist", "admin")
def add_homework(client_id: int) -> Response | str:
    """Give this client extra homework, with an optional due date."""
    client = client_or_404(client_id, target="program homework")
    form = HomeworkForm()
    form.worksheet.choices = _worksheet_choices()
    if form.validate_on_submit():
        try:
            controls.add_homework(client, actor=current_user, worksheet=form.worksheet.data or "",
                                  times=form.times.data or 1,
                                  instruction=form.instruction.data or "", due=form.due.data)
        except prog.ProgramError as exc:
            form.due.errors = [str(exc)]
        else:
            flash(_("Homework added."), "success")
            return _overview(client.id)
    return render_template("program/homework.html", client=client, form=form)


@bp.route("/feedback", methods=["POST"])
@roles_required("therapist", "admin")
def feedback(client_id: int) -> Response:
    """Record feedback on one week's homework (this opens a feedback-gated next lesson)."""
    client = client_or_404(client_id, target="program feedback")
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash(_("Please try again: the feedback was not saved."), "warning")
        return _overview(client.id)
    enrolment = _live_or_back(client)
    try:
        week = int(form.week.data or 0)
    except ValueError:
        abort(404)
    row = lessons.find_row(client.id, enrolment.program_slug, week) if enrolment else None
    if row is None:
        abort(404)
    try:
        controls.give_feedback(row, actor=current_user, note=form.note.data or "")
    except prog.ProgramError as exc:
        flash(str(exc), "warning")
    else:
        flash(_("Feedback saved for week %(week)d.", week=week), "success")
    return _overview(client.id)


@bp.app_template_global()
def program_panel(client: User) -> dict[str, Any]:
    """Everything the staff overview shows about the client's program."""
    week = lessons.client_week(client)
    unreviewed = [r for r in week.rows if r.feedback_at is None]
    history = [e for e in prog.enrolments(client.id) if e.status == "ended"]
    return {"week": week, "unreviewed": unreviewed, "history": history,
            "title_of": lambda slug: getattr(prog.get_program(slug), "title", slug)}
