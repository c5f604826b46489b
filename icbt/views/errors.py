"""Error pages: calm words, never a traceback; expired posts are kept, not dropped."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from icbt.accounts import pending
from icbt.db import db
from icbt.extensions import login_manager
from icbt.views.kept_form import kept_fields

log = logging.getLogger("icbt.errors")


def _same_origin() -> bool:
    """Only keep posts that came from our own pages (Origin, else Referer)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source:
        return False
    return urlsplit(source).netloc == request.host


def _keep_post() -> Response | None:
    """Store an expired post for a registered endpoint and send the person to log in."""
    if request.method != "POST" or request.endpoint not in pending.HANDLERS:
        return None
    if not _same_origin():
        return None
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        token = pending.store(request.endpoint, dict(request.view_args or {}),
                              request.form.to_dict(flat=False), user_id)
    except OperationalError:
        db.session.rollback()
        return None
    if token is None:
        return None
    flash(_("You were signed out, but what you wrote is safe. Sign in and we will finish "
            "saving it."), "info")
    resp = redirect(url_for("auth.login"))
    resp.set_cookie(pending.COOKIE, token, max_age=int(pending.MAX_AGE.total_seconds()),
                    httponly=True, samesite="Lax", secure=request.is_secure)
    return resp


def init_app(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
        kept = _keep_post()
        if kept is not None:
            return kept
        return render_template("errors/error.html", code=400, title=_("This page had expired"),
                               message=_("For your safety, forms expire after a while. Please go "
                                         "back, reload the page and try again.")), 400

    @login_manager.unauthorized_handler
    def unauthorized() -> Response:
        kept = _keep_post()
        if kept is not None:
            return kept
        target = request.full_path if request.method == "GET" else None
        if target and target.endswith("?"):
            target = target[:-1]
        return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def db_unavailable(exc: Exception) -> tuple[str, int, dict[str, str]]:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass  # the connection is gone; the rollback has nothing to undo
        orig = getattr(exc, "orig", None)
        log.error("database unavailable: %s", type(orig or exc).__name__)
        if "_login_user" not in g:
            # The user could not be loaded: render as nobody rather than fail again.
            g._login_user = login_manager.anonymous_user()
        kept = kept_fields(request.view_args or {}, request.form) \
            if request.method == "POST" else []
        return render_template("errors/unavailable.html", kept=kept), 503, {"Retry-After": "60"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        titles = {
            404: _("We could not find that page"),
            405: _("That did not work"),
            413: _("That was too much to send at once"),
            429: _("Please wait a moment"),
        }
        messages = {
            404: _("It may have moved, or you may not have access to it."),
            429: _("There have been too many attempts. Please wait a few minutes and try again."),
        }
        return render_template(
            "errors/error.html", code=code, title=titles.get(code, _("Something went wrong")),
            message=messages.get(code, _("Please go back and try again.")),
        ), code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        log.exception("unexpected error on %s", request.endpoint)
        return render_template(
            "errors/error.html", code=500, title=_("Something went wrong on our side"),
            message=_("Nothing you did caused this. Please try again in a moment."),
        ), 500
