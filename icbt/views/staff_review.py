"""The therapist's review queue and the client overview's review parts.

The routes live on the `staff` blueprint: icbt/views/staff.py registers `queue` and
calls `overview_context` from its client_overview view.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from icbt.messaging import messages
from icbt.models.people import User
from icbt.review import casework, live_sessions
from icbt.review import flags as review
from icbt.review import queue as review_queue
from icbt.review.rules import KINDS
from icbt.review.words import kind_label
from icbt.timeutil import to_local
from icbt.views.access import roles_required
from icbt.views.review_forms import StatusForm


@roles_required("therapist")
def queue() -> str:
    """Who needs me and why: clients by their most severe open flag, then how long it is open."""
    kind = request.args.get("kind") or None
    if kind not in KINDS:
        kind = None
    q = review_queue.queue(current_user.id, kind=kind)
    return render_template("staff/queue.html", q=q, kind=kind, kinds=KINDS,
                           **_queue_words(current_user.timezone))


def _link(endpoint: str) -> tuple[str, str]:
    """A client URL as (before the id, after it): built once, not once per row."""
    before, _sep, after = url_for(endpoint, client_id=_SENTINEL).partition(str(_SENTINEL))
    return before, after


_SENTINEL = 987654321


def _queue_words(tz: str | None) -> dict[str, Any]:
    """What every queue row repeats, translated and built once per page (see benchmarks/).

    Each `_()` or `url_for` costs tens of microseconds; a caseload of 100 repeats a dozen
    of them per row, which was most of the page's time.
    """
    days: dict[Any, str] = {}

    def day(value: datetime | date | None) -> str:
        if value is None:
            return ""
        d = to_local(value, tz).date() if isinstance(value, datetime) else value
        if d not in days:
            days[d] = format_date(d, "d MMMM", rebase=False)
        return days[d]

    def when(value: datetime) -> str:  # risk flags: the time of the answer, too
        return format_datetime(to_local(value, tz), "EEE d MMM, HH:mm", rebase=False)

    return {
        "w": {"week": _("week %(n)d"), "homework": _("homework this week: %(d)d of %(t)d"),
              "last_active": _("last active %(day)s"), "no_activity": _("no activity yet"),
              "not_enrolled": _("Not enrolled"), "since": _("since %(day)s"),
              "more": _("and %(n)d more"), "nothing": _("Nothing needs you here right now."),
              "overview": _("Overview"), "brief": _("Session brief"),
              "messages": _("Messages")},
        "kind_labels": {k: kind_label(k) for k in KINDS},
        "day": day,
        "when": when,
        "links": {"overview": _link("staff.client_overview"),
                  "brief": _link("sessions.session_brief"),
                  "messages": _link("messages.staff_thread")},
    }


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
        "recent_messages": messages.thread(client.id, limit=5),
        "unread": messages.unread_count(client.id, current_user),
        "next_session": live_sessions.upcoming(client.id),
        "sessions": live_sessions.for_client(client.id, limit=5),
        "contacts": casework.contacts(client.id, limit=10),
        "minutes": casework.minutes_by_week(client.id, current_user, weeks=6),
        "status_form": status_form,
        "status_labels": casework.STATUS_LABELS,
        "contact_kinds": casework.CONTACT_KINDS,
        "read_only": casework.is_read_only(client),
    }
