"""The immutable objects a loaded program becomes (re-exported by icbt.programs.store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icbt.modules.base import Worksheet

THERAPIES = ("CBT", "DBT", "IPT")
UNLOCK_RULES = ("schedule", "completion", "feedback")
CALLOUT_KINDS = ("tip", "example", "note", "safety")
# Homework only: counted from MoodCheckin rows, it has no form to embed in a lesson.
MOOD_CHECKIN = "mood_checkin"

Segment = tuple[str, str]  # ("html", sanitised html) or ("worksheet", key)


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of the checker, printed as `path:line: message`."""

    path: str
    line: int
    message: str
    level: str = "error"  # "error" stops the content from loading; "warning" does not

    def __str__(self) -> str:
        prefix = "warning: " if self.level == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        """Whether this problem blocks loading."""
        return self.level == "error"


@dataclass(frozen=True)
class HomeworkSpec:
    """A worksheet to do a number of times after a lesson."""

    worksheet: str
    times: int
    instruction: str


@dataclass(frozen=True)
class Lesson:
    """One weekly lesson, rendered and sanitised once at load time."""

    week: int
    slug: str
    title: str
    minutes: int
    summary: str
    homework: tuple[HomeworkSpec, ...]
    file: str
    html: str  # the whole lesson; each worksheet shown as a one-line reference
    segments: tuple[Segment, ...]
    content_hash: str


@dataclass(frozen=True)
class Program:
    """A program: its settings, welcome text and lessons in week order."""

    slug: str
    title: str
    therapy: str
    summary: str
    audience: str
    weeks: int
    version: str
    language: str
    unlock: str
    min_gap_days: int
    measures: dict[str, int]
    settings: dict[str, Any]
    intro_html: str
    lessons: tuple[Lesson, ...]
    content_hash: str
    path: str
    images: frozenset[str] = frozenset()  # file names in images/ that may be served

    def lesson(self, week: int) -> Lesson | None:
        """The lesson of this week, if there is one."""
        for lesson in self.lessons:
            if lesson.week == week:
                return lesson
        return None


@dataclass
class LoadResult:
    """Everything one pass over a content folder found."""

    programs: dict[str, Program] = field(default_factory=dict)
    worksheets: dict[str, Worksheet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the content from loading."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that only advise."""
        return [p for p in self.problems if not p.is_error]

    def worksheet_source(self, key: str) -> str:
        """Where a designer-defined worksheet came from ('' for unknown)."""
        ws = self.worksheets.get(key)
        return str(getattr(ws, "source", "")) if ws is not None else ""
