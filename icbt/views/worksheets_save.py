"""Saving worksheet posts: new entries and edits, from the page or completed after expiry.

A post that arrives after the session or the form token expired is kept by
icbt.accounts.pending and completed here once the client signs in again, with every word.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from icbt.accounts import pending
from icbt.db import db
from icbt.models.care import Entry
from icbt.models.people import User
from icbt.modules.base import Worksheet
from icbt.modules.fields import FormValues, Group, safe_int
from icbt.modules.formvalues import values_from_form
from icbt.programs import registry
from icbt.views import errors as error_pages
from icbt.worksheets import drafts
from icbt.worksheets import entries as svc
from icbt.worksheets.entries import Saved


def _action(form: Any) -> str:
    """Which button was pressed: submit, save_draft or add_row:<group>."""
    value = form.get("action") if hasattr(form, "get") else None
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "submit")[:80]


def _add_row(ws: Worksheet, values: FormValues, group: str) -> FormValues:
    """One more blank row in a group (within its limit)."""
    out = dict(values)
    for item in ws.all_items():
        if isinstance(item, Group) and item.name == group:
            count = safe_int(out.get(f"{group}-count"), item.blank_rows, 1, item.max_rows)
            out[f"{group}-count"] = str(min(item.max_rows, count + 1))
    return out


def homework_arg(raw: Any) -> int | None:
    """A homework id from a query string or form value (ownership is checked later)."""
    try:
        value = int(str(raw)[:12])
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def save_new(client: User, kind: str, form: Any) -> tuple[str, Saved | None]:
    """Handle a post to the new-entry form; return (outcome, result) for the view or pending."""
    ws = svc.worksheet_for(client, kind)
    if ws is None:
        return "missing", None
    action = _action(form)
    homework_id = homework_arg(form.get("homework"))
    slot = drafts.draft_slot(ws.key)
    if action == "save_draft" or action.startswith("add_row:"):
        values = values_from_form(form)  # keeps every value of multi-value inputs
        if ":" in action:
            values = _add_row(ws, values, action.split(":", 1)[1])
        drafts.save_draft(client, ws.key, slot, values, homework_id)
        return ("draft" if action == "save_draft" else "row"), None
    key = form.get("submission_key")
    saved = svc.create_entry(client, ws, form, submission_key=key if isinstance(key, str)
                             else None, homework_id=homework_id)
    if saved.entry is None:
        drafts.save_draft(client, ws.key, slot, form, homework_id)
        return "invalid", saved
    return "saved", saved


def _multidict(form: dict[str, list[str]]) -> MultiDict[str, str]:
    """A kept post (name -> list of values) as the form object a live post would have."""
    pairs = []
    for key, values in (form or {}).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(key), value if isinstance(value, str) else str(value)))
    return MultiDict(pairs)


@pending.keep_on_expiry("worksheets.new")
def _complete_new(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Finish a new-entry post that arrived after the session or form expired."""
    kind = str(view_args.get("kind") or "")
    if user.role != "client":
        return url_for("main.index")
    outcome, saved = save_new(user, kind, _multidict(form))
    if outcome == "saved" and saved and saved.entry:
        return url_for("worksheets.detail", entry_id=saved.entry.id)
    if outcome == "missing":
        return url_for("worksheets.entries")
    if outcome == "invalid":
        draft = drafts.load_draft(user, drafts.draft_slot(kind))
        if draft is not None:
            draft.data = {**(draft.data or {}), "__check": "1"}
            db.session.commit()
        flash(_("We kept everything you wrote. A few answers need a second look."), "info")
    return url_for("worksheets.new", kind=kind)


def save_edit(client: User, entry: Entry, form: Any) -> tuple[str, Saved | None]:
    """Handle a post to the edit form; return (outcome, result)."""
    ws = registry.get(entry.kind)
    if ws is None:
        return "missing", None
    action = _action(form)
    slot = drafts.draft_slot(ws.key, entry.id)
    if action == "save_draft" or action.startswith("add_row:"):
        values = values_from_form(form)  # keeps every value of multi-value inputs
        if ":" in action:
            values = _add_row(ws, values, action.split(":", 1)[1])
        drafts.save_draft(client, ws.key, slot, values)
        return ("draft" if action == "save_draft" else "row"), None
    saved = svc.update_entry(entry, ws, form)
    if saved.entry is None:
        drafts.save_draft(client, ws.key, slot, form)
        return "invalid", saved
    return "saved", saved


@pending.keep_on_expiry("worksheets.edit")
def _complete_edit(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Finish an edit that arrived after the session or form expired."""
    entry_id = view_args.get("entry_id")
    entry = svc.get_entry(user, entry_id) if isinstance(entry_id, int) else None
    if entry is None or user.role != "client":
        return url_for("main.index")
    outcome, _saved = save_edit(user, entry, _multidict(form))
    if outcome == "saved":
        return url_for("worksheets.detail", entry_id=entry.id)
    if outcome == "invalid":
        draft = drafts.load_draft(user, drafts.draft_slot(entry.kind, entry.id))
        if draft is not None:
            draft.data = {**(draft.data or {}), "__check": "1"}
            db.session.commit()
        flash(_("We kept everything you wrote. A few answers need a second look."), "info")
    return url_for("worksheets.edit", entry_id=entry.id)


def form_expired(exc: CSRFError) -> Response | tuple[str, int]:
    """A worksheet post with an expired form token: keep it, sign in again, then finish it.

    A signed-in person is signed out on this device first, because the login page sends
    signed-in people away and the kept post is completed at login.
    """
    if (current_user.is_authenticated and request.endpoint in pending.HANDLERS
            and error_pages._same_origin()):
        user_id = current_user.id
        token = pending.store(request.endpoint, dict(request.view_args or {}),
                              request.form.to_dict(flat=False), user_id)
        if token is not None:
            logout_user()
            flash(_("This page had been open a long time, but what you wrote is safe. Sign in "
                    "again and we will finish saving it."), "info")
            resp = redirect(url_for("auth.login"))
            resp.set_cookie(pending.COOKIE, token,
                            max_age=int(pending.MAX_AGE.total_seconds()), httponly=True,
                            samesite="Lax", secure=request.is_secure)
            return resp
    kept = error_pages._keep_post()
    if kept is not None:
        return kept
    return render_template("errors/error.html", code=400, title=_("This page had expired"),
                           message=_("For your safety, forms expire after a while. Please go "
                                     "back, reload the page and try again.")), 400
