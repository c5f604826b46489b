"""The "Need help now?" button: crisis resources at once, and the urgent signal to the therapist."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from icbt.accounts import policy
from icbt.db import db
from icbt.extensions import csrf
from icbt.measures import safety
from icbt.views import crisis

bp = Blueprint("safety", __name__)
log = logging.getLogger("icbt.safety")


def _genuine() -> bool:
    """A valid CSRF token, or (the token expired on a page left open) a same-origin post."""
    try:
        validate_csrf(request.form.get("csrf_token"))
        return True
    except (ValidationError, CSRFError):
        source = request.headers.get("Origin") or request.headers.get("Referer") or ""
        return bool(source) and urlsplit(source).netloc == request.host


@bp.route("/help-now", methods=["POST"])
@csrf.exempt
def help_now() -> str:
    """Always show the crisis page; for a signed-in client, also raise the urgent signal.

    Exempt from the automatic CSRF check on purpose: an expired token or session must
    never stand between a person in crisis and the phone numbers. The request is still
    checked here (token or same origin) before a signal is raised.
    """
    raised = failed = False
    if policy.may_see_client(current_user, current_user):  # a signed-in client, for themself
        if not _genuine():
            log.info("help-now post from another origin; no signal raised")
            failed = True
        else:
            try:
                safety.raise_risk(current_user, "help_now", {"button": "help_now"})
                db.session.commit()
                raised = True
            except Exception:  # noqa: BLE001 - the crisis page must show whatever happens
                db.session.rollback()
                log.exception("could not store the help-now signal")
                failed = True
    return render_template("safety/help_now.html",
                           **crisis.page_context(current_app.config), reason="button",
                           raised=raised, failed=failed,
                           signed_out=not current_user.is_authenticated, next_url=None)
