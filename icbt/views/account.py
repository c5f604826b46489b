"""Your account: re-entering the password, two-step verification, changing the sign-in email."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from icbt import audit
from icbt.accounts import email_change, language, throttle, twofactor, users
from icbt.db import db
from icbt.forms import ChangeEmailForm, EmptyForm, LanguageForm, ReauthForm, TotpSetupForm
from icbt.models.people import User
from icbt.views import security
from icbt.views.auth import complete_login, failed, throttled
from icbt.views.security import reauth_required

bp = Blueprint("account", __name__, url_prefix="/account")


def _ip() -> str:
    """The client's address."""
    return request.remote_addr or ""


def _me() -> User:
    """The signed-in user as a model object."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.route("")
@login_required
def index() -> str:
    """Sign-in settings: email, password, two-step verification."""
    return render_template("account/index.html", user=_me(),
                           required=twofactor.required_for(_me()),
                           codes_left=twofactor.recovery_codes_left(_me()))


@bp.route("/language", methods=["GET", "POST"])
@login_required
def choose_language() -> Response | str:
    """The language of this account's pages and emails."""
    user = _me()
    form = LanguageForm()
    form.language.choices = language.choices()
    if request.method == "GET":
        form.language.data = language.of(user)
    elif form.validate_on_submit() and language.set_language(user, form.language.data or ""):
        refresh()  # the flash below is already in the new language
        flash(_("Your language is saved."), "success")
        back = "client.settings" if user.role == "client" else "account.index"
        return redirect(url_for(back))
    return render_template("account/language.html", form=form)


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def reauth() -> Response | str:
    """Enter the password again before a sensitive change, then go back."""
    nxt = request.args.get("next")
    target = nxt if security.is_safe_next(nxt) else url_for("account.index")
    form = ReauthForm()
    if form.validate_on_submit():
        user = _me()
        key = throttle.account_key(user.email)
        verdict = throttle.check(key, _ip())
        if not verdict.allowed:
            return throttled("account/reauth.html", verdict, form=form)
        if users.verify_password(user, form.password.data or ""):
            security.mark_reauth()
            audit.record("login", actor_id=user.id, target="reauth", ip=_ip())
            db.session.commit()
            return redirect(target)
        failed(key, user, "reauth")
        form.password.errors = [_("That password is not right. Please try again.")]
    return render_template("account/reauth.html", form=form)


@bp.route("/2fa")
@login_required
def twofactor_status() -> str:
    """Two-step verification: on or off, recovery codes, and the buttons to change it."""
    user = _me()
    return render_template("account/twofactor.html", user=user, form=EmptyForm(),
                           required=twofactor.required_for(user),
                           codes_left=twofactor.recovery_codes_left(user))


def _setup_user() -> tuple[User | None, dict[str, object] | None]:
    """Whose set-up this is: a pending sign-in that must enrol, or the signed-in user."""
    state = security.pending_login()
    if state is not None and state[1].get("stage") == "enrol":
        return state
    if current_user.is_authenticated:
        return _me(), None
    return None, None


CANDIDATE_KEY = "totp_candidate"


def _candidate(user: User) -> str:
    """The secret being set up, kept in the session until a code from it is confirmed."""
    data = session.get(CANDIDATE_KEY)
    if isinstance(data, dict) and data.get("uid") == user.id and data.get("secret"):
        return str(data["secret"])
    secret = twofactor.new_secret()
    session[CANDIDATE_KEY] = {"uid": user.id, "secret": secret}
    return secret


def _qr(user: User, secret: str) -> dict[str, str]:
    """The QR code (a data: URL drawn locally) and the key in groups of four."""
    return {"qr": twofactor.qr_data_uri(twofactor.provisioning_uri(user, secret)),
            "secret": twofactor.grouped(secret)}


@bp.route("/2fa/setup", methods=["GET", "POST"])
def twofactor_setup() -> Response | str:
    """Set up an authenticator app: a QR code drawn here, the key in text, one code to confirm."""
    user, pending_state = _setup_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if pending_state is None and not security.reauth_fresh():
        return redirect(url_for("account.reauth", next=url_for("account.twofactor_setup")))
    secret = _candidate(user)
    form = TotpSetupForm()
    context = {"form": form, "forced": pending_state is not None,
               "replacing": user.totp_enabled, **_qr(user, secret)}
    if form.validate_on_submit():
        key = throttle.account_key(user.email)
        verdict = throttle.check(key, _ip())
        if not verdict.allowed:
            return throttled("account/twofactor_setup.html", verdict, **context)
        codes = twofactor.confirm_enrolment(user, secret, form.code.data or "")
        if codes is not None:
            audit.record("change", actor_id=user.id, target=f"user:{user.id}:2fa-on", ip=_ip())
            db.session.commit()
            next_url = None
            if pending_state is not None:
                next_url = pending_state.get("next")
                complete_login(user, bool(pending_state.get("remember")))
            else:
                security.sign_in(user)  # sessions from before end; this one goes on
                security.mark_reauth()
            return render_template("account/recovery_codes.html", codes=codes, first=True,
                                   next_url=next_url if security.is_safe_next(next_url) else None)
        failed(key, user, "second-step-setup")
        form.code.errors = [_("That code did not match. Check that the time on your phone is "
                              "right, then type the newest code.")]
    return render_template("account/twofactor_setup.html", **context)


@bp.route("/2fa/codes", methods=["POST"])
@login_required
@reauth_required
def recovery_codes() -> Response | str:
    """Make a new set of recovery codes (the old ones stop working)."""
    user = _me()
    if not EmptyForm().validate_on_submit() or not user.totp_enabled:
        return redirect(url_for("account.twofactor_status"))
    codes = twofactor.new_recovery_codes(user)
    audit.record("change", actor_id=user.id, target=f"user:{user.id}:recovery-codes", ip=_ip())
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes, first=False, next_url=None)


@bp.route("/2fa/disable", methods=["POST"])
@login_required
@reauth_required
def twofactor_disable() -> Response:
    """Turn two-step verification off (not allowed for roles that must use it)."""
    user = _me()
    if EmptyForm().validate_on_submit() and user.totp_enabled:
        if twofactor.required_for(user):
            flash(_("Your role needs two-step verification, so it stays on. You can set up a "
                    "new phone instead."), "info")
        else:
            twofactor.disable(user)
            audit.record("change", actor_id=user.id, target=f"user:{user.id}:2fa-off", ip=_ip())
            db.session.commit()
            security.sign_in(user)
            security.mark_reauth()
            flash(_("Two-step verification is off."), "success")
    return redirect(url_for("account.twofactor_status"))


@bp.route("/email", methods=["GET", "POST"])
@login_required
@reauth_required
def change_email() -> Response | str:
    """Ask to sign in with a new email address (confirmed by a link sent to it)."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        user = _me()
        try:
            email_change.request_change(user, form.email.data or "")
        except users.AccountError as exc:
            form.email.errors = [str(exc)]
        else:
            audit.record("change", actor_id=user.id, target=f"user:{user.id}:email-requested",
                         ip=_ip())
            db.session.commit()
            flash(_("We have sent a link to the new address. Open it to finish the change; "
                    "until then, keep signing in with your current address."), "info")
            return redirect(url_for("account.index"))
    return render_template("account/change_email.html", form=form)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response | str | tuple[str, int]:
    """Confirm a new sign-in address from the link sent to it (a button, so previews do nothing)."""
    user = email_change.pending_for_token(token)
    if user is None:
        return render_template("auth/link_expired.html", kind="email"), 404
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            user = email_change.confirm_change(token)
        except users.AccountError as exc:
            flash(str(exc), "error")
            return redirect(url_for("account.confirm_email", token=token))
        audit.record("change", actor_id=user.id, target=f"user:{user.id}:email", ip=_ip())
        db.session.commit()
        security.end_session()
        flash(_("Your sign-in address is changed. Please sign in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("account/confirm_email.html", form=form)
