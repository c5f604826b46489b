"""The one authorisation policy: who may see which client's data, who may manage what.

Pure predicates over an actor and a client (no request, no database query): the
guards in icbt.views.access call them and audit the answer; nothing else decides
access. An exception inside a check denies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from icbt.models.people import User

log = logging.getLogger("icbt.access")

STAFF_ROLES = ("therapist", "admin")


def safe_check(check: Callable[[], bool]) -> bool:
    """Run a check; any exception means no."""
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - an access check that fails must deny
        log.exception("access check raised; denying")
        return False


def may_see_client(actor: Any, client: User | None) -> bool:
    """A client sees only themself; a therapist only their assigned clients; admins manage accounts."""

    def check() -> bool:
        if client is None or actor is None or not getattr(actor, "is_authenticated", False):
            return False
        if client.role != "client":
            return False
        if actor.role == "client":
            return bool(actor.id == client.id)
        if actor.role == "therapist":
            return bool(client.therapist_id == actor.id)
        return False

    return safe_check(check)


def may_manage_accounts(actor: Any) -> bool:
    """Admins manage accounts."""
    return safe_check(lambda: actor.is_authenticated and actor.role == "admin")


def may_invite(actor: Any) -> bool:
    """Therapists and admins invite clients."""
    return safe_check(lambda: actor.is_authenticated and actor.role in STAFF_ROLES)


def may_see_content(actor: Any) -> bool:
    """Designers and admins see every program and lesson (the designer pages)."""
    return safe_check(lambda: actor.is_authenticated and actor.role in ("designer", "admin"))
