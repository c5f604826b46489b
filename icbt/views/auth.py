"""Login, logout, invitations, password reset and change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import accounts, audit, pending
from ..db import db
from ..forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetRequestForm
from ..security import is_safe_next, start_session

bp = Blueprint("auth", __name__)


def _ip() -> str:
    return request.remote_addr or ""


def finish_login(user: accounts.User, remember: bool = False) -> Response:
    """Log the user in with a fresh session, complete any kept post, and go on."""
    next_url = session.get("login_next")
    session.clear()  # a new session at login: nothing from before carries over
    login_user(user, remember=remember)
    start_session(user)
    user.last_login_at = accounts.utcnow()
    audit.record("login", actor_id=user.id, ip=_ip())
    db.session.commit()
    done = pending.complete(request.cookies.get(pending.COOKIE), user)
    if done:
        flash(_("Welcome back. We saved what you sent before you were signed out."), "success")
        resp = redirect(done)
    else:
        resp = redirect(next_url if is_safe_next(next_url) else url_for("main.index"))
    resp.delete_cookie(pending.COOKIE)
    return resp


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Sign in with email and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        nxt = request.args.get("next")
        if is_safe_next(nxt):
            session["login_next"] = nxt
    if form.validate_on_submit():
        user = accounts.get_by_email(form.email.data or "")
        ok = user is not None and accounts.verify_password(user, form.password.data or "")
        if ok and user is not None and not user.disabled:
            return finish_login(user, remember=bool(form.remember.data))
        audit.record("login_failed", actor_id=None, ip=_ip())
        db.session.commit()
        form.password.errors = [_("That email and password do not match. Please try again.")]
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out, ending this user's sessions everywhere."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        user.session_version += 1
        audit.record("logout", actor_id=user.id, ip=_ip())
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You are signed out. Take care."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> Response | str:
    """Set a password from an invitation link."""
    if accounts.find_token(token, "invite") is None:
        return render_template("auth/link_expired.html", kind="invite"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.password.data or "")
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            flash(_("Your password is set. Welcome!"), "success")
            return finish_login(user)
    return render_template("auth/set_password.html", form=form, invite=True)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request() -> Response | str:
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_reset(form.email.data or "")
        flash(_("If an account uses that address, we have sent it a link to reset the password. "
                "It works for %(hours)d hours.", hours=2), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    """Choose a new password from a reset link."""
    if accounts.find_token(token, "reset") is None:
        return render_template("auth/link_expired.html", kind="reset"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data or "")
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            flash(_("Your password has been changed. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, invite=False)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    """Change your password; your other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        try:
            accounts.change_password(user, form.current.data or "", form.password.data or "")
        except accounts.AccountError as exc:
            target = form.current if "current" in str(exc) else form.password
            target.errors = [str(exc)]
        else:
            login_user(user)  # stay signed in here with the new session version
            start_session(user)
            flash(_("Your password has been changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
