"""Journey 2: the first week on a 375x812 phone. On every page: nothing scrolls sideways,
every visible control can be reached and is at least 44 px tall, and axe finds nothing."""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot

pytestmark = harness.PYTESTMARK


def invite(app: Any, therapist_id: int, name: str) -> tuple[int, str]:
    """Invite a client through the accounts service; return (id, email)."""
    from icbt.accounts import users
    from icbt.db import db
    from icbt.models.people import User

    address = steps.unique_email("client")
    with app.app_context():
        therapist = db.session.get(User, therapist_id)
        client = users.invite_client(address, name=name, therapist=therapist,
                                     invited_by=therapist)
        return client.id, address


def test_first_week_on_a_phone(phone: Any, live_app: Any, live_server: Any,
                               axe_source: str) -> None:
    visited: list[tuple[str, int]] = []

    def visit(pg: Any) -> None:
        visited.append((pg.url, steps.phone_layout(pg)))
        steps.checked(pg, axe_source)

    therapist_id, _email = steps.make_user(live_app, "therapist", name="Kim Osei")
    client_id, address = invite(live_app, therapist_id, "Ada Lovejoy")
    steps.enrol(live_app, client_id, therapist_id)
    steps.accept_invitation(phone, steps.invite_link(live_app, address), "Ada", visit)
    steps.read_week_one(phone, visit)
    steps.complete_thought_record(phone, visit)
    steps.check_in_mood(phone, visit, mood="7")
    visit(phone)  # the mood page again, with the chart's numbers shown

    assert phone.viewport_size == {"width": 375, "height": 812}
    assert len(visited) >= 9 and all(n > 0 for _url, n in visited), visited
    shot(phone, "journey-2-phone-mood")
