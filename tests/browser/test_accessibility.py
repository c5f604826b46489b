"""Accessibility beyond the journeys: the dark theme and reduced motion on the main pages,
every chart's text alternative and data table, and worksheet errors that are announced."""

from __future__ import annotations

import re
from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

# The relative luminance of the page's background (WCAG's formula), and any motion.
PAGE_JS = """() => {
  const rgb = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).slice(0, 3)
    .map(Number).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const moving = [];
  for (const el of document.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    const transition = s.transitionDuration.split(',').some(d => parseFloat(d) > 0);
    if (transition || s.animationName !== 'none') moving.push(el.tagName + '.' + el.className);
  }
  return {luminance: 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2], moving,
          animations: document.getAnimations().length,
          scroll: getComputedStyle(document.documentElement).scrollBehavior,
          dark: matchMedia('(prefers-color-scheme: dark)').matches,
          reduce: matchMedia('(prefers-reduced-motion: reduce)').matches};
}"""

# Every chart: an image with a text alternative, the same words shown as text, and a table.
CHARTS_JS = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const img = f.querySelector('img');
  const table = f.querySelector('details.chart-data table');
  return {id: f.id, empty: !img, alt: img ? img.alt : f.innerText,
          shown: (f.querySelector('.chart-alt') || {}).innerText || '',
          caption: table && table.caption ? table.caption.textContent.trim() : '',
          headers: table ? table.querySelectorAll('thead th[scope=col]').length : 0,
          rows: table ? table.querySelectorAll('tbody tr').length : 0};
})"""


def check_charts(page: Any) -> int:
    """Every non-empty chart on the page has its text alternative and its data table."""
    charts = page.evaluate(CHARTS_JS)
    for c in charts:
        if c["empty"]:
            assert c["alt"].strip(), c  # an empty chart says so in words
            continue
        assert len(c["alt"]) > 20 and c["shown"] == c["alt"], c
        assert c["caption"] and c["headers"] >= 2 and c["rows"] >= 1, c
    return sum(1 for c in charts if not c["empty"])


def client_pages(page: Any, base: str) -> list[str]:
    """The client's main pages, found by following links as a client would."""
    page.goto(base + "/home")
    lesson = page.get_by_role("link", name=re.compile(r"^Read the lesson")).get_attribute("href")
    page.goto(base + "/worksheets/")
    entry = page.locator(".card").filter(has_text="Thought record").get_by_role("link").first
    return ["/home", lesson, "/lessons", "/worksheets/", entry.get_attribute("href"),
            "/worksheets/new/thought_record", "/mood/", "/measures/", "/measures/phq9",
            "/messages", "/settings"]


def staff_pages(page: Any, base: str) -> list[str]:
    """The therapist's queue, the first client's overview, brief and messages."""
    page.goto(base + "/staff/queue")
    overview = page.locator("ol.queue > li").first.get_by_role("link", name=re.compile(
        r"^Overview")).get_attribute("href")
    return ["/staff/queue", overview, overview + "/brief", overview + "/messages",
            "/staff/clients", "/staff/invite"]


def test_dark_theme_and_reduced_motion(browser: Any, live_server: Any, demo_clinic: Any,
                                       axe_source: str) -> None:
    base, password = live_server.url, demo_clinic["password"]
    charts = 0
    for who, pages in (("client", client_pages), ("therapist", staff_pages)):
        # One dark (and reduced-motion) and one light browser per person.
        dark = browser.new_context(viewport={"width": 1200, "height": 900},
                                   color_scheme="dark", reduced_motion="reduce")
        light = browser.new_context(viewport={"width": 1200, "height": 900},
                                    color_scheme="light")
        page, day = dark.new_page(), light.new_page()
        steps.sign_in(page, base, demo_clinic[who], password)
        steps.sign_in(day, base, demo_clinic[who], password)
        for n, path in enumerate(pages(page, base)):
            page.goto(base + path)
            found = page.evaluate(PAGE_JS)
            assert found["dark"] and found["reduce"], found
            assert found["luminance"] < 0.05, (path, found["luminance"])  # a dark page
            assert not found["moving"] and not found["animations"], (path, found["moving"])
            assert found["scroll"] == "auto", path
            steps.checked(page, axe_source)  # includes colour contrast, in the dark theme
            charts += check_charts(page)
            if n < 2:  # the same pages are light for someone who has not asked for dark
                day.goto(base + path)
                assert day.evaluate(PAGE_JS)["luminance"] > 0.8, path
        if who == "client":
            page.goto(base + "/mood/")
            shot(page, "dark-mood")
        dark.close()
        light.close()
    assert charts >= 4, charts  # mood, PHQ-9 and GAD-7 for the client; the staff panel's


def test_worksheet_errors_are_announced_and_focused(page: Any, live_app: Any, live_server: Any,
                                                    axe_source: str) -> None:
    _id, address = steps.make_user(live_app, "client", name="Ellis Ward")
    steps.sign_in(page, live_server.url, address)
    page.goto(live_server.url + "/worksheets/new/thought_record")
    page.get_by_label("When was it?").fill("Friday lunchtime")
    page.get_by_role("button", name="Finish and save").click()

    # The summary takes focus (static/js/app.js) and is announced (role=alert).
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    expect(summary).to_contain_text("Everything you wrote is still here.")
    expect(page.get_by_label("When was it?")).to_have_value("Friday lunchtime")
    # Each field in error names its message through aria-describedby.
    what = page.get_by_label("What was happening?")
    assert what.get_attribute("aria-invalid") == "true"
    ids = (what.get_attribute("aria-describedby") or "").split()
    errors = [i for i in ids if i.endswith("-error")]
    assert errors, ids
    message = page.locator(f"#{errors[0]}").inner_text()
    assert message.strip(), errors
    expect(what).to_have_accessible_description(re.compile(re.escape(message.strip())))
    # The summary's first link leads to the first field in error.
    first = summary.get_by_role("link").first
    expect(first).to_contain_text("What was happening?")
    first.click()
    assert page.evaluate("location.hash") == "#f-what"
    page.keyboard.press("Tab")  # from the field in error, the next stop is right after it
    assert page.evaluate("document.activeElement.compareDocumentPosition("
                         "document.getElementById('f-what')) & Node.DOCUMENT_POSITION_PRECEDING")
    steps.checked(page, axe_source)
    shot(page, "worksheet-errors")
