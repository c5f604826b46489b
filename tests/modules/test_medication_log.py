"""Medication log: off until switched on; records doses and side effects; never advises."""

from __future__ import annotations

from conftest import csrf_from, login_as
from hypothesis import HealthCheck, given, settings
from ws_helpers import HOSTILE, fill, hostile_form, latest_entry, new_client, post_hostile, summary

ANSWERS = {
    "day": "2026-03-01", "taken-0-medicine": "Sertraline", "taken-0-amount": "50 mg",
    "taken-0-time": "08:00", "missed": "", "side_effects-0-effect": "Nausea",
    "side_effects-0-strength": "4", "prescriber_note": "Ask if I can take it with food.",
}


def test_off_until_switched_on_by_the_therapist(app, make_user) -> None:
    from icbt.db import db
    from icbt.models.people import User

    user, c = new_client(app, make_user)
    assert c.get("/worksheets/new/medication_log").status_code == 404
    assert "/worksheets/new/medication_log" not in c.get("/worksheets/").get_data(as_text=True)
    with app.app_context():
        therapist = db.session.get(User, user.therapist_id)
        db.session.expunge(therapist)
    t = login_as(app, therapist)
    page = t.get(f"/worksheets/staff/clients/{user.id}/entries").get_data(as_text=True)
    resp = t.post(f"/worksheets/staff/clients/{user.id}/medication-log",
                  data={"on": "1", "csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    assert c.get("/worksheets/new/medication_log").status_code == 200
    assert "/worksheets/new/medication_log" in c.get("/worksheets/").get_data(as_text=True)
    with app.app_context():
        from icbt.models.records import AuditEvent

        events = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.target == "medication_log", AuditEvent.action == "change")).all()
        assert [e.detail for e in events] == ["on"]


def test_medication_log_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user, prefs={"medication_log": True})
    page = c.get("/worksheets/new/medication_log").get_data(as_text=True)
    assert "does not give medical advice" in page
    resp = fill(c, "medication_log", ANSWERS)
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["taken"] == [{"medicine": "Sertraline", "amount": "50 mg", "time": "08:00"}]
    assert entry.data["side_effects"] == [{"effect": "Nausea", "strength": 4}]
    assert summary(app, entry) == ("2026-03-01: Sertraline 50 mg 08:00 · side effects: Nausea "
                                   "4/10 · note for prescriber: “Ask if I can take it with "
                                   "food.”")


def test_a_program_can_switch_it_on() -> None:
    from icbt.modules.medication_log import MedicationLog

    ws = MedicationLog()
    assert not ws.enabled_for({}, {})
    assert ws.enabled_for({}, {"medication_log": {"enabled": True}})
    assert ws.enabled_for({"medication_log": True}, {})
    assert not ws.enabled_for({}, {"medication_log": "yes please"})


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["taken-count", "side_effects-count"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "medication_log", data, prefs={"medication_log": True})
