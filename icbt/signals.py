"""Signals: a domain announces what it wrote, a package above it reacts.

`client_data_changed` is sent after a commit that changed what the review rules read
(a check-in, a questionnaire, a worksheet entry, homework, a lesson, the enrolment).
icbt.review connects its recompute to it when the app is built (icbt.review.flags),
so the writers in programs, measures and worksheets never import the review package:
the arrow points up the layers through this module instead of making a cycle.
Receivers run synchronously, in the sender's request or job, as a direct call would.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

client_changed = _signals.signal("client-data-changed")


def client_data_changed(client_id: int) -> None:
    """Tell the listeners (the review flags) that this client's data changed; call after commit."""
    client_changed.send(client_id)
