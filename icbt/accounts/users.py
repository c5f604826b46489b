"""Users, invitations, password resets and passwords (services: no request, own the commit)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, select

from icbt import i18n
from icbt.accounts import consent
from icbt.db import db
from icbt.messaging import mail
from icbt.models.people import ROLES, Token, User
from icbt.timeutil import utcnow

_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# The test suite signs in hundreds of times; with TESTING and PASSWORD_HASH_CHEAP both on
# it may use argon2's cheapest parameters (still Argon2id). Never honoured otherwise.
_cheap_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _h() -> PasswordHasher:
    """The password hasher for this app (Argon2id, RFC 9106 low-memory profile)."""
    if has_app_context() and current_app.config.get("TESTING") and current_app.config.get(
            "PASSWORD_HASH_CHEAP"):
        return _cheap_hasher
    return _hasher


class AccountError(ValueError):
    """A problem a person can fix; the message is safe to show."""


class WrongPassword(AccountError):
    """The current password given to confirm a change was not right."""


def normalise_email(raw: str) -> str:
    """Validate an address and return it lower-cased; raise AccountError when it is not one."""
    try:
        info = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(_("That does not look like an email address.")) from exc
    return info.normalized.lower()


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _h().hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check a password, upgrading the hash when the parameters changed."""
    if not user.password_hash:
        _h().hash(password)  # spend the same time as a real check
        return False
    try:
        _h().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _h().check_needs_rehash(user.password_hash):
        user.password_hash = _h().hash(password)
    return True


def authenticate(email: str, password: str) -> User | None:
    """Return the user for a right email and password, else None (same work either way)."""
    user = get_by_email(email) if email and "@" in email else None
    if user is None:
        _h().hash(password or "")  # spend the same time, so the answer's speed reveals nothing
        return None
    if not verify_password(user, password or ""):
        return None
    return user


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords, lower-cased."""
    text = resources.files("icbt").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password, or None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)d characters. A few unrelated words work well.", n=minimum)
    if len(password) > 256:
        return _("Use at most 256 characters.")
    lowered = password.lower()
    # "Password2024!" is as guessable as "password": compare the core without the digits
    # and symbols people add at the ends.
    core = _ENDS.sub("", lowered)
    common = _common_passwords()
    if lowered in common or core in common or len(set(lowered)) < 4:
        return _("This password is too common or easy to guess. Try a few unrelated words.")
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (
        name and len(name) >= 4 and name.lower() in lowered
    ):
        return _("Please do not use your name or email address in your password.")
    return None


def get_by_email(email: str) -> User | None:
    """Find a user by email, case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    email: str,
    role: str,
    *,
    name: str = "",
    password: str | None = None,
    therapist: User | None = None,
    timezone: str | None = None,
    language: str | None = None,
    check_password: bool = True,
) -> User:
    """Create a user; raise AccountError for an unknown role, a duplicate or a weak password."""
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s: use one of %(roles)s.", role=role,
                             roles=", ".join(ROLES)))
    email = normalise_email(email)
    if get_by_email(email) is not None:
        raise AccountError(_("An account with that email address already exists."))
    if therapist is not None and therapist.role != "therapist":
        raise AccountError(_("%(email)s is not a therapist.", email=therapist.email))
    if password is not None and check_password:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise AccountError(problem)
    user = User(
        email=email, role=role, name=name.strip()[:120],
        password_hash=hash_password(password) if password else None,
        therapist_id=therapist.id if therapist else None,
        status="active" if password else "invited",
        timezone=timezone or current_app.config["DEFAULT_TIMEZONE"],
        language=i18n.normalise(language) if language in i18n.languages() else None,
        unsubscribe_token=secrets.token_urlsafe(24),
    )
    db.session.add(user)
    db.session.commit()
    return user


def assign_therapist(client: User, therapist: User) -> None:
    """Make therapist the client's primary therapist (access follows at once)."""
    if client.role != "client":
        raise AccountError(_("%(email)s is not a client.", email=client.email))
    if therapist.role != "therapist":
        raise AccountError(_("%(email)s is not a therapist.", email=therapist.email))
    client.therapist_id = therapist.id
    db.session.commit()


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: str, lifetime: timedelta) -> str:
    """Create a one-time token and return the raw value (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    db.session.add(Token(purpose=purpose, token_hash=_token_hash(raw), user_id=user.id,
                         expires_at=utcnow() + lifetime))
    return raw


def find_token(raw: str, purpose: str) -> Token | None:
    """Return a usable (unused, unexpired) token of this purpose, or None."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(Token).where(Token.token_hash == _token_hash(raw)))
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= utcnow():
        return None
    return token


def invite_client(
    email: str, *, name: str, therapist: User, invited_by: User, timezone: str | None = None,
    language: str | None = None,
) -> User:
    """Create an invited client and queue the invitation email, in the client's language."""
    client = create_user(email, "client", name=name, therapist=therapist, timezone=timezone,
                         language=language)
    raw = issue_token(client, "invite", timedelta(days=current_app.config["INVITE_DAYS"]))
    link = mail.external_url("auth.accept_invite", token=raw)
    clinic = current_app.config["CLINIC_NAME"]
    with i18n.speaking(client.language):
        body = _(
            "Hello %(first)s,\n\nYou have been invited to %(clinic)s, an online programme your "
            "therapist will guide you through.\n\nTo set your password and start, open this "
            "link (it works once and for %(days)d days):\n\n%(link)s\n\nIf you did not expect "
            "this email, you can ignore it.\n",
            first=client.first_name, clinic=clinic, days=current_app.config["INVITE_DAYS"],
            link=link,
        )
        subject = _("Your invitation to %(clinic)s", clinic=clinic)
    mail.queue(client.email, subject, body, kind="invite", user_id=client.id)
    db.session.commit()
    return client


def _password_from_token(raw: str, purpose: str, expired: str, password: str,
                         notice: tuple[str, str] | None = None) -> User:
    """Set a password from a one-time token (used once), with any consent; other sessions end."""
    token = find_token(raw, purpose)
    if token is None:
        raise AccountError(expired)
    user = db.session.get(User, token.user_id)
    assert user is not None
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    token.used_at = utcnow()
    user.password_hash = hash_password(password)
    if purpose == "invite" and user.status == "invited":
        user.status = "active"
    user.session_version += 1
    if notice is not None:  # in the same commit: no account without its consent
        consent.add(user, *notice)
    db.session.commit()
    return user


def accept_invitation(raw: str, password: str, notice: tuple[str, str] | None = None) -> User:
    """Set the password from an invitation token (works once); record the (version, sha256)
    of the privacy notice the client agreed to."""
    return _password_from_token(
        raw, "invite", _("This invitation link has expired or was already used."), password,
        notice)


def request_reset(email: str) -> None:
    """Queue a reset link if the account exists; say nothing either way."""
    try:
        email = normalise_email(email)
    except AccountError:
        return
    user = get_by_email(email)
    if user is None or user.disabled:
        return
    raw = issue_token(user, "reset", timedelta(hours=current_app.config["RESET_HOURS"]))
    link = mail.external_url("auth.reset_password", token=raw)
    with i18n.speaking(user.language):
        body = _(
            "Hello %(first)s,\n\nSomeone (hopefully you) asked to reset your password. Open "
            "this link to choose a new one. It works once, for %(hours)d hours:\n\n%(link)s\n\n"
            "If you did not ask for this, you can ignore this email: your password has not "
            "changed.\n",
            first=user.first_name, hours=current_app.config["RESET_HOURS"], link=link,
        )
        subject = _("Reset your password")
    mail.queue(user.email, subject, body, kind="reset", user_id=user.id)
    db.session.commit()


def reset_password(raw: str, password: str) -> User:
    """Set a new password from a reset token; the token works once; other sessions end."""
    return _password_from_token(
        raw, "reset", _("This reset link has expired or was already used."), password)


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions end."""
    if not verify_password(user, current):
        raise WrongPassword(_("Your current password is not right."))
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.commit()


def set_disabled(user: User, disabled: bool) -> None:
    """Disable or enable an account; disabling ends every session at once."""
    user.disabled = disabled
    user.session_version += 1
    db.session.commit()
