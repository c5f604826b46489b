"""Checks for one content file: typed front-matter fields and the Markdown's own syntax.

Every check reports `Problem(path, line, message)` and carries on, so a designer
sees all mistakes in one run. The loader (content_load) calls these and adds the
checks that need the whole program (weeks, links, worksheet keys).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from typing import Any

from icbt.programs.frontmatter import YNode
from icbt.programs.render import CALLOUT_CLOSE_RE, CALLOUT_OPEN_RE, DIRECTIVE_RE
from icbt.programs.types import CALLOUT_KINDS, MOOD_CHECKIN, Problem

KNOWN_MEASURES = ("phq9", "gad7")  # scored by icbt.measures
FIELD_TYPES = ("short_text", "long_text", "scale_0_10", "scale_0_100", "single_choice",
               "multiple_choice", "checklist", "date", "time")
CHOICE_TYPES = ("single_choice", "multiple_choice", "checklist")
SCALE_TYPES = ("scale_0_10", "scale_0_100")
TEXT_TYPES = ("short_text", "long_text")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_FIELD_NAMES = ("csrf_token", "submission_key", "action")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")
EVERY_RE = re.compile(r"^every\s+(?:(\d+)\s+)?weeks?$")


class FileCheck:
    """Typed reading of one file's front matter, collecting problems as it goes."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        """Report an error at a line of this file."""
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        """Report a warning at a line of this file."""
        self.problems.append(Problem(self.path, line, message, "warning"))

    def unknown_keys(self, node: YNode, allowed: Collection[str], where: str = "") -> None:
        """Report every key not in `allowed` (usually a typo)."""
        for key in node.keys:
            if key not in allowed:
                self.error(node.line_of(key), f'unknown setting "{key}"{where} '
                                              f"(allowed: {', '.join(allowed)})")

    def text(self, node: YNode, key: str, *, required: bool = True, max_len: int = 200,
             default: str = "") -> str:
        """A text setting, exactly as written (numbers and yes/no stay text)."""
        value = node.get(key)
        if value is None or (value.kind == "scalar" and value.value is None):
            if required:
                self.error(node.line_of(key), f'"{key}" is missing' if value is None
                           else f'"{key}" is empty')
            return default
        if value.kind != "scalar":
            self.error(node.line_of(key), f'"{key}" must be text, not a list or a mapping')
            return default
        text = value.raw.strip()
        if required and not text:
            self.error(node.line_of(key), f'"{key}" is empty')
        if len(text) > max_len:
            self.error(node.line_of(key), f'"{key}" is too long ({len(text)} characters; '
                                          f"at most {max_len})")
        return text

    def integer(self, node: YNode, key: str, low: int, high: int, *, required: bool = True,
                default: int | None = None) -> int | None:
        """A whole-number setting within [low, high]."""
        value = node.get(key)
        if value is None:
            if required:
                self.error(node.line_of(key), f'"{key}" is missing')
            return default
        number = value.value
        if value.kind != "scalar" or isinstance(number, bool) or not isinstance(number, int):
            self.error(node.line_of(key), f'"{key}" must be a whole number')
            return default
        if not low <= number <= high:
            self.error(node.line_of(key), f'"{key}" must be between {low} and {high}')
            return default
        return int(number)

    def choice(self, node: YNode, key: str, options: Collection[str], *, required: bool = True,
               default: str = "") -> str:
        """A setting that must be one of a few words."""
        value = self.text(node, key, required=required, default=default)
        if value and value not in options:
            self.error(node.line_of(key), f'"{key}" must be one of: {", ".join(options)} '
                                          f'(not "{value}")')
            return default
        return value or default

    def boolean(self, node: YNode, key: str, default: bool = False) -> bool:
        """A true/false setting."""
        value = node.get(key)
        if value is None:
            return default
        if value.kind != "scalar" or not isinstance(value.value, bool):
            self.error(node.line_of(key), f'"{key}" must be true or false')
            return default
        return bool(value.value)

    def text_list(self, node: YNode, key: str, *, max_len: int = 200) -> list[tuple[str, int]]:
        """A list of short texts, each with its line; [] when missing or wrong."""
        value = node.get(key)
        if value is None:
            return []
        if value.kind != "seq":
            self.error(node.line_of(key), f'"{key}" must be a list, like [first, second]')
            return []
        out = []
        for item in value.items:
            if item.kind != "scalar" or item.value is None or not item.raw.strip():
                self.error(item.line, f'every item of "{key}" must be a short text')
                continue
            if len(item.raw.strip()) > max_len:
                self.error(item.line, f'an item of "{key}" is too long (at most {max_len} '
                                      "characters)")
            out.append((item.raw.strip(), item.line))
        return out

    def mapping(self, node: YNode, key: str) -> YNode | None:
        """A nested mapping setting, or None when missing or not a mapping."""
        value = node.get(key)
        if value is None:
            return None
        if value.kind != "map":
            self.error(node.line_of(key), f'"{key}" must be a set of `name: value` lines')
            return None
        return value


def parse_every(node: YNode, fc: FileCheck, key: str) -> int | None:
    """A measure schedule: `every week`, `every 2 weeks` or a plain number of weeks."""
    if node.kind == "scalar" and isinstance(node.value, int) and not isinstance(node.value, bool):
        weeks = int(node.value)
    else:
        m = EVERY_RE.match(node.raw.strip().lower()) if node.kind == "scalar" else None
        if m is None:
            fc.error(node.line, f'measure "{key}": write how often, like "every 2 weeks"')
            return None
        weeks = int(m.group(1) or 1)
    if not 1 <= weeks <= 52:
        fc.error(node.line, f'measure "{key}": the interval must be 1 to 52 weeks')
        return None
    return weeks


def check_body(lines: list[str], first_line: int, fc: FileCheck, *, embeddable: Collection[str],
               worksheets_allowed: bool, lesson: bool) -> None:
    """Check callouts, worksheet lines and headings of a Markdown body, line by line."""
    open_at: int | None = None
    # No line is skipped (not even in ``` fences, which lessons do not support): the renderer
    # sees every line, so the checker must too.
    for offset, line in enumerate(lines):
        n = first_line + offset
        stripped = line.strip()
        if stripped.startswith(":::"):
            if line != line.lstrip():
                fc.error(n, "a callout line (:::) must start at the beginning of the line")
            elif CALLOUT_CLOSE_RE.match(line):
                if open_at is None:
                    fc.error(n, "::: closes a callout, but no callout is open here")
                open_at = None
            else:
                m = CALLOUT_OPEN_RE.match(line)
                if m is None:
                    fc.error(n, "a callout starts with ::: and a kind, like ::: tip")
                    continue
                if open_at is not None:
                    fc.error(n, f"callouts cannot be nested: close the callout opened on line "
                                f"{open_at} with ::: first")
                if m.group(1) not in CALLOUT_KINDS:
                    fc.error(n, f'unknown callout kind "{m.group(1)}" (use '
                                f"{', '.join(CALLOUT_KINDS)})")
                open_at = n
            continue
        if "[[" in line:
            m = DIRECTIVE_RE.match(line)
            if m is None:
                fc.error(n, "malformed worksheet line: write [[worksheet KEY]] on a line of "
                            "its own, at the start of the line")
            elif not worksheets_allowed:
                fc.error(n, "worksheets can only be placed in lessons")
            elif open_at is not None:
                fc.error(n, "a worksheet cannot be placed inside a callout: close the callout "
                            "first")
            elif m.group(1) == MOOD_CHECKIN:
                fc.error(n, "mood_checkin cannot be placed in a lesson (it is the daily "
                            "check-in): give it as homework instead")
            elif m.group(1) not in embeddable:
                fc.error(n, unknown_worksheet(m.group(1), embeddable))
        if lesson and re.match(r"^#(?!#)\s*\S", line):
            fc.warn(n, "use ## and smaller headings: the lesson title is the page's only "
                       "top heading")
    if open_at is not None:
        fc.error(open_at, "this callout is not closed: add a line with ::: after its text")


def unknown_worksheet(key: str, known: Collection[str]) -> str:
    """The message for a worksheet key that does not exist, with a likely fix."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f'unknown worksheet "{key}" ({hint}`icbt content list` shows every worksheet)'


def find_line(lines: list[str], first_line: int, needle: str) -> int:
    """The file line of the first body line containing `needle` (the body start if none)."""
    needle = needle.strip().split("\n")[0][:80]
    if needle:
        for offset, line in enumerate(lines):
            if needle in line:
                return first_line + offset
    return first_line


def short(text: Any, n: int = 60) -> str:
    """A snippet for a message: one line, at most n characters."""
    value = " ".join(str(text).split())
    return value if len(value) <= n else value[: n - 1] + "…"
