"""'Need help now?': the clinic's own contact comes first; unset parts are left out; links are real."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from clinic_helpers import CLINIC
from conftest import csrf_from, login_as
from flask import Flask

from icbt import create_app
from icbt.config import DEFAULT_CRISIS_RESOURCES, env_overrides

ITEM9 = [0, 1, 1, 0, 0, 1, 0, 0, 2]


def _page(app_config, **config) -> str:  # type: ignore[no-untyped-def]
    app = create_app({**app_config, **config})
    return app.test_client().get("/help").get_data(as_text=True)


def _clinic_block(page: str) -> str:
    match = re.search(r'<li class="resource clinic-contact">(.*?)</li>', page, re.S)
    assert match, page
    return match.group(1)


def test_the_clinic_comes_first_with_every_configured_part(app_config) -> None:  # type: ignore[no-untyped-def]
    page = _page(app_config, **CLINIC)
    block = _clinic_block(page)
    assert "<h2>Northgate Wellbeing</h2>" in block
    assert '<a class="button primary call" href="tel:020 7946 0123">Call 020 7946 0123</a>' in block
    assert "Opening hours: Monday to Friday, 9:00 to 17:00" in block
    assert "When the clinic is closed" in block and "Northgate night line" in block
    assert '<a class="button primary call" href="tel:020 7946 0999">Call 020 7946 0999</a>' in block
    # First: before every generic crisis line.
    assert page.index("Northgate Wellbeing</h2>") < page.index("Emergency services")
    assert page.index("clinic-contact") < page.index("A crisis line in your country")


@pytest.mark.parametrize("given, present, absent", [
    ({"CLINIC_PHONE": "020 7946 0123"}, ["tel:020 7946 0123"],
     ["Opening hours", "When the clinic is closed"]),
    ({"CLINIC_HOURS": "Weekdays 8 till 6"}, ["Opening hours: Weekdays 8 till 6"],
     ["tel:", "button", "When the clinic is closed"]),
    ({"CLINIC_OUT_OF_HOURS_PHONE": "020 7946 0999"}, ["When the clinic is closed",
                                                      "tel:020 7946 0999"], ["Opening hours"]),
    ({"CLINIC_OUT_OF_HOURS_NAME": "NHS 111"}, ["When the clinic is closed", "NHS 111"],
     ["tel:", "button"]),
    ({"CLINIC_PHONE": "", "CLINIC_HOURS": "  "}, ["Your clinic", "during opening hours"],
     ["tel:", "button", "Opening hours", "When the clinic is closed"]),
    ({}, ["Your clinic", "during opening hours"], ["tel:", "button", "Opening hours"]),
])
def test_unset_parts_of_the_clinic_contact_are_left_out(app_config, given, present, absent) -> None:  # type: ignore[no-untyped-def]
    block = _clinic_block(_page(app_config, **given))
    for text in present:
        assert text in block, block
    for text in absent:
        assert text not in block, block
    assert 'href="tel:"' not in block


def test_the_helpline_directory_is_a_real_link(app_config) -> None:  # type: ignore[no-untyped-def]
    page = _page(app_config)
    assert '<a href="https://findahelpline.com">findahelpline.com</a>' in page
    assert any(r.get("url") == "https://findahelpline.com" for r in DEFAULT_CRISIS_RESOURCES)


def test_resource_links_are_escaped_and_only_http(app_config) -> None:  # type: ignore[no-untyped-def]
    resources = [
        {"name": "Line <b>one</b>", "detail": "d", "phone": "", "url": "https://example.org/help/",
         "link_text": "Help & <i>more</i>"},
        {"name": "Bad link", "detail": "d", "url": "javascript:alert(1)"},
        {"name": "Plain", "detail": "d", "url": "https://www.example.net/"},
    ]
    page = _page(app_config, CRISIS_RESOURCES=resources,
                 CLINIC_NAME="<script>alert(1)</script>", CLINIC_PHONE="1\" onclick=\"x")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'onclick="x"' not in page
    assert "Line &lt;b&gt;one&lt;/b&gt;" in page
    assert '<a href="https://example.org/help/">Help &amp; &lt;i&gt;more&lt;/i&gt;</a>' in page
    assert "javascript:" not in page
    assert '<a href="https://www.example.net/">example.net</a>' in page


def test_every_crisis_page_shows_the_clinic_first(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config.update(CLINIC)
    therapist = make_user("therapist")
    person = make_user("client", therapist=therapist)
    c = login_as(app, person)
    token = csrf_from(c.get("/help").get_data(as_text=True))
    button = c.post("/help-now", data={"csrf_token": token}).get_data(as_text=True)
    token = csrf_from(c.get("/measures/phq9").get_data(as_text=True))
    data = {"csrf_token": token, **{f"q{i + 1}": str(a) for i, a in enumerate(ITEM9)}}
    phq9 = c.post("/measures/phq9", data=data).get_data(as_text=True)
    signed_out = app.test_client().post("/help-now").get_data(as_text=True)
    for page in (button, phq9, signed_out):
        assert "What happens next" in page
        block = html_lib.unescape(_clinic_block(page))
        assert "Northgate Wellbeing" in block and "tel:020 7946 0123" in block
        assert page.index("Northgate Wellbeing</h2>") < page.index("Emergency services")


def test_phone_numbers_from_the_environment_stay_text() -> None:
    env = {"ICBT_CLINIC_PHONE": "999", "ICBT_CLINIC_OUT_OF_HOURS_PHONE": "116123",
           "ICBT_CLINIC_HOURS": "24", "ICBT_CLINIC_NAME": "true", "ICBT_SMTP_PORT": "587"}
    got = env_overrides(env)
    assert got["CLINIC_PHONE"] == "999" and got["CLINIC_OUT_OF_HOURS_PHONE"] == "116123"
    assert got["CLINIC_HOURS"] == "24" and got["CLINIC_NAME"] == "true"
    assert got["SMTP_PORT"] == 587
