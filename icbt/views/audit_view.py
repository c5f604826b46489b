"""The admins' audit search page (routed as `admin.audit` in admin.py).

The search form is posted (so email addresses never travel in a URL) and
answered with a redirect to a GET whose query holds account numbers only; the
GET shows the results and pages through them.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.privacy import audit_search
from icbt.views.data_forms import AuditSearchForm


def _filter(form: AuditSearchForm) -> audit_search.AuditFilter | None:
    """Turn a valid form into a filter, or set field errors and return None."""
    actor_id = audit_search.resolve_person(form.actor.data or "")
    client_id = audit_search.resolve_person(form.client.data or "")
    if actor_id == -1:
        form.actor.errors = [_("No account has that email address.")]
    if client_id == -1:
        form.client.errors = [_("No account has that email address.")]
    if form.since.data and form.until.data and form.since.data > form.until.data:
        form.until.errors = [_("This date is before the first one.")]
    if form.actor.errors or form.client.errors or form.until.errors:
        return None
    return audit_search.AuditFilter(actor_id=actor_id, client_id=client_id,
                                    action=form.action.data or None,
                                    since=form.since.data, until=form.until.data)


def _query(f: audit_search.AuditFilter) -> dict[str, Any]:
    """The GET arguments for a filter: ids and dates only."""
    values = {"actor": f.actor_id, "client": f.client_id, "action": f.action,
              "since": f.since.isoformat() if f.since else None,
              "until": f.until.isoformat() if f.until else None}
    return {k: v for k, v in values.items() if v not in (None, "")}


def audit_page() -> Response | str:
    """Search the audit log by actor, client, action and dates; one page at a time."""
    if request.method == "POST":
        form = AuditSearchForm()
        if form.validate_on_submit():
            filt = _filter(form)
            if filt is not None:
                return redirect(url_for("admin.audit", **_query(filt)))
        return render_template("admin/audit.html", form=form, result=None, args={})
    form = AuditSearchForm(request.args, meta={"csrf": False})
    result = None
    filt = _filter(form) if form.validate() else None
    if filt is not None:
        if "@" in (form.actor.data or "") + (form.client.data or ""):
            return redirect(url_for("admin.audit", **_query(filt)))  # keep emails out of URLs
        # Reading the audit log is itself recorded (ids only). Commit before the
        # search: a commit afterwards would expire the rows and reload each one.
        audit.record("view", actor_id=current_user.id, client_id=filt.client_id,
                     target="audit_log", ip=request.remote_addr or "")
        db.session.commit()
        page = request.args.get("page", 1, type=int) or 1
        result = audit_search.search(filt, page=page)
    return render_template("admin/audit.html", form=form, result=result, args=_query(filt)
                           if filt else {})
