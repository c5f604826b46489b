"""Client worksheet pages: start, save (never lost), drafts, list, read, edit, trash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from icbt.db import db
from icbt.forms import choices
from icbt.models.care import Entry
from icbt.models.people import User
from icbt.modules.base import Worksheet
from icbt.modules.fields import FormValues, Parsed
from icbt.modules.formvalues import as_list, error_links, scalar
from icbt.programs import registry
from icbt.timeutil import local_today, to_local
from icbt.views import worksheets_staff
from icbt.views.access import client_or_404, owned_or_404, roles_required
from icbt.views.worksheets_forms import EntryFilterForm, WorksheetForm
from icbt.views.worksheets_save import form_expired, homework_arg, save_edit, save_new
from icbt.worksheets import drafts
from icbt.worksheets import entries as svc

bp = Blueprint("worksheets", __name__, url_prefix="/worksheets")
for _rule, _endpoint, _view, _methods in worksheets_staff.ROUTES:
    bp.add_url_rule(_rule, _endpoint, _view, methods=_methods)
bp.app_template_global("worksheet_panel")(worksheets_staff.worksheet_panel)
bp.app_template_global("worksheet_embed")(worksheets_staff.worksheet_embed)
bp.app_template_global("ws_scalar")(scalar)
bp.app_template_global("ws_list")(as_list)
bp.register_error_handler(CSRFError, form_expired)

PER_PAGE = 20


def _me() -> User:
    """The signed-in client, through the access policy (their own record: not audited)."""
    return client_or_404(current_user.id, audit_view=False)


def _render(ws: Worksheet, client: User, values: FormValues, parsed: Parsed | None, *,
            entry: Entry | None = None, homework_id: int | None = None,
            draft_at: Any = None, key: str | None = None, status: int = 200) -> tuple[str, int]:
    """Render a worksheet form with what was typed and any messages."""
    settings = svc.program_settings(client)
    if hasattr(ws, "prefill"):
        values = ws.prefill(values)
    current = ws.parse(values, settings)
    key = key if svc.usable_key(key) else svc.new_submission_key()
    form = WorksheetForm(formdata=None, submission_key=key)
    hw = svc.homework_for(client, homework_id, ws.key) if homework_id else None
    sections = ws.sections(settings)
    errors = parsed.errors if parsed else {}
    return render_template(
        ws.form_template, ws=ws, sections=sections, values=values, errors=errors,
        error_links=error_links(sections, errors, values), form=form, entry=entry, homework=hw,
        recall=ws.recall(current.data), draft_at=draft_at and to_local(draft_at, client.timezone),
    ), status


def _start_values(ws: Worksheet, client: User) -> FormValues:
    """Blank form values, with today's date in a 'day' field."""
    values: FormValues = {}
    if any(getattr(i, "name", "") == "day" and getattr(i, "type", "") == "date"
           for i in ws.all_items()):
        values["day"] = local_today(client.timezone).isoformat()
    return values


@bp.route("/")
@roles_required("client")
def entries() -> str:
    """The client's entries, newest first, filtered by type and date."""
    client = _me()
    form = EntryFilterForm(request.args, meta={"csrf": False})
    kinds = {ws.key: str(ws.title) for ws in svc.available(client)}
    for kind_used in svc.kinds_used(client):
        ws_used = registry.get(kind_used)
        kinds.setdefault(kind_used, str(ws_used.title) if ws_used else kind_used)
    form.kind.choices = choices([("", _("All types"))] + list(kinds.items()))
    valid = form.validate() if request.args else True
    page = max(1, min(1000, homework_arg(request.args.get("page")) or 1))
    kind = form.kind.data if valid and form.kind.data else None
    start = form.start.data if valid else None
    end = form.end.data if valid else None
    rows, total = svc.list_entries(client, kind=kind, start=start, end=end, limit=PER_PAGE,
                                   offset=(page - 1) * PER_PAGE)
    return render_template("worksheets/list.html", form=form, rows=rows, total=total,
                           page=page, per_page=PER_PAGE, drafts=drafts.drafts_of(client),
                           available=svc.available(client), get=registry.get,
                           local=lambda t: to_local(t, client.timezone))


@bp.route("/new/<kind>", methods=["GET", "POST"])
@roles_required("client")
def new(kind: str) -> Response | str | tuple[str, int]:
    """Start (or resume) a worksheet and save it as an entry."""
    client = _me()
    ws = svc.worksheet_for(client, kind)
    if ws is None:
        abort(404)
    if request.method == "POST":
        outcome, saved = save_new(client, kind, request.form)
        homework_id = homework_arg(request.form.get("homework"))
        if outcome == "saved" and saved and saved.entry:
            flash(_("Saved. Well done for taking the time to do this."), "success")
            return redirect(url_for("worksheets.detail", entry_id=saved.entry.id))
        if outcome == "invalid" and saved:
            return _render(ws, client, saved.parsed.values, saved.parsed, homework_id=homework_id,
                           key=request.form.get("submission_key"))
        if outcome == "draft":
            flash(_("Draft saved. You can come back to it any time."), "success")
        anchor = request.form.get("action", "").split(":", 1)[-1] if outcome == "row" else ""
        return redirect(url_for("worksheets.new", kind=kind, homework=homework_id)
                        + (f"#group-{anchor}" if anchor.isidentifier() else ""))
    draft = drafts.load_draft(client, drafts.draft_slot(ws.key))
    homework_id = homework_arg(request.args.get("homework"))
    if draft is not None:
        values = dict(draft.data or {})
        homework_id = homework_id or homework_arg(values.pop("__homework", None))
        parsed = ws.parse(values, svc.program_settings(client)) if values.pop("__check", None) \
            else None
        return _render(ws, client, values, parsed, homework_id=homework_id,
                       draft_at=draft.updated_at)
    return _render(ws, client, _start_values(ws, client), None, homework_id=homework_id)


def _own_entry(entry_id: int, *, deleted: bool = False) -> Entry:
    """The signed-in client's entry (in the trash if deleted), or 404."""
    entry = owned_or_404(db.session.get(Entry, entry_id), target="entry")
    if entry.client_id != current_user.id or (entry.deleted_at is not None) != deleted:
        abort(404)
    return entry  # type: ignore[no-any-return]


@bp.route("/entries/<int:entry_id>")
@roles_required("client")
def detail(entry_id: int) -> str:
    """Read one entry, with any replies from the therapist."""
    client = _me()
    entry = _own_entry(entry_id)
    return render_template("worksheets/detail.html", entry=entry, ws=registry.get(entry.kind),
                           replies=svc.replies(entry), settings=svc.program_settings(client),
                           local=lambda t: to_local(t, client.timezone), staff=False)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required("client")
def edit(entry_id: int) -> Response | str | tuple[str, int]:
    """Change an entry (for example, to mark planned activities done)."""
    client = _me()
    entry = _own_entry(entry_id)
    ws = registry.get(entry.kind)
    if ws is None:
        abort(404)
    if request.method == "POST":
        outcome, saved = save_edit(client, entry, request.form)
        if outcome == "saved":
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("worksheets.detail", entry_id=entry.id))
        if outcome == "invalid" and saved:
            return _render(ws, client, saved.parsed.values, saved.parsed, entry=entry)
        if outcome == "draft":
            flash(_("Draft saved. You can come back to it any time."), "success")
        return redirect(url_for("worksheets.edit", entry_id=entry.id))
    settings = svc.program_settings(client)
    draft = drafts.load_draft(client, drafts.draft_slot(ws.key, entry.id))
    if draft is not None:
        values = dict(draft.data or {})
        parsed = ws.parse(values, settings) if values.pop("__check", None) else None
        return _render(ws, client, values, parsed, entry=entry, draft_at=draft.updated_at)
    return _render(ws, client, ws.values(entry.data or {}, settings), None, entry=entry)


@bp.route("/entries/<int:entry_id>/delete", methods=["POST"])
@roles_required("client")
def delete(entry_id: int) -> Response:
    """Move an entry to the trash."""
    entry = _own_entry(entry_id)
    svc.delete_entry(entry)
    flash(_("Moved to the trash. You can restore it within %(n)d days.", n=svc.TRASH_DAYS),
          "info")
    return redirect(url_for("worksheets.entries"))


@bp.route("/trash")
@roles_required("client")
def trash() -> str:
    """Deleted entries that can still be restored."""
    client = _me()
    rows, _total = svc.list_entries(client, deleted=True, limit=200)
    return render_template("worksheets/trash.html", rows=rows, get=registry.get,
                           until=lambda e: to_local(e.deleted_at + timedelta(days=svc.TRASH_DAYS),
                                                    client.timezone),
                           local=lambda t: to_local(t, client.timezone))


@bp.route("/trash/<int:entry_id>/restore", methods=["POST"])
@roles_required("client")
def restore(entry_id: int) -> Response:
    """Take an entry out of the trash."""
    entry = _own_entry(entry_id, deleted=True)
    if svc.restore_entry(entry):
        flash(_("Restored."), "success")
        return redirect(url_for("worksheets.detail", entry_id=entry.id))
    flash(_("Sorry, this entry was deleted too long ago to restore."), "info")
    return redirect(url_for("worksheets.trash"))


def _slot_from(form: Any, kind: str) -> tuple[Worksheet | None, str, Entry | None]:
    """The worksheet and draft slot a draft post is for (a new entry, or an edit)."""
    client = _me()
    entry_id = homework_arg(form.get("entry_id"))
    if entry_id:
        entry = svc.get_entry(client, entry_id)
        if entry is None or entry.kind != kind:
            return None, "", None
        return registry.get(kind), drafts.draft_slot(kind, entry.id), entry
    return svc.worksheet_for(client, kind), drafts.draft_slot(kind), None


@bp.route("/drafts/<kind>", methods=["POST"])
@roles_required("client")
def autosave(kind: str) -> tuple[Response, int]:
    """Keep what is typed so far (called by drafts.js every few seconds)."""
    ws, slot, _entry = _slot_from(request.form, kind)
    if ws is None:
        return jsonify(saved=False), 404
    draft = drafts.save_draft(_me(), ws.key, slot, request.form,
                              homework_arg(request.form.get("homework")))
    if draft is None:
        return jsonify(saved=False, reason="too_big"), 413
    return jsonify(saved=True, at=to_local(draft.updated_at, _me().timezone)
                   .strftime("%H:%M")), 200


@bp.route("/drafts/<kind>/discard", methods=["POST"])
@roles_required("client")
def discard_draft(kind: str) -> Response:
    """Throw away a draft and start again."""
    ws, slot, entry = _slot_from(request.form, kind)
    if ws is None:
        abort(404)
    drafts.discard_draft(_me(), slot)
    flash(_("The draft was cleared."), "info")
    if entry is not None:
        return redirect(url_for("worksheets.edit", entry_id=entry.id))
    return redirect(url_for("worksheets.new", kind=kind))
