"""Thought record: the real form over HTTP, the stored entry, the summary, hostile posts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from ws_helpers import (
    HOSTILE,
    entry_count,
    fill,
    hostile_form,
    inputs,
    latest_entry,
    new_client,
    open_form,
    post_hostile,
    summary,
)

ANSWERS = {
    "when": "Tuesday, 9 pm", "where": "Kitchen", "who": "On my own",
    "what": "My manager's email said “can we talk tomorrow?”",
    "emotions-0-name": "Anxious", "emotions-0-intensity": "80",
    "emotions-1-name": "Sad", "emotions-1-intensity": "60",
    "thoughts-0-text": "I'm going to be sacked", "thoughts-0-belief": "90",
    "thoughts-1-text": "I always mess things up", "thoughts-1-belief": "70",
    "thoughts-pick": "0",
    "traps": ["fortune_telling", "catastrophising"],
    "evidence_for": "I made a mistake on the report last week.",
    "evidence_against": "My last review was good. She often asks to talk about plans.",
    "balanced": "She might want to talk about anything; one mistake doesn't mean I'll be sacked.",
    "balanced_belief": "65",
    "rerate-0-name": "Anxious", "rerate-0-intensity": "40",
    "rerate-1-name": "Sad", "rerate-1-intensity": "50",
}


def test_thought_record_round_trip(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "thought_record", ANSWERS)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    entry = latest_entry(app, user)
    assert entry.kind == "thought_record"
    data = entry.data
    assert data["emotions"] == [{"name": "Anxious", "intensity": 80},
                                {"name": "Sad", "intensity": 60}]
    assert data["thoughts"][0] == {"text": "I'm going to be sacked", "belief": 90, "hot": True}
    assert data["thoughts"][1]["hot"] is False
    assert data["traps"] == ["catastrophising", "fortune_telling"]
    assert data["balanced_belief"] == 65
    text = summary(app, entry)
    assert "I'm going to be sacked" in text and "(90%)" in text
    assert "Anxious 80→40" in text and "Sad 60→50" in text
    assert "Catastrophising" in text
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Anxious: 80 → 40 (down 40)" in page  # the shift in intensity
    assert "My last review was good." in page


def test_hot_thought_stays_visible_on_later_steps(app, make_user) -> None:
    user, c = new_client(app, make_user)
    html, hidden = open_form(c, "/worksheets/new/thought_record")
    c.post("/worksheets/new/thought_record", data={
        **hidden, "thoughts-0-text": "Nobody likes me", "thoughts-0-belief": "80",
        "action": "save_draft"})
    page = c.get("/worksheets/new/thought_record").get_data(as_text=True)
    # The recall box appears on the traps, evidence, balanced and re-rating steps.
    assert page.count("Nobody likes me") >= 5
    assert "Your hot thought" in page


def test_missing_hot_mark_picks_the_most_believed(app, make_user) -> None:
    user, c = new_client(app, make_user)
    answers = {k: v for k, v in ANSWERS.items() if k != "thoughts-pick"}
    assert fill(c, "thought_record", answers).status_code == 302
    thoughts = latest_entry(app, user).data["thoughts"]
    assert [t["hot"] for t in thoughts] == [True, False]


def test_field_errors_keep_every_word(app, make_user) -> None:
    user, c = new_client(app, make_user)
    bad = {**ANSWERS, "emotions-0-intensity": "180", "balanced": "b" * 1200}
    resp = fill(c, "thought_record", bad)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Please choose a whole number from 0 to 100." in page
    assert "Please keep this to 1000 characters or fewer (it has 1200)." in page
    assert "My last review was good." in page and "b" * 1200 in page
    assert 'aria-describedby="f-emotions-0-intensity-error"' in page
    assert entry_count(app, user) == 0


def test_program_replaces_the_thinking_traps() -> None:
    from icbt.modules.thought_record import traps_from_settings

    custom = {"thought_record": {"thinking_traps": [
        "Jumping to conclusions", {"label": "Comparing", "help": "Measuring yourself against others."}]}}
    traps = traps_from_settings(custom)
    assert [t.label for t in traps] == ["Jumping to conclusions", "Comparing"]
    assert traps[1].help == "Measuring yourself against others."
    assert len(traps_from_settings({})) == 10
    assert len(traps_from_settings({"thought_record": {"thinking_traps": "nonsense"}})) == 10


def test_add_another_row_without_javascript(app, make_user) -> None:
    user, c = new_client(app, make_user)
    html, hidden = open_form(c, "/worksheets/new/thought_record")
    assert "emotions-2-name" in inputs(html) and "emotions-3-name" not in inputs(html)
    resp = c.post("/worksheets/new/thought_record", data={
        **hidden, "emotions-0-name": "Angry", "emotions-0-intensity": "70",
        "emotions-count": "3", "action": "add_row:emotions"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#group-emotions")
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "emotions-3-name" in inputs(page)
    assert 'value="Angry"' in page


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(list(ANSWERS) + ["emotions-count", "thoughts-count", "rerate-count"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "thought_record", data)


def test_rerating_without_a_name_uses_the_feeling_above(app, make_user) -> None:
    user, c = new_client(app, make_user)
    answers = {k: v for k, v in ANSWERS.items() if not k.endswith("-name") or k.startswith("emotions")}
    assert fill(c, "thought_record", answers).status_code == 302
    entry = latest_entry(app, user)
    assert entry.data["rerate"] == [{"name": "Anxious", "intensity": 40},
                                    {"name": "Sad", "intensity": 50}]
    assert "Anxious 80→40" in summary(app, entry)


def test_adding_a_row_keeps_every_ticked_box(app, make_user) -> None:
    user, c = new_client(app, make_user)
    _html, hidden = open_form(c, "/worksheets/new/thought_record")
    c.post("/worksheets/new/thought_record", data={
        **hidden, "traps": ["mind_reading", "labelling"], "thoughts-count": "3",
        "action": "add_row:thoughts"})
    page = c.get("/worksheets/new/thought_record").get_data(as_text=True)
    assert 'value="mind_reading" checked' in page and 'value="labelling" checked' in page
    assert "thoughts-3-text" in inputs(page)


# --- step 7: re-rating is optional per feeling (issue #20, item 5) -------------------------


def test_rerating_one_of_two_feelings_saves(app, make_user) -> None:
    """The browser posts the copied-in name of a feeling the client did not re-rate."""
    user, c = new_client(app, make_user)
    answers = {**ANSWERS, "rerate-0-intensity": ""}  # "Anxious" copied in, left unrated
    resp = fill(c, "thought_record", answers)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    entry = latest_entry(app, user)
    assert entry.data["rerate"] == [{"name": "Sad", "intensity": 50}]
    text = summary(app, entry)
    assert "Sad 60→50" in text and "Anxious 80→" not in text
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Sad: 60 → 50 (down 10)" in page and "Anxious: 80 →" not in page


def test_the_form_offers_each_feeling_for_rerating_and_saves_one(app, make_user) -> None:
    """Without JavaScript: save a draft, reopen it, post every input exactly as the page has it."""
    user, c = new_client(app, make_user)
    _html, hidden = open_form(c, "/worksheets/new/thought_record")
    steps_1_to_6 = {k: v for k, v in ANSWERS.items() if not k.startswith("rerate-")}
    c.post("/worksheets/new/thought_record", data={**hidden, **steps_1_to_6,
                                                   "action": "save_draft"})
    html, hidden = open_form(c, "/worksheets/new/thought_record")
    fields = inputs(html)
    assert fields["rerate-0-name"] == ["Anxious"] and fields["rerate-1-name"] == ["Sad"]
    assert fields["rerate-0-intensity"] == [""] and fields["rerate-1-intensity"] == [""]
    posted = {name: values[0] for name, values in fields.items()
              if name.startswith("rerate-") and values}
    posted["rerate-1-intensity"] = "35"
    resp = c.post("/worksheets/new/thought_record",
                  data={**hidden, **steps_1_to_6, **posted, "action": "submit"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    data = latest_entry(app, user).data
    assert data["rerate"] == [{"name": "Sad", "intensity": 35}]


def test_editing_a_part_rerated_entry_offers_the_other_feeling_once(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "thought_record", {**ANSWERS, "rerate-0-intensity": ""})
    entry = latest_entry(app, user)
    page = c.get(f"/worksheets/entries/{entry.id}/edit").get_data(as_text=True)
    fields = inputs(page)
    names = [fields.get(f"rerate-{i}-name", [""])[0] for i in range(8)]
    assert names.count("Sad") == 1 and names.count("Anxious") == 1, names
    assert resp.status_code == 302


def test_shifts_count_only_feelings_that_were_rerated() -> None:
    from icbt.modules.thought_record import shifts

    data = {"emotions": [{"name": "sad", "intensity": 80}, {"name": "anxious", "intensity": 70}],
            "rerate": [{"name": "anxious", "intensity": 30}]}
    assert shifts(data) == [("anxious", 70, 30)]  # "sad" does not borrow anxious's rating
    old = {"emotions": data["emotions"], "rerate": [{"intensity": 50}, {"intensity": 20}]}
    assert shifts(old) == [("sad", 80, 50), ("anxious", 70, 20)]  # unnamed rows: by order


def test_a_step_7_error_names_the_step_and_the_feeling(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "thought_record", {**ANSWERS, "rerate-1-intensity": "150"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and entry_count(app, user) == 0
    assert ("Step 7, “Sad”, How strong (0–100): Please choose a whole number from 0 to 100."
            in page)
    assert "How strong (0–100) (2)" not in page
    assert "Nearly there: please check 1 thing below" in page
    assert 'aria-describedby="f-rerate-1-intensity-error"' in page  # and next to the field


def test_a_row_without_words_is_named_by_its_number(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "thought_record", {**ANSWERS, "thoughts-2-belief": "50",
                                      "emotions-1-intensity": "x"})
    page = resp.get_data(as_text=True)
    assert "Step 3, row 3, Thought: Please fill this in, or clear the whole row." in page
    assert ("Step 2, “Sad”, How strong (0–100): Please choose a whole number from 0 to 100."
            in page)
    assert "Nearly there: please check 2 things below" in page
