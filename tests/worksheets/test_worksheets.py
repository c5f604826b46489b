"""Entries and drafts: nothing lost (expired session, expired form, double tap), drafts, trash."""

from __future__ import annotations

import re
from datetime import datetime

from conftest import PASSWORD, AuthActions, csrf_from, login_as

from icbt.db import db
from icbt.models.care import Draft, Entry
from icbt.models.people import User

ORIGIN = {"Origin": "http://localhost"}
WORDS = {"title": "Late night", "text": "Couldn't sleep. Wrote this at 2 am — every word matters. 🌙",
         "mood": "3", "tags": "sleep, worry"}


def _client(app, make_user, **extra):  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    user = make_user("client", therapist=therapist, **extra)
    return user, login_as(app, user)


KEY_RE = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')


def _form(c, url="/worksheets/new/journal"):  # type: ignore[no-untyped-def]
    """The hidden fields of a freshly opened worksheet form."""
    html = c.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_from(html), "submission_key": KEY_RE.search(html).group(1)}


def _entries(app, user, deleted=None):  # type: ignore[no-untyped-def]
    with app.app_context():
        q = db.select(Entry).where(Entry.client_id == user.id)
        rows = db.session.scalars(q).all()
        for r in rows:
            db.session.expunge(r)
        if deleted is None:
            return rows
        return [r for r in rows if (r.deleted_at is not None) == deleted]


def test_post_after_session_expired_is_completed_after_login(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c)
    with app.app_context():  # signed out everywhere (e.g. from another device) while typing
        db.session.get(User, user.id).session_version += 1
        db.session.commit()
    resp = c.post("/worksheets/new/journal", data={**hidden, **WORDS, "action": "submit"},
                  headers=ORIGIN)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert _entries(app, user) == []
    resp = AuthActions(c).login(user.email, PASSWORD)
    assert resp.status_code == 302 and "/worksheets/entries/" in resp.headers["Location"]
    [entry] = _entries(app, user)
    assert entry.data["text"] == WORDS["text"] and entry.data["title"] == "Late night"
    assert entry.data["tags"] == ["sleep", "worry"] and entry.data["mood"] == 3


def test_post_without_any_session_cookie_is_kept(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c)
    fresh = app.test_client()  # the session cookie is gone
    resp = fresh.post("/worksheets/new/journal", data={**hidden, **WORDS, "action": "submit"},
                      headers=ORIGIN)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    AuthActions(fresh).login(user.email, PASSWORD)
    [entry] = _entries(app, user)
    assert entry.data["text"] == WORDS["text"]


def test_post_with_expired_form_token_while_signed_in_is_completed(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c)
    resp = c.post("/worksheets/new/journal", data={**hidden, **WORDS, "csrf_token": "stale.token",
                                                    "action": "submit"}, headers=ORIGIN)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert _entries(app, user) == []
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "what you wrote is safe" in page
    resp = AuthActions(c).login(user.email, PASSWORD)
    assert "/worksheets/entries/" in resp.headers["Location"]
    [entry] = _entries(app, user)
    assert entry.data["text"] == WORDS["text"]


def test_cross_site_post_with_bad_token_is_not_kept(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c)
    resp = c.post("/worksheets/new/journal", data={**hidden, **WORDS, "csrf_token": "x"},
                  headers={"Origin": "https://evil.example"})
    assert resp.status_code == 400
    AuthActions(c).login(user.email, PASSWORD)
    assert _entries(app, user) == []


def test_kept_post_with_mistakes_becomes_a_draft_with_messages(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c)
    with app.app_context():
        db.session.get(User, user.id).session_version += 1
        db.session.commit()
    c.post("/worksheets/new/journal", data={**hidden, **WORDS, "mood": "42", "action": "submit"},
           headers=ORIGIN)
    resp = AuthActions(c).login(user.email, PASSWORD)
    assert resp.headers["Location"].endswith("/worksheets/new/journal")
    page = c.get("/worksheets/new/journal").get_data(as_text=True)
    assert "Please choose a whole number from 0 to 10." in page
    assert "every word matters" in page and _entries(app, user) == []


def test_edit_after_session_expired_is_completed(app, make_user) -> None:
    user, c = _client(app, make_user)
    resp = c.post("/worksheets/new/journal", data={**_form(c), **WORDS, "action": "submit"})
    [entry] = _entries(app, user)
    hidden = {"csrf_token": csrf_from(c.get(f"/worksheets/entries/{entry.id}/edit")
                                      .get_data(as_text=True))}
    with app.app_context():
        db.session.get(User, user.id).session_version += 1
        db.session.commit()
    c.post(f"/worksheets/entries/{entry.id}/edit",
           data={**hidden, **WORDS, "text": "Changed after all.", "action": "submit"}, headers=ORIGIN)
    AuthActions(c).login(user.email, PASSWORD)
    [entry] = _entries(app, user)
    assert entry.data["text"] == "Changed after all."
    assert resp.status_code == 302


def test_double_submission_makes_one_entry(app, make_user) -> None:
    user, c = _client(app, make_user)
    form = {**_form(c), **WORDS, "action": "submit"}
    first = c.post("/worksheets/new/journal", data=form)
    second = c.post("/worksheets/new/journal", data=form)  # double tap, or a retry
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_entries(app, user)) == 1
    # Another client cannot hit that entry with the same key.
    other, c2 = _client(app, make_user)
    c2.post("/worksheets/new/journal", data={**form, "csrf_token": _form(c2)["csrf_token"]})
    assert len(_entries(app, other)) == 1 and len(_entries(app, user)) == 1


def test_save_draft_without_javascript_then_resume(app, make_user) -> None:
    user, c = _client(app, make_user)
    resp = c.post("/worksheets/new/journal",
                  data={**_form(c), "text": "Half a thought", "action": "save_draft"})
    assert resp.status_code == 302
    page = c.get("/worksheets/new/journal").get_data(as_text=True)
    assert "Half a thought</textarea>" in page and "We kept what you wrote" in page
    assert _entries(app, user) == []
    c.post("/worksheets/new/journal", data={**_form(c), "text": "Half a thought, finished",
                                            "action": "submit"})
    with app.app_context():
        assert db.session.scalars(db.select(Draft).where(Draft.client_id == user.id)).all() == []


def test_autosave_keeps_typing_and_discard_clears_it(app, make_user) -> None:
    user, c = _client(app, make_user)
    hidden = _form(c, "/worksheets/new/thought_record")
    resp = c.post("/worksheets/drafts/thought_record",
                  data={**hidden, "what": "At the bus stop", "emotions-0-name": "Anxious"})
    assert resp.status_code == 200 and resp.get_json()["saved"] is True
    resp = c.post("/worksheets/drafts/thought_record",
                  data={**hidden, "what": "At the bus stop, raining"})
    page = c.get("/worksheets/new/thought_record").get_data(as_text=True)
    assert 'value="At the bus stop, raining"' not in page  # a textarea, not an input
    assert ">At the bus stop, raining</textarea>" in page
    assert "/worksheets/new/thought_record" in c.get("/worksheets/").get_data(as_text=True)
    c.post("/worksheets/drafts/thought_record/discard", data={"csrf_token": hidden["csrf_token"]})
    assert "At the bus stop" not in c.get("/worksheets/new/thought_record").get_data(as_text=True)
    assert c.post("/worksheets/drafts/nonsense", data=hidden).status_code == 404
    assert c.post("/worksheets/drafts/thought_record",
                  data={**hidden, "text": "x" * 19_000, **{f"k{i}": "y" * 19_000 for i in range(12)}}
                  ).status_code == 413


def test_edit_drafts_are_separate_from_new_ones(app, make_user) -> None:
    user, c = _client(app, make_user)
    c.post("/worksheets/new/journal", data={**_form(c), **WORDS, "action": "submit"})
    [entry] = _entries(app, user)
    hidden = {"csrf_token": csrf_from(c.get("/worksheets/").get_data(as_text=True))}
    c.post("/worksheets/drafts/journal", data={**hidden, "entry_id": str(entry.id), "text": "Edit draft"})
    assert ">Edit draft</textarea>" in c.get(f"/worksheets/entries/{entry.id}/edit").get_data(as_text=True)
    assert "Edit draft" not in c.get("/worksheets/new/journal").get_data(as_text=True)
    [entry] = _entries(app, user)
    assert entry.data["text"] == WORDS["text"]  # a draft never changes the saved entry


def test_trash_restore_and_purge_after_30_days(app, make_user, clock) -> None:
    from icbt.worksheets import entries as svc

    user, c = _client(app, make_user)
    for text in ("keep me", "restore me", "purge me"):
        c.post("/worksheets/new/journal", data={**_form(c), "text": text, "action": "submit"})
    ids = {e.data["text"]: e.id for e in _entries(app, user)}
    token = csrf_from(c.get("/worksheets/").get_data(as_text=True))
    for text in ("restore me", "purge me"):
        resp = c.post(f"/worksheets/entries/{ids[text]}/delete", data={"csrf_token": token})
        assert resp.status_code == 302
    listing = c.get("/worksheets/").get_data(as_text=True)
    assert "keep me" in listing and "purge me" not in listing
    assert "restore me" in c.get("/worksheets/trash").get_data(as_text=True)
    assert c.get(f"/worksheets/entries/{ids['purge me']}").status_code == 404
    clock.advance(days=29)
    c = login_as(app, user)
    token = csrf_from(c.get("/worksheets/trash").get_data(as_text=True))
    resp = c.post(f"/worksheets/trash/{ids['restore me']}/restore", data={"csrf_token": token})
    assert resp.headers["Location"].endswith(f"/worksheets/entries/{ids['restore me']}")
    with app.app_context():
        assert svc.purge_deleted() == 0  # 29 days: still restorable
    clock.advance(days=1, seconds=1)
    c = login_as(app, user)
    token = csrf_from(c.get("/worksheets/trash").get_data(as_text=True))
    resp = c.post(f"/worksheets/trash/{ids['purge me']}/restore", data={"csrf_token": token})
    assert resp.headers["Location"].endswith("/worksheets/trash")  # too late to restore
    with app.app_context():
        assert svc.purge_deleted() == 1
    assert sorted(e.data["text"] for e in _entries(app, user)) == ["keep me", "restore me"]


def test_list_filters_by_type_and_date(app, make_user, clock) -> None:
    clock.set(datetime(2026, 3, 1, 12))
    user, c = _client(app, make_user)
    c.post("/worksheets/new/journal", data={**_form(c), "text": "March first", "action": "submit"})
    clock.set(datetime(2026, 3, 5, 12))
    c = login_as(app, user)
    c.post("/worksheets/new/journal", data={**_form(c), "text": "March fifth", "action": "submit"})
    c.post("/worksheets/new/check_the_facts", data={**_form(c, "/worksheets/new/check_the_facts"),
                                                   "emotion": "Fear", "action": "submit"})
    page = c.get("/worksheets/?kind=journal&start=2026-03-02&end=2026-03-31").get_data(as_text=True)
    assert "March fifth" in page and "March first" not in page and "Fear" not in page
    page = c.get("/worksheets/?kind=check_the_facts").get_data(as_text=True)
    assert "Fear" in page and "March" not in page
    for query in ("start=2026-02-30", "kind[]=x&start=" + "9" * 500, "page=-4", "page=abc",
                  "kind=%00"):
        assert c.get(f"/worksheets/?{query}").status_code == 200


def test_homework_link_only_for_the_clients_own_homework(app, make_user) -> None:
    from icbt.programs import controls

    user, c = _client(app, make_user)
    other, _c2 = _client(app, make_user)
    with app.app_context():
        mine = controls.add_homework(db.session.get(User, user.id),
                                     actor=db.session.get(User, user.therapist_id),
                                     worksheet="journal", instruction="Write on three days")
        theirs = controls.add_homework(db.session.get(User, other.id),
                                       actor=db.session.get(User, other.therapist_id),
                                       worksheet="journal")
        ids = (mine.id, theirs.id)
    page = c.get(f"/worksheets/new/journal?homework={ids[0]}").get_data(as_text=True)
    assert "This counts towards your homework." in page and "Write on three days" in page
    c.post("/worksheets/new/journal", data={**_form(c, f"/worksheets/new/journal?homework={ids[0]}"),
                                            "homework": str(ids[0]), "text": "one", "action": "submit"})
    c.post("/worksheets/new/journal", data={**_form(c), "homework": str(ids[1]), "text": "two",
                                            "action": "submit"})
    c.post("/worksheets/new/journal", data={**_form(c), "homework": "1e99", "text": "three",
                                            "action": "submit"})
    links = {e.data["text"]: e.homework_id for e in _entries(app, user)}
    assert links == {"one": ids[0], "two": None, "three": None}


def test_therapist_reads_entries_audited_and_replies_show_to_the_client(app, make_user) -> None:
    from icbt.models.care import Message
    from icbt.models.records import AuditEvent

    user, c = _client(app, make_user)
    c.post("/worksheets/new/journal", data={**_form(c), **WORDS, "action": "submit"})
    [entry] = _entries(app, user)
    with app.app_context():
        therapist = db.session.get(User, user.therapist_id)
        db.session.add(Message(client_id=user.id, sender_id=therapist.id, entry_id=entry.id,
                               body="Thank you for writing this down. Let's talk on Tuesday."))
        db.session.commit()
        db.session.refresh(therapist)
        db.session.expunge(therapist)
    t = login_as(app, therapist)
    page = t.get(f"/worksheets/staff/clients/{user.id}/entries/{entry.id}").get_data(as_text=True)
    assert "every word matters" in page and "mood 3/10" in page
    with app.app_context():
        assert db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.actor_id == therapist.id, AuditEvent.client_id == user.id,
            AuditEvent.action == "view")).first() is not None
    assert t.get(f"/worksheets/staff/clients/{user.id + 999}/entries/{entry.id}").status_code == 404
    other_t = login_as(app, make_user("therapist"))
    assert other_t.get(f"/worksheets/staff/clients/{user.id}/entries/{entry.id}").status_code == 404
    detail = c.get(f"/worksheets/entries/{entry.id}").get_data(as_text=True)
    assert "Replies from your therapist" in detail and "talk on Tuesday" in detail


def test_staff_panel_and_lesson_embed_render(app, make_user) -> None:
    from flask import render_template
    from flask_login import login_user

    from icbt.programs import registry

    user, c = _client(app, make_user)
    c.post("/worksheets/new/journal", data={**_form(c), **WORDS, "action": "submit"})
    with app.test_request_context():
        client = db.session.get(User, user.id)
        login_user(db.session.get(User, user.therapist_id))
        html = render_template("worksheets/_staff_panel.html", client=client)
        assert "Journal" in html and "mood 3/10 · #sleep #worry" in html
        assert f"/worksheets/staff/clients/{user.id}/entries/" in html
        ws = registry.get("thought_record")
        preview = render_template("worksheets/_embed.html", worksheet=ws, homework=None, preview=True)
        assert "Thought record" in preview and "/worksheets/new/" not in preview
        live = render_template("worksheets/_embed.html", worksheet=ws, homework=None, preview=False)
        assert "/worksheets/new/thought_record" in live


def test_designer_defined_worksheet(app, make_user) -> None:
    from icbt.modules.fields import FieldSpec
    from icbt.modules.generic import FieldWorksheet
    from icbt.worksheets import entries as svc

    ws = FieldWorksheet(
        "gratitude", "Three good things", "CBT",
        (FieldSpec("one", "First good thing", "short_text", required=True, max_length=50),
         FieldSpec("feeling", "How do you feel?", "single_choice", choices=("Calm", "Happy")),
         FieldSpec("when", "When?", "date"), FieldSpec("at", "At what time?", "time"),
         FieldSpec("helps", "What helps?", "multiple_choice", choices=("Walks", "Friends")),
         FieldSpec("score", "Mood", "scale_0_10", low="Low", high="High")),
        ("one", "feeling"), "<p>Intro</p>", "test/worksheets/gratitude.md")
    user, _c = _client(app, make_user)
    with app.test_request_context():
        client = db.session.get(User, user.id)
        bad = svc.create_entry(client, ws, {"one": "x" * 51, "feeling": "Sad", "when": "3/4/26",
                                            "at": "9am", "helps": ["Walks", "Cake"], "score": "7"},
                               submission_key=None)
        assert bad.entry is None
        assert set(bad.parsed.errors) == {"one", "feeling", "when", "at"}
        good = svc.create_entry(client, ws, {"one": "Sun on my face", "feeling": "Calm",
                                             "when": "2026-03-04", "at": "09:05",
                                             "helps": ["Friends", "Walks"], "score": "7"},
                                submission_key="k" * 20)
        assert good.entry is not None and good.entry.kind == "gratitude"
        assert good.entry.data["helps"] == ["Walks", "Friends"] and good.entry.data["score"] == 7
        assert ws.summary(good.entry.data) == "First good thing Sun on my face · How do you feel? Calm"
        assert ws.values(good.entry.data)["at"] == "09:05"


def test_a_programs_own_worksheets_are_offered_to_its_clients(app, make_user) -> None:
    from icbt.programs import enrolment

    user, c = _client(app, make_user)
    assert "/worksheets/new/problem_solving" not in c.get("/worksheets/").get_data(as_text=True)
    with app.app_context():
        client = db.session.get(User, user.id)
        enrolment.enrol(client, "cbt-low-mood", actor=client.therapist)
    assert "/worksheets/new/problem_solving" in c.get("/worksheets/").get_data(as_text=True)
    resp = c.post("/worksheets/new/problem_solving",
                  data={**_form(c, "/worksheets/new/problem_solving"), "problem": "Bills piling up",
                        "chosen": "Call the bank on Monday", "can_act": "Partly", "action": "submit"})
    assert resp.status_code == 302
    [entry] = _entries(app, user)
    assert entry.data["can_act"] == "Partly" and entry.kind == "problem_solving"


def test_another_clients_entry_is_404_everywhere(app, make_user) -> None:
    user, c = _client(app, make_user)
    c.post("/worksheets/new/journal", data={**_form(c), **WORDS, "action": "submit"})
    [entry] = _entries(app, user)
    _other, c2 = _client(app, make_user)
    token = _form(c2)["csrf_token"]
    assert c2.get(f"/worksheets/entries/{entry.id}").status_code == 404
    assert c2.get(f"/worksheets/entries/{entry.id}/edit").status_code == 404
    assert c2.post(f"/worksheets/entries/{entry.id}/delete", data={"csrf_token": token}).status_code == 404
    assert c2.post("/worksheets/drafts/journal", data={"csrf_token": token,
                                                       "entry_id": str(entry.id)}).status_code == 404
    assert _entries(app, user, deleted=False)


def test_same_key_with_changed_words_keeps_both(app, make_user) -> None:
    user, c = _client(app, make_user)
    form = {**_form(c), **WORDS, "action": "submit"}
    c.post("/worksheets/new/journal", data=form)
    c.post("/worksheets/new/journal", data={**form, "text": "Went back and rewrote it."})
    assert sorted(e.data["text"] for e in _entries(app, user)) == sorted(
        [WORDS["text"], "Went back and rewrote it."])


def test_kept_post_keeps_its_homework_and_key(app, make_user) -> None:
    from icbt.programs import controls

    user, c = _client(app, make_user)
    with app.app_context():
        hw = controls.add_homework(db.session.get(User, user.id),
                                   actor=db.session.get(User, user.therapist_id),
                                   worksheet="journal")
        hw_id = hw.id
    hidden = _form(c, f"/worksheets/new/journal?homework={hw_id}")
    form = {**hidden, **WORDS, "homework": str(hw_id), "action": "submit"}
    resp = c.post("/worksheets/new/journal", data={**form, "csrf_token": "expired"}, headers=ORIGIN)
    assert "/login" in resp.headers["Location"]
    AuthActions(c).login(user.email, PASSWORD)
    # The original post arrives too (a retry): still one entry, linked to the homework.
    c.post("/worksheets/new/journal", data={**form, "csrf_token": _form(c)["csrf_token"]})
    [entry] = _entries(app, user)
    assert entry.homework_id == hw_id and entry.data["text"] == WORDS["text"]
