"""Designer pages: every program and lesson, a preview exactly as clients see it, and reload."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.forms import EmptyForm
from icbt.programs import registry
from icbt.programs import store as content
from icbt.programs.load import SLUG_RE
from icbt.views import security
from icbt.views.access import roles_required

bp = Blueprint("designer", __name__, url_prefix="/designer")
DESIGN_ROLES = ("designer", "admin")


@bp.app_template_global()
def lesson_worksheet(key: str) -> Any:
    """The worksheet a lesson places at `[[worksheet key]]` (for lessons/_lesson_body.html)."""
    return registry.get(key)


def _program_or_404(slug: str) -> content.Program:
    """A live program, or 404 (the slug is checked before any lookup)."""
    program = content.store().get_program(slug) if SLUG_RE.match(slug) else None
    if program is None:
        abort(404)
    return program


def _worksheet_title(key: str) -> str:
    """A homework worksheet's title (the daily check-in has no worksheet of its own)."""
    if key == content.MOOD_CHECKIN:
        return _("Mood check-in")
    return str(getattr(registry.get(key), "title", key))


def _orphan_problems(store: content.ContentStore) -> list[content.Problem]:
    """Problems in folders that are not live programs (a new or broken program)."""
    return [p for p in store.problems if p.path.split("/", 1)[0] not in store.programs]


@bp.route("/")
@roles_required(*DESIGN_ROLES)
def index() -> str:
    """Every program with its lessons and check messages; the reload button."""
    store = content.store()
    return render_template("designer/index.html", store=store, form=EmptyForm(),
                           orphans=_orphan_problems(store))


@bp.route("/programs/<slug>")
@roles_required(*DESIGN_ROLES)
def program(slug: str) -> str:
    """One program: its welcome text, settings, lessons and check messages."""
    found = _program_or_404(slug)
    store = content.store()
    worksheets = [ws for ws in store.worksheets.values()
                  if str(getattr(ws, "source", "")).startswith(slug + "/")]
    return render_template("designer/program.html", program=found, store=store,
                           problems=store.problems_for(slug), worksheets=worksheets,
                           form=EmptyForm())


@bp.route("/programs/<slug>/<int:week>")
@roles_required(*DESIGN_ROLES)
def lesson(slug: str, week: int) -> str:
    """Preview a lesson exactly as a client sees it, with the program's check messages."""
    found = _program_or_404(slug)
    item = found.lesson(week)
    if item is None:
        abort(404)
    store = content.store()
    weeks = [x.week for x in found.lessons]
    at = weeks.index(week)
    return render_template(
        "designer/lesson.html", program=found, lesson=item, preview=True, homework_by_key={},
        store=store, problems=store.problems_for(slug), form=EmptyForm(),
        previous=weeks[at - 1] if at > 0 else None,
        next=weeks[at + 1] if at + 1 < len(weeks) else None,
        worksheet_titles={h.worksheet: _worksheet_title(h.worksheet) for h in item.homework})


@bp.route("/worksheets/<key>")
@roles_required(*DESIGN_ROLES)
def worksheet(key: str) -> str:
    """Preview a worksheet as a lesson shows it, with its questions."""
    found = registry.get(key)
    if found is None:
        abort(404)
    return render_template("designer/worksheet.html", worksheet=found, homework=None,
                           preview=True)


@bp.route("/reload", methods=["POST"])
@roles_required(*DESIGN_ROLES)
def reload() -> Response:
    """Re-read the content files; keep what is live if the new files have errors."""
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("Please try again: the page had expired."), "error")
        return redirect(url_for("designer.index"))
    store = content.store()
    problems = store.reload_everywhere()
    errors = [p for p in problems if p.is_error]
    audit.record("change", actor_id=current_user.id, target="content_reload",
                 ip=request.remote_addr or "", detail=f"errors={len(errors)}")
    db.session.commit()
    if errors:
        flash(ngettext("The files have %(num)d error, so clients still see the previous "
                       "version. The message is listed below.",
                       "The files have %(num)d errors, so clients still see the previous "
                       "version. The messages are listed below.", len(errors)), "error")
    else:
        flash(_("Content reloaded. Clients now see the new version."), "success")
    nxt = request.form.get("next", "")
    return redirect(nxt if security.is_safe_next(nxt) else url_for("designer.index"))
