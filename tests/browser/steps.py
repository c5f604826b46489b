"""Steps the journeys share: people in the live app's database, signing in, page checks.

The journeys share one live app (session-scoped), so every person gets a unique email.
Set-up that is not what a journey is about (a therapist account, an enrolment) goes
through the services in the live app's context; what a journey is about goes through
the browser.
"""

from __future__ import annotations

import email
import itertools
import re
import uuid
from pathlib import Path
from typing import Any

from harness import check_axe


def expect(target: Any) -> Any:
    """Playwright's waiting assertions (imported late: without Playwright the journeys skip)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


PASSWORD = "purple-lantern-orchard-42"
_n = itertools.count(1)


def unique_email(role: str) -> str:
    """A fresh address for this run (the live app lives for the whole session)."""
    return f"{role}{next(_n)}-{uuid.uuid4().hex[:6]}@example.org"


def make_user(app: Any, role: str, *, name: str, therapist_id: int | None = None,
              password: str | None = PASSWORD) -> tuple[int, str]:
    """Create an active user in the live app (a client has agreed to the privacy notice)."""
    from icbt.accounts import consent, users
    from icbt.db import db
    from icbt.models.people import User
    from icbt.privacy import notice

    address = unique_email(role)
    with app.app_context():
        therapist = db.session.get(User, therapist_id) if therapist_id else None
        user = users.create_user(address, role, name=name, password=password,
                                 therapist=therapist, check_password=False)
        if role == "client" and password:
            consent.add(user, notice.current().version, notice.current().sha256)
        db.session.commit()
        return user.id, address


def invite_link(app: Any, address: str) -> str:
    """Deliver the outbox as .eml files and return the invitation link sent to address."""
    from icbt.messaging import mail

    with app.app_context():
        mail.deliver_pending()
        folder = Path(app.config["OUTBOX_DIR"])
    for path in sorted(folder.glob("*-invite.eml")):
        msg = email.message_from_bytes(path.read_bytes())
        if msg["To"] == address:
            body = msg.get_payload(decode=True).decode("utf-8")
            found = re.search(r"https?://\S+/invite/\S+", body)
            assert found, f"no invitation link in {path.name}"
            return found.group(0)
    raise AssertionError(f"no invitation email to {address} in {folder}")


def enrol(app: Any, client_id: int, therapist_id: int, slug: str = "cbt-low-mood") -> None:
    """Enrol a client in a program starting today (lesson 1 opens at once)."""
    from icbt.db import db
    from icbt.models.people import User
    from icbt.programs import enrolment

    with app.app_context():
        client = db.session.get(User, client_id)
        therapist = db.session.get(User, therapist_id)
        enrolment.enrol(client, slug, actor=therapist, notify_client=False)
        db.session.commit()


def sign_in(page: Any, base: str | None, address: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (password step only); base=None: on the login page already."""
    if base is not None:
        page.goto(base + "/login")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def main_nav(page: Any) -> Any:
    """The Main navigation, with the header's Menu opened first where it is closed (a phone).

    On a wide screen the links are a row and the Menu button is hidden: nothing to open.
    """
    menu = page.locator("header details.menu")
    summary = page.locator("header details.menu > summary")
    if summary.is_visible() and menu.get_attribute("open") is None:
        summary.click()
        expect(menu).to_have_attribute("open", "")
    return page.get_by_role("navigation", name="Main")


def checked(page: Any, axe_source: str) -> None:
    """Every page a journey visits: axe-core finds no serious or critical violation."""
    page.wait_for_load_state("load")
    check_axe(page, axe_source)


def heading(page: Any, name: str | re.Pattern[str]) -> Any:
    """The page's main heading (level 1) with this name."""
    return page.get_by_role("heading", level=1, name=name)


# The focus indicator: app.css draws an outline (or a box-shadow ring) on :focus-visible.
FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {tag: el.tagName, name: el.getAttribute('name') || el.textContent.trim().slice(0, 40),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
          boxShadow: s.boxShadow, focusVisible: el.matches(':focus-visible')};
}"""


def focus_visible(page: Any) -> dict[str, Any]:
    """Fail unless the focused element shows a focus indicator (outline or box-shadow ring)."""
    return assert_focus_visible(page.evaluate(FOCUS_STYLE_JS))


def assert_focus_visible(info: dict[str, Any] | None) -> dict[str, Any]:
    """Fail unless FOCUS_STYLE_JS's answer shows a visible focus indicator."""
    assert info is not None, "nothing has keyboard focus"
    outlined = info["outlineStyle"] not in ("none", "") and info["outlineWidth"] >= 2
    ringed = info["boxShadow"] not in ("none", "")
    assert info["focusVisible"] and (outlined or ringed), f"no visible focus indicator: {info}"
    return info


# --- the client's first week (journeys 1 and 2 walk the same path) ---------------------------

SITUATION = "Tuesday evening, my sister phoned and asked why I had not come to the birthday meal."
THOUGHT = "She thinks I do not care about the family any more."
BALANCED = "She sounded hurt, not angry, and she asked me to come next time."


def accept_invitation(page: Any, link: str, first_name: str, visit: Any) -> None:
    """Open the invitation link, read the privacy notice, choose a password, agree, land home."""
    page.goto(link)
    expect(heading(page, "Welcome! Choose a password")).to_be_visible()
    expect(page.get_by_role("region", name="Privacy notice")).to_be_visible()
    visit(page)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Type it again").fill(PASSWORD)
    page.get_by_role("checkbox", name="I have read the privacy notice above").check()
    page.get_by_role("button", name="Save password and start").click()
    expect(heading(page, f"Hello, {first_name}")).to_be_visible()
    visit(page)


def read_week_one(page: Any, visit: Any) -> None:
    """From home: open this week's lesson, read it, mark it as done."""
    page.get_by_role("link", name="Read the lesson").click()
    expect(heading(page, "Getting started")).to_be_visible()
    expect(page.get_by_role("heading", name="Setting your goals")).to_be_visible()
    visit(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(heading(page, "Lessons")).to_be_visible()
    expect(page.get_by_text("Well done.").first).to_be_visible()
    visit(page)


def complete_thought_record(page: Any, visit: Any) -> None:
    """From anywhere: My worksheets, start a thought record, fill every step, save it."""
    main_nav(page).get_by_role("link", name="My worksheets").click()
    expect(heading(page, "My worksheets")).to_be_visible()
    visit(page)
    page.get_by_role("link", name="Thought record").click()
    expect(heading(page, "Thought record")).to_be_visible()
    visit(page)
    page.get_by_label("When was it?").fill("Tuesday evening")
    page.get_by_label("What was happening?").fill(SITUATION)
    feelings = page.get_by_role("group", name="What did you feel, and how strongly?")
    feelings.get_by_label("Feeling").first.fill("guilty")
    feelings.get_by_label("How strong (0–100)").first.fill("80")
    thoughts = page.get_by_role("group", name="What went through your mind?")
    thoughts.get_by_label("Thought").first.fill(THOUGHT)
    thoughts.get_by_label("How much do you believe it? (0–100 %)").first.fill("70")
    thoughts.get_by_role("radio", name="This is the hot thought").first.check()
    page.get_by_role("checkbox", name="Mind reading").check()
    page.get_by_label("What suggests it might not be completely true?").fill(
        "I phoned her on Sunday and we talked for an hour.")
    page.get_by_label("A more balanced way to see it").fill(BALANCED)
    rerate = page.get_by_role("group", name="Rate the same feelings again")
    rerate.get_by_label("Feeling").first.fill("guilty")
    rerate.get_by_label("How strong (0–100)").first.fill("40")
    page.get_by_role("button", name="Finish and save").click()
    expect(page.get_by_text("Saved. Well done for taking the time to do this.")).to_be_visible()
    expect(heading(page, "Thought record")).to_be_visible()
    expect(page.get_by_text(SITUATION)).to_be_visible()
    expect(page.get_by_text(BALANCED)).to_be_visible()
    expect(page.get_by_text("guilty: 80 → 40 (down 40)")).to_be_visible()
    visit(page)


def check_in_mood(page: Any, visit: Any, mood: str = "6") -> None:
    """From anywhere: Mood, rate today, save, and find today on the chart and in its table."""
    main_nav(page).get_by_role("link", name="Mood").click()
    expect(heading(page, "How are you today?")).to_be_visible()
    visit(page)
    page.get_by_role("group", name="How is your mood today?").get_by_role("radio", name=mood,
                                                                           exact=True).check()
    page.get_by_role("group", name="How anxious have you felt? (optional)").get_by_role(
        "radio", name="4", exact=True).check()
    page.get_by_label("Hours slept last night (optional)").fill("7.5")
    page.get_by_role("checkbox", name="Tired").check()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_text("Saved. Thank you for checking in.")).to_be_visible()
    see_mood_chart(page, mood)
    visit(page)


def see_mood_chart(page: Any, mood: str) -> None:
    """The mood chart shows today's value: image loaded, text alternative, data table."""
    chart = page.locator("figure#chart-mood")
    chart.scroll_into_view_if_needed()
    img = chart.get_by_role("img")
    alt = img.get_attribute("alt") or ""
    assert alt.startswith("Mood over the last eight weeks"), alt
    assert chart.locator(".chart-alt").inner_text() == alt  # the same words for everyone
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    chart.get_by_text("Show the numbers").click()
    table = chart.get_by_role("table", name="Mood over time")
    expect(table).to_be_visible()
    newest = table.locator("tbody tr").first  # newest day first
    assert newest.get_by_role("cell").first.inner_text() == mood, newest.inner_text()


# --- phone layout: no sideways scrolling, every control reachable and 44 px tall -------------

# Runs in the page. The target of a checkbox or radio is its label too (a tap on the label
# ticks it), so its size is that of the input and its labels together. Left out:
# - the skip link, which sits off-screen until it has focus (journey 6 tabs to it);
# - visually hidden, unfocusable duplicates (tabindex=-1, e.g. the worksheet's default
#   submit button that only the Enter key uses);
# - inline links inside running text of lesson content: WCAG 2.2 SC 2.5.8 (target size)
#   exempts a target "in a sentence or block of text", because making a link in a line of
#   text 44 px tall would pull the lines apart and make the lesson harder to read.
LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const out = {scrollWidth: document.documentElement.scrollWidth, clientWidth: vw, small: [],
               unreachable: [], checked: 0};
  const describe = el => `${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''} "` +
      (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim()
        .replace(/\\s+/g, ' ').slice(0, 50) + '"';
  const inlineInLesson = el => {
    if (el.tagName !== 'A' || !el.closest('article.lesson')) return false;
    const block = el.closest('p, li, dd, td, blockquote');
    return !!block && block.textContent.trim() !== el.textContent.trim();
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.classList.contains('skip-link')) continue;
    if (el.getAttribute('tabindex') === '-1' && el.closest('.visually-hidden, [aria-hidden=true]')) continue;
    const style = getComputedStyle(el);
    let r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || !el.checkVisibility()) continue;
    if (inlineInLesson(el)) continue;
    out.checked++;
    let top = r.top, bottom = r.bottom, left = r.left, right = r.right;
    for (const label of (el.labels || [])) {
      const lr = label.getBoundingClientRect();
      if (lr.height > 0) { top = Math.min(top, lr.top); bottom = Math.max(bottom, lr.bottom);
                           left = Math.min(left, lr.left); right = Math.max(right, lr.right); }
    }
    if (bottom - top < 43.5) out.small.push(describe(el) + ` is ${Math.round(bottom - top)} px tall`);
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 10), 0), vw - 1);
    const y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    const ok = r.left >= -0.5 && r.right <= vw + 0.5 && hit &&
      (el === hit || el.contains(hit) || hit.contains(el) ||
       [...(el.labels || [])].some(l => l === hit || l.contains(hit)));
    if (!ok) out.unreachable.push(describe(el) + ` at x=${Math.round(r.left)}..${Math.round(r.right)}` +
                                  ` covered by ${hit ? hit.tagName + '.' + hit.className : 'nothing'}`);
  }
  window.scrollTo(0, 0);
  return out;
}"""


def phone_layout(page: Any) -> int:
    """Fail if the page scrolls sideways or a control is small or out of reach; return how many were checked."""
    page.wait_for_load_state("load")
    found = page.evaluate(LAYOUT_JS)
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(f"the page scrolls sideways: {found['scrollWidth']} px wide in a "
                        f"{found['clientWidth']} px viewport")
    problems += [f"too small: {s}" for s in found["small"]]
    problems += [f"out of reach: {s}" for s in found["unreachable"]]
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)
    return int(found["checked"])
