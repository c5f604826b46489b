"""The client's own pages: this week, the lessons, one lesson, settings, unsubscribe."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from icbt.accounts import pending
from icbt.forms import EmptyForm
from icbt.messaging import notify
from icbt.models.care import Homework
from icbt.models.people import User
from icbt.programs import enrolment as prog
from icbt.programs import homework as hw_mod
from icbt.programs import lessons
from icbt.programs.render import sanitise
from icbt.timeutil import is_valid_zone, to_local
from icbt.views.access import client_or_404, roles_required
from icbt.views.lesson_forms import SettingsForm, TalkNoteForm

bp = Blueprint("client", __name__)


def _me() -> User:
    """The signed-in client, through the access policy."""
    return client_or_404(current_user.id)


def _render_home(client: User, form: TalkNoteForm) -> str:
    week = lessons.client_week(client)
    return render_template("client/home.html", client=client, week=week, form=form)


@bp.route("/home")
@roles_required("client")
def home() -> str:
    """What do I do now? This week's lesson and practice, and what comes next."""
    client = _me()
    return _render_home(client, TalkNoteForm(note=client.talk_note))


@bp.route("/home/talk-note", methods=["POST"])
@roles_required("client")
def talk_note() -> Response | str:
    """Save "what I want to talk about" for the next session."""
    client = _me()
    form = TalkNoteForm()
    if not form.validate_on_submit():
        return _render_home(client, form)
    lessons.save_talk_note(client, form.note.data or "")
    flash(_("Saved. Your therapist will see it before your next session."), "success")
    return redirect(url_for("client.home"))


@pending.keep_on_expiry("client.talk_note")
def _finish_talk_note(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Save a talk note that was posted after the session ran out, once the client is back."""
    if user.role == "client":
        lessons.save_talk_note(user, (form.get("note") or [""])[0])
        flash(_("Saved. Your therapist will see it before your next session."), "success")
    return url_for("client.home")


@bp.route("/lessons", endpoint="lessons")
@roles_required("client")
def lesson_index() -> str:
    """The whole program: open lessons to read, locked ones with the day they open."""
    client = _me()
    week, items, earlier = lessons.lesson_list(client)
    return render_template("client/lessons.html", client=client, week=week, items=items,
                           earlier=earlier)


@bp.route("/lessons/<slug>/<int:week>")
@roles_required("client")
def lesson(slug: str, week: int) -> str:
    """One lesson with its worksheets; a locked one says when it opens."""
    client = _me()
    if not lessons.valid_slug(slug):
        abort(404)
    row = lessons.find_row(client.id, slug, week)
    if row is None:
        item = lessons.locked(client, slug, week)
        if item is None:
            abort(404)
        return render_template("client/lesson_locked.html", client=client, item=item, slug=slug)
    view = lessons.shown(row)
    lessons.open_lesson(row, view)
    return render_template(
        "client/lesson.html", client=client, row=row, view=view, slug=slug,
        homework_by_key=lessons.lesson_homework(row), form=EmptyForm(),
        program=view.program, lesson=view.lesson, preview=False)


@bp.route("/lessons/<slug>/<int:week>/done", methods=["POST"])
@roles_required("client")
def lesson_done(slug: str, week: int) -> Response:
    """Mark a lesson as done."""
    client = _me()
    row = lessons.find_row(client.id, slug, week) if lessons.valid_slug(slug) else None
    if row is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        opened = prog.mark_done(row)
        if opened:
            flash(_("Well done. Your next lesson is open."), "success")
        else:
            flash(_("Well done. This lesson is marked as done."), "success")
    return redirect(url_for("client.lessons"))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("client")
def settings() -> Response | str:
    """Time zone, quiet hours and which reminder emails to get."""
    client = _me()
    form = SettingsForm()
    if request.method == "GET":
        quiet = notify.quiet_hours(client)
        form.timezone.data = client.timezone
        form.quiet.data = quiet is not None
        start, end = quiet or tuple(current_app.config["QUIET_HOURS"])
        form.quiet_start.data, form.quiet_end.data = start, end
        for kind in notify.KINDS:
            getattr(form, kind).data = notify.reminder_on(client, kind)
    elif form.validate_on_submit():
        tz = (form.timezone.data or "").strip()
        if not is_valid_zone(tz):
            form.timezone.errors = [_("We do not know that time zone. Try a name like "
                                      "Europe/London.")]
        elif form.quiet.data and form.quiet_start.data == form.quiet_end.data:
            form.quiet_end.errors = [_("Quiet hours need to end at a different time than "
                                       "they start.")]
        else:
            quiet_hours = (form.quiet_start.data, form.quiet_end.data) if form.quiet.data else None
            notify.save_settings(client, timezone=tz, quiet=quiet_hours,
                                 enabled={k: getattr(form, k).data for k in notify.KINDS})
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("client.settings"))
    return render_template("client/settings.html", client=client, form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> str:
    """One-click unsubscribe from reminder emails; works without signing in."""
    user = notify.find_by_unsubscribe_token(token)
    if user is None:
        abort(404)
    form = EmptyForm()
    done = False
    if request.method == "POST" and form.validate_on_submit():
        notify.unsubscribe(user)
        done = True
    return render_template("client/unsubscribe.html", form=form, token=token, done=done)


@bp.app_template_filter("local_day")
def local_day(at: datetime | None, tz: str) -> date | None:
    """The client's local date of a stored UTC time."""
    return to_local(at, tz).date() if at is not None else None


@bp.app_template_filter("worksheet_title")
def worksheet_title_filter(key: str) -> str:
    """A worksheet's title by key."""
    return hw_mod.worksheet_title(key)


@bp.app_template_global()
def homework_start_url(hw: Homework) -> str | None:
    """Where to do a piece of homework: the mood check-in, or a new worksheet entry for it."""
    if hw.worksheet == hw_mod.MOOD_KEY:
        return url_for("mood.checkin") if "mood.checkin" in current_app.view_functions else None
    if "worksheets.new" in current_app.view_functions:
        return url_for("worksheets.new", kind=hw.worksheet, homework=hw.id)
    return None


@bp.app_template_global()
def program_title(slug: str) -> str:
    """A program's title, or its slug if it is no longer installed."""
    return str(getattr(prog.get_program(slug), "title", slug))


@bp.app_template_global()
def snapshot_html(html: str) -> Markup:
    """A stored lesson's HTML, sanitised again with the lesson allowlist before it is shown."""
    return Markup(sanitise(html))  # nosec B704 # nh3-cleaned in this very line
