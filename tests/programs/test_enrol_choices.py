"""The enrol form says in words how each program's lessons open, not "(CBT, schedule)"."""

from __future__ import annotations

import html
import re

from conftest import login_as
from flask import Flask
from lessons_helpers import people


def _options(page: str) -> dict[str, str]:
    select = page.split('name="program"', 1)[1].split("</select>", 1)[0]
    return {v: html.unescape(t).strip()
            for v, t in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)}


def test_each_pace_is_said_in_words(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist, (client,) = people(make_user, "Europe/London")
    page = login_as(app, therapist).get(f"/staff/clients/{client.id}/program/enrol")
    assert page.status_code == 200
    labels = _options(page.get_data(as_text=True))
    assert labels["cbt-low-mood"] == ("CBT for low mood and anxiety (CBT): a new lesson on a "
                                      "fixed schedule, every “Days between lessons” (below)")
    assert labels["dbt-emotion-regulation"] == ("DBT skills: emotion regulation (DBT): the next "
                                                "lesson opens when the last one is done")
    assert labels["ipt-relationships"] == ("IPT: relationships and mood (IPT): the next lesson "
                                           "opens after you give feedback on the homework")
    for label in labels.values():
        assert not re.search(r"\((CBT|DBT|IPT), (schedule|completion|feedback)\)", label)
    assert "Days between lessons" in page.get_data(as_text=True)  # the field the words point to


def test_unknown_rules_fall_back_to_their_name(app: Flask) -> None:
    from icbt.views.program import pace_words

    with app.test_request_context():
        assert pace_words("completion") == "the next lesson opens when the last one is done"
        assert pace_words("something-new") == "something-new"
