"""The safety path: the urgent risk signal and the therapist's "needs your attention" email.

`raise_risk` only adds rows to the caller's session (flag + outbox email) and never
commits, so the signal is stored in the same transaction as the answer that raised it:
whatever fails after that commit, the signal is already there. The email is a separate
outbox row delivered later; the flag never depends on it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from icbt import i18n
from icbt.db import db
from icbt.messaging import mail
from icbt.messaging.mail import external_url
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.timeutil import local_midnight_utc, local_today, utcnow

log = logging.getLogger("icbt.safety")

RISK_KIND = "risk"
RISK_SEVERITY = 4  # urgent
SOURCES = ("phq9_item9", "help_now")
# Where the email sends the therapist: the queue shows risk flags first.
LINK_ENDPOINTS = ("staff.queue", "staff.clients")


def raise_risk(client: User, source: str, evidence: dict[str, Any]) -> Flag:
    """Add an open urgent risk flag and queue the therapist email, in the caller's transaction.

    Idempotent per source and client-local day while the flag is open: a second press of
    "Need help now?" the same day adds to the evidence of the open flag instead of opening
    another (after a therapist closed it, a new signal opens a new flag).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown risk source {source!r}")
    today = local_today(client.timezone)
    since = local_midnight_utc(today, client.timezone)
    existing = db.session.scalar(
        select(Flag).where(
            Flag.client_id == client.id, Flag.kind == RISK_KIND, Flag.source == source,
            Flag.closed_at.is_(None), Flag.opened_at >= since,
        ).order_by(Flag.id.desc()).limit(1)
    )
    if existing is not None:
        merged = dict(existing.evidence or {})
        merged["times"] = int(merged.get("times", 1)) + 1
        merged["last_at"] = utcnow().isoformat(timespec="seconds")
        for key, value in evidence.items():
            if key == "answer" and isinstance(value, int):
                merged[key] = max(value, int(merged.get(key) or 0))
            else:
                merged.setdefault(key, value)
        existing.evidence = merged  # a new dict, so the JSON column is written
        db.session.flush()
        return existing
    flag = Flag(
        client_id=client.id, kind=RISK_KIND, severity=RISK_SEVERITY, source=source,
        evidence={**evidence, "day": today.isoformat(), "times": 1}, opened_at=utcnow(),
    )
    db.session.add(flag)
    db.session.flush()
    try:
        with db.session.begin_nested():  # a failure here rolls back the email, not the flag
            _queue_email(client, flag)
    except Exception:  # noqa: BLE001 - the flag must never depend on the email
        log.exception("could not queue the risk email for flag %s", flag.id)
    # Ids only in logs: never names or answers.
    log.warning("risk flag %s raised for client %s (%s)", flag.id, client.id, source)
    return flag


def _recipients(client: User) -> list[User]:
    """The assigned therapist, or every active admin when there is none (never nobody)."""
    therapist = client.therapist
    if therapist is not None and not therapist.disabled:
        return [therapist]
    return list(db.session.scalars(
        select(User).where(User.role == "admin", User.disabled.is_(False)).order_by(User.id)
    ))


def _link() -> str:
    """An absolute link to the therapist's queue (no client id, no personal data)."""
    for endpoint in LINK_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return external_url(endpoint)
    return external_url("main.index")


def _queue_email(client: User, flag: Flag) -> None:
    """Queue "a client needs your attention" to each recipient: no name, no content."""
    link = _link()
    for person in _recipients(client):
        with i18n.speaking(person.language):
            body = _(
                "Hello %(first)s,\n\nA client needs your attention. Please sign in to see who "
                "and why:\n\n%(link)s\n\nFor privacy, this email contains no details.\n",
                first=person.first_name, link=link,
            )
            subject = _("A client needs your attention")
        mail.queue(person.email, subject, body, kind="risk",
                   dedupe_key=f"risk-flag:{flag.id}:to:{person.id}", user_id=person.id)


def open_risk_flags(client_id: int) -> list[Flag]:
    """The client's open risk flags, newest first."""
    return list(db.session.scalars(
        select(Flag).where(Flag.client_id == client_id, Flag.kind == RISK_KIND,
                           Flag.closed_at.is_(None)).order_by(Flag.opened_at.desc())
    ))
