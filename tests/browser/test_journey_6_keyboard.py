"""Journey 6: keyboard only. A client signs in, checks in (after a first try with an error:
the error summary takes focus and leads to the field) and completes a thought record using
Tab, Space and Enter alone, with a visible focus indicator on every control on the way.

Radio groups: Tab (and Shift+Tab) enters a group with nothing chosen at its first option
and the next Tab leaves it (arrow keys move within a group), so with Tab and Space alone
the answers chosen on the 0-10 scales are their first options.
"""

from __future__ import annotations

from typing import Any

import harness
import steps
from harness import *  # noqa: F401,F403 - the browser fixtures
from harness import shot
from steps import expect

pytestmark = harness.PYTESTMARK

# The controls a keyboard can reach, and whether the focused element is one of them.
INTERACTIVE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"


class Keyboard:
    """Tab, Shift+Tab, Space, Enter and typing; checks the focus indicator at every stop."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops = 0

    def tab(self, back: bool = False, predicate: str = "el => false") -> bool:
        """Move focus once; the newly focused control must show a focus indicator.

        Returns whether the focused element satisfies predicate (a JS `el => bool`).
        """
        self.page.keyboard.press("Shift+Tab" if back else "Tab")
        info = self.page.evaluate(f"""() => {{
          const el = document.activeElement;
          const focus = ({steps.FOCUS_STYLE_JS})();
          return {{interactive: !!el && el.matches({INTERACTIVE!r}), focus,
                   match: !!(({predicate})(el))}};
        }}""")
        if info["interactive"]:
            self.stops += 1
            steps.assert_focus_visible(info["focus"])
        return bool(info["match"])

    def tab_to(self, predicate: str, limit: int = 120) -> None:
        """Press Tab until the focused element satisfies predicate."""
        for _ in range(limit):
            if self.tab(predicate=predicate):
                return
        raise AssertionError(f"{limit} presses of Tab never reached {predicate} on {self.page.url}")

    def arrived(self, heading: str) -> None:
        """After a keypress that navigates: the new page is there and fully loaded.

        The heading shows as soon as the HTML is parsed; focus styles need the stylesheet,
        so wait for the load event before the next Tab.
        """
        expect(steps.heading(self.page, heading)).to_be_visible()
        self.page.wait_for_load_state("load")

    def focused(self, predicate: str) -> bool:
        return bool(self.page.evaluate(f"() => ({predicate})(document.activeElement)"))

    def press(self, key: str) -> None:
        assert key in ("Space", "Enter"), key
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def named(name: str, value: str | None = None) -> str:
    """A predicate: a form control with this name (and value)."""
    test = f"el.name === {name!r}" + (f" && el.value === {value!r}" if value is not None else "")
    return f"el => !!el && {test}"


def text_is(tag: str, text: str) -> str:
    """A predicate: an element of this tag whose visible text is text."""
    return f"el => !!el && el.tagName === {tag.upper()!r} && el.innerText.trim() === {text!r}"


def test_keyboard_only_checkin_and_thought_record(page: Any, live_app: Any, live_server: Any,
                                                  axe_source: str) -> None:
    therapist_id, _t = steps.make_user(live_app, "therapist", name="Ari Stone")
    client_id, address = steps.make_user(live_app, "client", name="Pat Keys",
                                         therapist_id=therapist_id)
    steps.enrol(live_app, client_id, therapist_id)
    kb = Keyboard(page)

    # Sign in. The first Tab reaches the skip link, which shows itself when focused.
    page.goto(live_server.url + "/login")
    kb.tab()
    assert kb.focused("el => el.classList.contains('skip-link')")
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["width"] > 10
    kb.tab_to(named("email"))
    kb.type(address)
    kb.tab_to(named("password"))
    kb.type(steps.PASSWORD)
    kb.press("Enter")
    kb.arrived("Hello, Pat")

    # Home -> the mood check-in.
    kb.tab_to(text_is("a", "Check in now"))
    kb.press("Enter")
    kb.arrived("How are you today?")

    # Saving without a mood: the error summary takes focus and names the field.
    kb.tab_to(text_is("button", "Save my check-in"))
    kb.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    page.wait_for_load_state("load")
    assert summary.get_attribute("role") == "alert"
    message = "Please choose a number from 0 to 10."
    mood = page.get_by_role("group", name="How is your mood today?")
    described = (mood.get_attribute("aria-describedby") or "").split()
    assert "mood-error" in described, described
    expect(page.locator("#mood-error")).to_have_text(message)
    steps.checked(page, axe_source)
    # Its link leads to the field: the next Tab is on the field's first option.
    kb.tab()
    assert kb.focused(f"el => el.tagName === 'A' && el.innerText.includes({message!r})")
    kb.press("Enter")
    kb.tab()
    assert kb.focused(named("mood", "0"))
    kb.press("Space")  # mood 0: very low
    kb.tab()  # Tab leaves the group at once
    assert kb.focused(named("anxiety", "0"))
    kb.press("Space")  # anxiety 0: not anxious
    kb.tab_to(named("sleep_hours"))
    kb.type("8")
    kb.tab_to(named("tags", "calm"))
    kb.press("Space")
    kb.tab_to(named("note"))
    kb.type("A walk by the river with Sam.")
    kb.tab_to(text_is("button", "Save my check-in"))
    kb.press("Enter")
    expect(page.get_by_text("Saved. Thank you for checking in.")).to_be_visible()
    recent = page.get_by_role("region", name="Recent days")
    expect(recent).to_contain_text("mood 0, anxiety 0, 8 hours' sleep")
    expect(recent).to_contain_text("Calm")
    expect(recent).to_contain_text("A walk by the river with Sam.")
    steps.checked(page, axe_source)

    # My worksheets -> a new thought record.
    kb.tab_to(text_is("a", "My worksheets"))
    kb.press("Enter")
    kb.arrived("My worksheets")
    kb.tab_to(text_is("a", "Thought record"))
    kb.press("Enter")
    kb.arrived("Thought record")
    for name, text in [("what", "On the bus I saw an old friend and looked away."),
                       ("emotions-0-name", "embarrassed"), ("emotions-0-intensity", "75"),
                       ("thoughts-0-text", "She would not want to talk to me."),
                       ("thoughts-0-belief", "80")]:
        kb.tab_to(named(name))
        kb.type(text)
    kb.tab_to(named("thoughts-pick", "0"))
    kb.press("Space")
    kb.tab_to(named("traps", "mind_reading"))
    kb.press("Space")
    for name, text in [("evidence_against", "She waved at me last month."),
                       ("balanced", "I do not know what she thinks; she may be shy too."),
                       ("rerate-0-name", "embarrassed"), ("rerate-0-intensity", "40")]:
        kb.tab_to(named(name))
        kb.type(text)
    kb.tab_to(text_is("button", "Finish and save"))
    kb.press("Enter")
    expect(page.get_by_text("Saved. Well done for taking the time to do this.")).to_be_visible()
    expect(page.get_by_text("embarrassed: 75 → 40 (down 35)")).to_be_visible()
    expect(page.get_by_text("She would not want to talk to me.")).to_be_visible()
    steps.checked(page, axe_source)
    assert kb.stops >= 40, kb.stops  # every one of them showed a focus indicator
    shot(page, "journey-6-keyboard-thought-record")
