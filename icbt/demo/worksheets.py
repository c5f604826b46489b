"""Demo history for worksheets: a few plausible entries per demo client, matched to their program."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Enrolment, Entry, Homework
from icbt.models.people import User
from icbt.programs import registry
from icbt.timeutil import utcnow
from icbt.worksheets import entries as svc

Plan = list[tuple[int, str, dict[str, Any]]]  # (days ago, worksheet key, form answers)

CBT: Plan = [
    (9, "thought_record", {
        "when": "Monday, after work", "where": "On the bus home", "who": "On my own",
        "what": "A friend didn't answer my message all day.",
        "emotions-0-name": "Sad", "emotions-0-intensity": "70",
        "emotions-1-name": "Lonely", "emotions-1-intensity": "60",
        "thoughts-0-text": "She doesn't want to be friends any more", "thoughts-0-belief": "80",
        "thoughts-pick": "0", "traps": ["mind_reading", "fortune_telling"],
        "evidence_for": "She took ages to reply last time too.",
        "evidence_against": "She said she had a busy week. We had a good time on Saturday.",
        "balanced": "She's probably busy. I can ask how her week is going.",
        "balanced_belief": "60", "rerate-0-name": "Sad", "rerate-0-intensity": "40",
        "rerate-1-name": "Lonely", "rerate-1-intensity": "45"}),
    (6, "activity_monitoring", {
        "activities-0-time": "Morning", "activities-0-activity": "Stayed in bed until 11",
        "activities-0-mood": "2", "activities-0-pleasure": "1", "activities-0-mastery": "0",
        "activities-1-time": "Afternoon", "activities-1-activity": "Walked to the shop",
        "activities-1-mood": "5", "activities-1-pleasure": "4", "activities-1-mastery": "6",
        "activities-2-time": "Evening", "activities-2-activity": "Called my sister",
        "activities-2-mood": "6", "activities-2-pleasure": "7", "activities-2-mastery": "5",
        "notes": "Getting out of the flat helped more than I expected."}),
    (3, "activity_schedule", {
        "plans-0-activity": "Walk in the park", "plans-0-time": "10:00",
        "plans-0-predicted_pleasure": "3", "plans-0-predicted_mastery": "4",
        "plans-0-done": "yes", "plans-0-actual_pleasure": "6", "plans-0-actual_mastery": "6",
        "plans-1-activity": "Cook a proper dinner", "plans-1-time": "18:30",
        "plans-1-predicted_pleasure": "2", "plans-1-predicted_mastery": "5"}),
]
DBT: Plan = [
    (5, "diary_card", {"emotion__sadness": "3", "emotion__shame": "4", "emotion__anger": "2",
                       "urge__avoiding_or_withdrawing": "4", "skills": ["tipp", "self_soothe"],
                       "note": "Hard afternoon after the meeting. Cold water helped."}),
    (2, "check_the_facts", {
        "emotion": "Fear", "intensity_before": "80",
        "event": "My partner said we need to talk tonight.",
        "interpretations": "I assumed it's bad news about us.",
        "threat": "That they'll leave. Honestly it's unlikely, they were kind this morning.",
        "fits": "partly", "next": "Ask what it's about instead of guessing.",
        "intensity_after": "50"}),
]
IPT: Plan = [
    (8, "interpersonal_inventory", {
        "people-0-name": "Mum", "people-0-relation": "Mother", "people-0-closeness": "inner",
        "people-0-good": "She always listens.", "people-0-hard": "She worries a lot about me.",
        "people-1-name": "Sam", "people-1-relation": "Partner", "people-1-closeness": "inner",
        "people-1-hard": "We argue about chores and then don't talk.",
        "people-1-change": "Talk about things before they build up.",
        "people-2-name": "Kai", "people-2-relation": "Old friend", "people-2-closeness": "outer",
        "people-2-change": "Get back in touch."}),
    (3, "communication_analysis", {
        "who": "Sam", "when": "Sunday evening", "about": "The washing up, again.",
        "said": "You never do anything around here.", "meant": "I'm tired and need help.",
        "they_said": "That's not fair, I cooked.", "landed": "We both went quiet all evening.",
        "feeling": "Guilty and alone",
        "differently": "I'm really tired tonight, could you do the dishes?"}),
]
BY_PROGRAM: dict[str, Plan] = {"cbt-low-mood": CBT, "dbt-emotion-regulation": DBT, "ipt-relationships": IPT}


def _homework(client: User, kind: str) -> int | None:
    """The client's homework for this worksheet with no entry yet, if any."""
    taken = select(Entry.homework_id).where(Entry.homework_id.is_not(None))
    return db.session.scalar(select(Homework.id).where(
        Homework.client_id == client.id, Homework.worksheet == kind,
        Homework.id.not_in(taken)).order_by(Homework.id).limit(1))


def demo_history(staff: dict[str, User], clients: list[User]) -> None:
    """Give each enrolled demo client two or three entries suited to their program."""
    now = utcnow()
    for client in clients:
        slug = db.session.scalar(select(Enrolment.program_slug).where(
            Enrolment.client_id == client.id).order_by(Enrolment.id.desc()).limit(1))
        plan = BY_PROGRAM.get(slug or "")
        if not plan or db.session.scalar(select(Entry.id).where(
                Entry.client_id == client.id, Entry.kind != "journal").limit(1)):
            continue
        for days_ago, kind, answers in plan:
            ws = registry.get(kind)
            if ws is None:
                continue
            when = now - timedelta(days=days_ago, hours=-2)
            form: dict[str, Any] = dict(answers)
            if "day" in {getattr(i, "name", "") for i in ws.all_items()}:
                form["day"] = (when.date()).isoformat()
            saved = svc.create_entry(client, ws, form, submission_key=None,
                                     homework_id=_homework(client, kind))
            if saved.entry is not None:
                saved.entry.created_at = saved.entry.updated_at = when
    db.session.commit()
