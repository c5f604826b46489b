"""The front door: send each role to its home, and the crisis help page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from icbt.views import crisis

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {
    "client": "client.home",
    "therapist": "staff.queue",
    "designer": "designer.index",
    "admin": "admin.users",
}


@bp.route("/")
@login_required
def index() -> Response:
    """Send each person to their own home page."""
    endpoint = HOME_BY_ROLE.get(current_user.role, "main.help")
    if endpoint not in current_app.view_functions:
        endpoint = {"client.home": "main.help", "staff.queue": "staff.clients",
                    "designer.index": "main.help"}.get(endpoint, "main.help")
    return redirect(url_for(endpoint))


@bp.route("/help")
def help() -> str:
    """Crisis resources: open to everyone, signed in or not."""
    return render_template("help.html", **crisis.page_context(current_app.config))


@bp.route("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """Liveness probe for load balancers (no data)."""
    return "ok", 200, {"Content-Type": "text/plain"}


# The icon is the same for everyone and holds nothing personal: browsers may keep it a month.
FAVICON_MAX_AGE = 30 * 24 * 3600


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Our own small icon (static/favicon.ico, drawn by tools/make_favicon.py), signed in or not."""
    response = current_app.send_static_file("favicon.ico")
    response.cache_control.no_cache = None  # send_static_file's default: ask every time
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return response
