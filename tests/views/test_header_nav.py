"""The header per role: the help each person gets, the Menu disclosure, and the staff help page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import login_as
from flask import Flask

from icbt.models.people import User

HEADER_RE = re.compile(r'<header class="site-header">(.*?)</header>', re.S)
HELP_NOW_BUTTON = re.compile(
    r'<form method="post" action="/help-now"[^>]*>.*?<button type="submit" class="help-link">'
    r"Need help now\?</button>", re.S)
STAFF_HELP_LINK = re.compile(r'<a class="staff-help-link" href="/staff/help"[^>]*>Help</a>')


def header(html: str) -> str:
    found = HEADER_RE.search(html)
    assert found, "no site header"
    return found.group(1)


def menu_links(head: str) -> dict[str, str]:
    """The Main navigation's links (label -> href), from inside the Menu disclosure."""
    menu = re.search(r'<details class="menu">\s*<summary>Menu</summary>\s*'
                     r'<nav class="site-nav" aria-label="Main">(.*?)</nav>\s*</details>', head, re.S)
    assert menu, head
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>',
                                                     menu.group(1))}


def test_help_now_url_is_what_the_pattern_expects(app: Flask) -> None:
    with app.test_request_context():
        from flask import url_for

        assert url_for("safety.help_now") == "/help-now"
        assert url_for("measures.index") == "/measures/"


def test_client_header_has_the_help_button_and_questionnaires_in_the_menu(
        app: Flask, make_user: Callable[..., User]) -> None:
    therapist = make_user("therapist")
    c = login_as(app, make_user("client", therapist=therapist))
    page = c.get("/home")
    assert page.status_code == 200
    head = header(page.get_data(as_text=True))
    assert HELP_NOW_BUTTON.search(head), head
    assert not STAFF_HELP_LINK.search(head)
    links = menu_links(head)
    assert links["Questionnaires"] == "/measures/"
    assert list(links) == ["This week", "Lessons", "My worksheets", "Mood", "Questionnaires",
                           "Messages", "Settings"]
    assert ">Sign out</button>" in head
    # The Questionnaires page marks its own entry as the current page.
    head = header(c.get("/measures/").get_data(as_text=True))
    assert '<a href="/measures/" aria-current="page">Questionnaires</a>' in head


@pytest.mark.parametrize("role, first_link", [("therapist", "Review queue"), ("admin", "Accounts"),
                                              ("designer", "Programs")])
def test_staff_header_has_the_staff_help_link_not_the_client_button(
        app: Flask, make_user: Callable[..., User], role: str, first_link: str) -> None:
    c = login_as(app, make_user(role))
    html = c.get("/account").get_data(as_text=True)
    head = header(html)
    assert STAFF_HELP_LINK.search(head), head
    assert "Need help now?" not in head
    assert "/help-now" not in head
    assert list(menu_links(head))[0] == first_link
    assert "Questionnaires" not in head
    # The footer keeps its crisis link for everyone.
    assert '<a href="/help">Crisis contacts</a>' in html


def test_signed_out_header_links_to_the_crisis_page_without_a_menu(app: Flask) -> None:
    head = header(app.test_client().get("/login").get_data(as_text=True))
    assert '<a class="help-link" href="/help">Need help now?</a>' in head
    assert "<details" not in head
    assert "staff-help-link" not in head


def test_staff_help_page_for_a_therapist(app: Flask, make_user: Callable[..., User]) -> None:
    c = login_as(app, make_user("therapist"))
    page = c.get("/staff/help")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Help for staff</h1>" in html
    assert STAFF_HELP_LINK.search(header(html)).group(0).count('aria-current="page"') == 1
    for words in ("When a client may be at risk", "How to contact a client from the app",
                  "Open the conversation", "crisis contacts</h2>",
                  "What the flags in the review queue mean", "Where to find the session brief",
                  "Needs attention now", "Deteriorating", "Stalled", "Homework overdue", "Quiet"):
        assert words in html, words
    assert '<a class="button" href="/help">Open the crisis contacts</a>' in html
    # The thresholds are the clinic's own (the defaults here), in words.
    assert "The PHQ-9 rose by 6 points or more, or the GAD-7 by 4 or more" in html
    assert "fell by 2 points or more" in html
    assert "No mood check-in for 5 days." in html
    assert "Writing programs" not in html


def test_staff_help_page_follows_the_clinic_thresholds(
        app: Flask, make_user: Callable[..., User]) -> None:
    app.config.update(FLAG_QUIET_DAYS=1, FLAG_MOOD_DROP=1.5)
    html = login_as(app, make_user("admin")).get("/staff/help").get_data(as_text=True)
    assert "No mood check-in for 1 day." in html
    assert "fell by 1.5 points or more" in html
    assert "Writing programs" in html  # admins run the Programs pages too


def test_staff_help_page_for_a_designer_points_to_the_guide(
        app: Flask, make_user: Callable[..., User]) -> None:
    html = login_as(app, make_user("designer")).get("/staff/help").get_data(as_text=True)
    assert "icbt/content/README.md" in html
    assert '<a href="/designer/">Go to Programs</a>' in html
    assert "/help" in html  # the crisis contacts
    assert "When a client may be at risk" not in html


def test_staff_help_page_is_refused_to_clients_and_needs_a_sign_in(
        app: Flask, make_user: Callable[..., User]) -> None:
    c = login_as(app, make_user("client", therapist=make_user("therapist")))
    assert c.get("/staff/help").status_code == 404  # as every staff page answers a client
    assert c.get("/staff/clients").status_code == 404
    anonymous = app.test_client().get("/staff/help")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
