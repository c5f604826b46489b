"""Changing the sign-in email: a link to the new address confirms it; the old one is told."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from icbt import i18n
from icbt.accounts.users import (
    AccountError,
    find_token,
    get_by_email,
    issue_token,
    normalise_email,
)
from icbt.db import db
from icbt.messaging import mail
from icbt.models.people import Token, User
from icbt.timeutil import utcnow


def _hours() -> int:
    """How long a confirmation link works."""
    return int(current_app.config.get("EMAIL_CHANGE_HOURS", 24))


def request_change(user: User, new_email: str) -> str:
    """Send a confirmation link to the new address; return the normalised address.

    An address that another account already uses gets no link, but the person
    hears the same words either way, so this page cannot be used to find accounts.
    """
    new = normalise_email(new_email)
    if new == user.email.lower():
        raise AccountError(_("That is already the address you sign in with."))
    if get_by_email(new) is not None:
        return new
    user.pending_email = new
    # Only the newest link works: an older one must not confirm a different address.
    db.session.execute(update(Token).where(
        Token.user_id == user.id, Token.purpose == "email", Token.used_at.is_(None)
    ).values(used_at=utcnow()))
    raw = issue_token(user, "email", timedelta(hours=_hours()))
    clinic = current_app.config["CLINIC_NAME"]
    link = mail.external_url("account.confirm_email", token=raw)
    with i18n.speaking(user.language):
        mail.queue(new, _("Confirm your new sign-in address for %(clinic)s", clinic=clinic), _(
            "Hello %(first)s,\n\nTo start signing in to %(clinic)s with this address, open this "
            "link (it works once, for %(hours)d hours):\n\n%(link)s\n\nIf you did not ask for "
            "this, you can ignore this email.\n",
            first=user.first_name, clinic=clinic, hours=_hours(), link=link,
        ), kind="email_change", user_id=user.id)
        mail.queue(user.email, _("Your sign-in address for %(clinic)s is being changed",
                                 clinic=clinic), _(
            "Hello %(first)s,\n\nSomeone signed in to your account asked to change the address "
            "you sign in with. Nothing changes until the link sent to the new address is "
            "opened.\n\nIf this was not you, please change your password and tell your "
            "clinic.\n",
            first=user.first_name,
        ), kind="email_notice", user_id=user.id)
    db.session.commit()
    return new


def pending_for_token(raw: str) -> User | None:
    """Return the user whose address change this link confirms, if it still works."""
    token = find_token(raw, "email")
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.pending_email:
        return None
    return user


def confirm_change(raw: str) -> User:
    """Switch to the new address; the link works once; every session of the person ends."""
    token = find_token(raw, "email")
    user = db.session.get(User, token.user_id) if token is not None else None
    if token is None or user is None or not user.pending_email:
        raise AccountError(_("This link has expired or was already used."))
    new = user.pending_email
    other = get_by_email(new)
    if other is not None and other.id != user.id:
        raise AccountError(_("This address cannot be used. Please choose another one."))
    token.used_at = utcnow()
    user.email = new
    user.pending_email = None
    user.session_version += 1
    db.session.commit()
    return user
