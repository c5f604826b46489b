"""The therapist's review queue and the client overview's review parts.

The routes live on the `staff` blueprint: icbt/views/staff.py registers `queue` and
calls `overview_context` from its client_overview view.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user

from .. import casework, live_sessions, messaging, review, review_queue
from ..access import roles_required
from ..models import User
from ..review_rules import KINDS
from .review_forms import StatusForm


@roles_required("therapist")
def queue() -> str:
    """Who needs me and why: clients by their most severe open flag, then how long it is open."""
    kind = request.args.get("kind") or None
    if kind not in KINDS:
        kind = None
    q = review_queue.queue(current_user.id, kind=kind)
    return render_template("staff/queue.html", q=q, kind=kind, kinds=KINDS)


def overview_context(client: User) -> dict[str, Any]:
    """Flags (fresh), messages, sessions, contacts and minutes for one client's overview."""
    review.recompute_client(client.id)
    flags = review.history(client.id)
    status_form = StatusForm(formdata=None,
                             status=client.status if client.status in casework.SETTABLE
                             else "active")
    return {
        "open_flags": sorted((f for f in flags if f.closed_at is None),
                             key=lambda f: (-f.severity, f.opened_at)),
        "closed_flags": [f for f in flags if f.closed_at is not None][:30],
        "recent_messages": messaging.thread(client.id, limit=5),
        "unread": messaging.unread_count(client.id, current_user),
        "next_session": live_sessions.upcoming(client.id),
        "sessions": live_sessions.for_client(client.id, limit=5),
        "contacts": casework.contacts(client.id, limit=10),
        "minutes": casework.minutes_by_week(client.id, current_user, weeks=6),
        "status_form": status_form,
        "status_labels": casework.STATUS_LABELS,
        "contact_kinds": casework.CONTACT_KINDS,
        "read_only": casework.is_read_only(client),
    }
