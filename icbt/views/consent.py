"""The privacy notice: read it (anyone), agree to a new version (clients), and the gate.

A signed-in client whose latest consent is not for the notice in force (a new version,
or none at all, e.g. an account made before consent was asked) is sent to the consent
page before any other page they open with a GET. The crisis pages, signing out, the
password check, an email's unsubscribe link and the "My data" pages (download,
deletion, the access log) are never held back. A form posted from a page opened earlier is still saved; the page after it
asks. The answer is remembered in the session per version, so it costs one query per
sign-in.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.accounts import consent
from icbt.db import db
from icbt.forms import EmptyForm
from icbt.privacy import notice as notices
from icbt.privacy.notice import Notice
from icbt.views.access import roles_required
from icbt.views.security import is_safe_next

bp = Blueprint("consent", __name__)

AGREED_KEY = "notice_agreed"  # the notice version this session's client has agreed to
# Pages a client who has not agreed to the current notice may still open.
EXEMPT = {"static", "main.help", "main.healthz", "auth.logout", "account.reauth",
          "account.twofactor_setup", "client.unsubscribe"}
EXEMPT_AREAS = ("consent.", "privacy.", "safety.", "crisis.", "auth.")


@bp.record_once
def _check_notice_at_start(state: BlueprintSetupState) -> None:
    """Read the notice when the app is built: a broken notice stops it at once."""
    notices.init_app(state.app)


def record_agreement(user: object, current: Notice) -> None:
    """Audit a consent the caller has just stored (ids and the version only)."""
    audit.record("create", actor_id=getattr(user, "id", None),
                 client_id=getattr(user, "id", None), target="consent",
                 ip=request.remote_addr or "", detail=f"privacy notice {current.version}")
    db.session.commit()


@bp.before_app_request
def _ask_again() -> Response | None:
    """Send a client who has not agreed to the current notice to the consent page."""
    if request.method not in ("GET", "HEAD"):
        return None
    endpoint = request.endpoint or ""
    if endpoint in EXEMPT or endpoint.startswith(EXEMPT_AREAS):
        return None
    if not current_user.is_authenticated or current_user.role != "client":
        return None
    version = notices.current().version
    if session.get(AGREED_KEY) == version:
        return None
    if consent.is_current(current_user, version):
        session[AGREED_KEY] = version
        return None
    here = request.full_path[:-1] if request.full_path.endswith("?") else request.full_path
    return redirect(url_for("consent.review", next=here if is_safe_next(here) else None))


@bp.route("/privacy-notice")
def notice() -> str:
    """The privacy notice in force, for anyone to read (before signing up, or again later)."""
    return render_template("consent/notice.html", notice=notices.current())


@bp.route("/consent", methods=["GET", "POST"])
@roles_required("client")
def review() -> Response | str:
    """The notice has changed: show the new one and ask the client to agree to it."""
    current = notices.current()
    me = current_user._get_current_object()  # type: ignore[attr-defined]
    nxt = request.values.get("next")
    target = nxt if is_safe_next(nxt) else url_for("main.index")
    form = EmptyForm()
    if form.validate_on_submit():
        if request.form.get("version") != current.version:
            flash(_("The notice changed while you were reading it. Please read this version."),
                  "info")
            return redirect(url_for("consent.review", next=nxt if is_safe_next(nxt) else None))
        if not consent.is_current(me, current.version):
            consent.record(me, current.version, current.sha256)
            record_agreement(me, current)
        session[AGREED_KEY] = current.version
        flash(_("Thank you. You can read the notice again at any time under My data."),
              "success")
        return redirect(target)
    if consent.is_current(me, current.version):
        return redirect(target)
    previous = consent.latest(me.id)
    return render_template("consent/review.html", notice=current, form=form,
                           previous=previous, next=nxt if is_safe_next(nxt) else "")
