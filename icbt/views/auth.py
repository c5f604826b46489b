"""Sign in (password, then the second step), sign out, invitations, password reset and change."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from icbt import audit
from icbt.accounts import pending, throttle, twofactor, users
from icbt.db import db
from icbt.forms import (
    AcceptInviteForm,
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    TotpForm,
)
from icbt.models.people import User
from icbt.privacy import notice as notices
from icbt.views import security
from icbt.views.consent import record_agreement

bp = Blueprint("auth", __name__)


def _ip() -> str:
    """The client's address (behind a proxy, set PROXY_HOPS so this is the real one)."""
    return request.remote_addr or ""


def throttled(template: str, verdict: throttle.Verdict, **context: object) -> Response:
    """Answer 429 with calm words that say nothing about whether the account exists."""
    audit.record("throttled", actor_id=None, ip=_ip(), detail=verdict.reason)
    db.session.commit()
    minutes = max(1, math.ceil(verdict.retry_after_seconds / 60))
    resp = make_response(render_template(template, throttled_minutes=minutes, **context), 429)
    resp.headers["Retry-After"] = str(verdict.retry_after_seconds)
    return resp


def failed(key: str, user: User | None, why: str) -> None:
    """Count and log a failed attempt (ids only: never the email typed)."""
    throttle.record(key, _ip(), success=False)
    audit.record("login_failed", actor_id=None, target=f"user:{user.id}" if user else "",
                 ip=_ip(), detail=why)
    db.session.commit()


def complete_login(user: User, remember: bool = False) -> None:
    """Sign the user in with a fresh session; count and log the success."""
    throttle.record(throttle.account_key(user.email), _ip(), success=True)
    security.sign_in(user, remember=remember)
    user.last_login_at = users.utcnow()
    audit.record("login", actor_id=user.id, ip=_ip())
    db.session.commit()


def finish_login(user: User, remember: bool = False, next_url: str | None = None) -> Response:
    """Sign the user in, complete any post kept while they were signed out, and go on."""
    complete_login(user, remember)
    done = pending.complete(request.cookies.get(pending.COOKIE), user)
    if done:
        flash(_("Welcome back. We saved what you sent before you were signed out."), "success")
        resp = redirect(done)
    else:
        resp = redirect(next_url if security.is_safe_next(next_url) else url_for("main.index"))
    resp.delete_cookie(pending.COOKIE)
    return resp


def after_password(user: User, remember: bool = False, next_url: str | None = None) -> Response:
    """The password was right: ask for the second step, or set it up, or sign in."""
    if user.totp_enabled:
        security.begin_pending_login(user, "verify", remember, next_url)
        return redirect(url_for("auth.login_code"))
    if twofactor.required_for(user):
        security.begin_pending_login(user, "enrol", remember, next_url)
        return redirect(url_for("account.twofactor_setup"))
    return finish_login(user, remember, next_url)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Sign in with email and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        nxt = request.args.get("next")
        if security.is_safe_next(nxt):
            session["login_next"] = nxt
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        key = throttle.account_key(email)
        verdict = throttle.check(key, _ip())
        if not verdict.allowed:
            form.password.data = ""
            return throttled("auth/login.html", verdict, form=form)
        user = users.authenticate(email, form.password.data or "")
        if user is not None and not user.disabled:
            return after_password(user, bool(form.remember.data), session.get("login_next"))
        failed(key, user or users.get_by_email(email), "disabled" if user else "password")
        form.password.errors = [_("That email and password do not match. Please try again.")]
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response | str | tuple[str, int]:
    """The second step: a code from the authenticator app, or a recovery code."""
    state = security.pending_login()
    if state is None or state[1].get("stage") != "verify":
        if current_user.is_authenticated:
            return redirect(url_for("main.index"))
        return render_template("auth/link_expired.html", kind="login")
    user, data = state
    form = TotpForm()
    if form.validate_on_submit():
        key = throttle.account_key(user.email)
        verdict = throttle.check(key, _ip())
        if not verdict.allowed:
            return throttled("auth/login_code.html", verdict, form=form)
        how = twofactor.verify_second_factor(user, form.code.data or "")
        if how is not None:
            if how == "recovery":
                flash(_("You used a recovery code. You have %(n)d left; you can make new ones "
                        "under Account.", n=twofactor.recovery_codes_left(user)), "info")
            return finish_login(user, bool(data.get("remember")), data.get("next"))
        failed(key, user, "second-step")
        if twofactor.code_just_used(user, form.code.data or ""):
            form.code.errors = [_("That code was just used, and each code works only once. "
                                  "Please wait for the next code to appear in your app "
                                  "(it changes every 30 seconds), then type that one.")]
        else:
            form.code.errors = [_("That code did not work. Codes change every 30 seconds: "
                                  "please try the newest one.")]
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out, ending this user's sessions and remember-me cookies everywhere."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        user.session_version += 1
        audit.record("logout", actor_id=user.id, ip=_ip())
        db.session.commit()
        security.end_session()
    session.clear()
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"  # Flask-Login then deletes the cookie in the browser
    flash(_("You are signed out. Take care."), "info")
    return redirect(url_for("auth.login"))


def _also_check_password(form: AcceptInviteForm, user_id: int) -> None:
    """When the box was not ticked, still say now what is wrong with the password, if anything."""
    password = form.password.data or ""
    if not password or form.password.errors or form.confirm.errors:
        return
    user = db.session.get(User, user_id)
    problem = users.password_problem(password, email=user.email, name=user.name) if user else None
    if problem:
        form.password.errors = [problem]


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> Response | str | tuple[str, int]:
    """Set a password from an invitation link, after reading and agreeing to the privacy notice."""
    found = users.find_token(token, "invite")
    if found is None:
        return render_template("auth/link_expired.html", kind="invite"), 404
    current = notices.current()
    form = AcceptInviteForm()
    if form.is_submitted() and request.form.get("notice_version") != current.version:
        form.agree.data = False  # they agreed to other words: ask again with these
        form.validate()
        form.agree.errors = [_("The privacy notice changed while you were reading it. Please "
                               "read this version and tick the box again.")]
    elif form.validate_on_submit():
        try:
            user = users.accept_invitation(token, form.password.data or "",
                                           (current.version, current.sha256))
        except users.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            record_agreement(user, current)
            resp = after_password(user)  # signing in starts a new session: flash after it
            flash(_("Your password is set. Welcome!"), "success")
            return resp
    elif form.is_submitted():
        _also_check_password(form, found.user_id)
    return render_template("auth/set_password.html", form=form, invite=True, notice=current,
                           retype=form.is_submitted())


@bp.route("/reset", methods=["GET", "POST"])
def reset_request() -> Response | str:
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        users.request_reset(form.email.data or "")
        flash(_("If an account uses that address, we have sent it a link to reset the password. "
                "It works for %(hours)d hours.", hours=2), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password from a reset link."""
    if users.find_token(token, "reset") is None:
        return render_template("auth/link_expired.html", kind="reset"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            users.reset_password(token, form.password.data or "")
        except users.AccountError as exc:
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
        key = throttle.account_key(user.email)
        verdict = throttle.check(key, _ip())
        if not verdict.allowed:
            return throttled("auth/change_password.html", verdict, form=form)
        try:
            users.change_password(user, form.current.data or "", form.password.data or "")
        except users.WrongPassword as exc:
            failed(key, user, "reauth")
            form.current.errors = [str(exc)]
        except users.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            audit.record("change", actor_id=user.id, target=f"user:{user.id}:password", ip=_ip())
            db.session.commit()
            security.sign_in(user)  # stay signed in here with the new session version
            flash(_("Your password has been changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
