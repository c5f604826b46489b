"""Programs and lessons: loaded, checked and rendered once, then served from memory.

`store()` is the app's ContentStore. It holds immutable Program/Lesson objects
whose HTML is already sanitised, so a lesson page does no Markdown work. A
reload (designer button) swaps in new content only when it has no errors; the
old content stays live otherwise. Other web workers follow a reload through a
stamp file in the instance folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icbt.db import db
from icbt.models.care import LessonSnapshot
from icbt.programs.build import load_content
from icbt.programs.types import (
    CALLOUT_KINDS,
    MOOD_CHECKIN,
    HomeworkSpec,
    Lesson,
    LoadResult,
    Problem,
    Program,
)

if TYPE_CHECKING:
    from icbt.modules.base import Worksheet

__all__ = ["CALLOUT_KINDS", "MOOD_CHECKIN", "ContentError", "ContentStore", "HomeworkSpec",
           "Lesson", "LoadResult", "Problem", "Program", "historic_lesson", "init_app",
           "load_content", "snapshot_lesson", "store"]

log = logging.getLogger("icbt.content")
EXTENSION_KEY = "icbt.content"
STAMP_NAME = "content-reload.stamp"
STAMP_CHECK_SECONDS = 1.0
_tolerate = threading.local()


class ContentError(RuntimeError):
    """The content has errors, so the app refuses to start; the message lists them."""

    def __init__(self, root: str, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        lines = "\n".join(str(p) for p in problems)
        what = "1 error" if len(errors) == 1 else f"{len(errors)} errors"
        super().__init__(f"Refusing to start: the content in {root} has {what}. "
                         f"Fix them (run `icbt content check`):\n{lines}")


@dataclass(frozen=True)
class _Live:
    """One consistent generation of content, swapped in as a whole."""

    programs: dict[str, Program] = field(default_factory=dict)
    worksheets: dict[str, Worksheet] = field(default_factory=dict)


class ContentStore:
    """The loaded programs and designer-defined worksheets, plus the last check's problems."""

    def __init__(self, root: str, stamp_path: str | None = None) -> None:
        self.root = root
        self.stamp_path = stamp_path
        self._live = _Live()
        self.problems: list[Problem] = []
        self.failed = False  # the last reload had errors: what is live is older
        self.loaded_at = 0.0
        self._lock = threading.Lock()
        self._seen_stamp: int | None = self._stamp()
        self._checked_at = time.monotonic()
        # (slug, content hash, week) already in LessonSnapshot: one query per lesson version.
        self.snapshotted: set[tuple[str, str, int]] = set()

    @property
    def programs(self) -> dict[str, Program]:
        """Every live program by slug."""
        return self._live.programs

    @property
    def worksheets(self) -> dict[str, Worksheet]:
        """Every live designer-defined worksheet by key."""
        return self._live.worksheets

    def get_program(self, slug: str) -> Program | None:
        """The live program with this slug."""
        return self._live.programs.get(slug)

    def lesson(self, slug: str, week: int) -> Lesson | None:
        """The live lesson of a program's week."""
        program = self._live.programs.get(slug)
        return program.lesson(week) if program is not None else None

    def problems_for(self, slug: str) -> list[Problem]:
        """The last check's problems in one program's files."""
        return [p for p in self.problems if p.path == slug or p.path.startswith(slug + "/")]

    def install(self, result: LoadResult) -> None:
        """Make a load result live (callers decide whether its errors allow that)."""
        self._live = _Live(programs=dict(result.programs), worksheets=dict(result.worksheets))
        self.loaded_at = time.time()

    def reload(self, result: LoadResult | None = None) -> list[Problem]:
        """Re-read the files; keep the old content live if the new has errors."""
        with self._lock:
            result = result if result is not None else load_content(self.root)
            self.problems = list(result.problems)
            self.failed = bool(result.errors)
            if not self.failed:
                self.install(result)
            return result.problems

    def _stamp(self) -> int | None:
        """The reload stamp's modification time (None when no reload happened yet)."""
        if not self.stamp_path:
            return None
        try:
            return os.stat(self.stamp_path).st_mtime_ns
        except OSError:
            return None

    def reload_everywhere(self) -> list[Problem]:
        """Reload here and tell the other workers to reload too."""
        problems = self.reload()
        if self.stamp_path:
            Path(self.stamp_path).write_text(str(time.time()))
            self._seen_stamp = self._stamp()
        return problems

    def follow_reloads(self) -> None:
        """Reload if another worker reloaded since (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked_at < STAMP_CHECK_SECONDS:
            return
        self._checked_at = now
        stamp = self._stamp()
        if stamp != self._seen_stamp:
            self._seen_stamp = stamp
            self.reload()


def store() -> ContentStore:
    """The current app's content store."""
    found: ContentStore = current_app.extensions[EXTENSION_KEY]
    found.follow_reloads()
    return found


@contextlib.contextmanager
def tolerate_errors() -> Iterator[None]:
    """Let an app start with broken content (for `icbt content check`, which reports it)."""
    _tolerate.on = True
    try:
        yield
    finally:
        _tolerate.on = False


# Start-up loads by folder, reused while no file changed: several apps in one process
# (tests, the CLI) then render the same files once. Reload always reads the files.
_startup: dict[str, tuple[tuple[tuple[str, int, int], ...], LoadResult]] = {}


def _fingerprint(root: str) -> tuple[tuple[str, int, int], ...]:
    """Every file under root with its modification time and size."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            found.append((os.path.join(folder, name), st.st_mtime_ns, st.st_size))
    return tuple(found)


def _load_at_startup(root: str) -> LoadResult:
    """Load a folder, or reuse the result of an unchanged one."""
    fingerprint = _fingerprint(root)
    cached = _startup.get(root)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    result = load_content(root)
    _startup[root] = (fingerprint, result)
    return result


def init_app(app: Flask) -> None:
    """Load every program once at start-up; refuse to start if the content has errors."""
    root = str(app.config["CONTENT_DIR"])
    content_store = ContentStore(root, os.path.join(app.instance_path, STAMP_NAME))
    problems = content_store.reload(_load_at_startup(root))
    if content_store.failed and not getattr(_tolerate, "on", False):
        raise ContentError(root, problems)
    if problems:
        log.warning("content loaded with %d %s; run `icbt content check`",
                    len(problems), "warning" if len(problems) == 1 else "warnings")
    app.extensions[EXTENSION_KEY] = content_store


# Content versions for clients: the lesson each content version showed, kept in the
# database so that a lesson removed or renamed later still reads as it was.

def snapshot_lesson(program_slug: str | Program, lesson: Lesson) -> None:
    """Store the rendered lesson for the program's content version (once; commits).

    Pass the slug (the live program's version is used) or the Program the lesson came from.
    """
    content_store = store()
    if isinstance(program_slug, Program):
        program: Program | None = program_slug
        program_slug = program_slug.slug
    else:
        program = content_store.get_program(program_slug)
    if program is None:
        return
    key = (program_slug, program.content_hash, lesson.week)
    if key in content_store.snapshotted:
        return
    exists = db.session.scalar(select(LessonSnapshot.id).where(
        LessonSnapshot.program_slug == program_slug,
        LessonSnapshot.content_version == program.content_hash,
        LessonSnapshot.week == lesson.week))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(LessonSnapshot(
                    program_slug=program_slug, content_version=program.content_hash,
                    week=lesson.week, lesson_slug=lesson.slug[:120], title=lesson.title[:200],
                    html=lesson.html))
        except IntegrityError:  # another worker stored it first
            pass
        db.session.commit()
    content_store.snapshotted.add(key)


def historic_lesson(program_slug: str, content_version: str, week: int) -> tuple[str, str] | None:
    """(title, html) of a lesson as a content version showed it, or None if never stored."""
    program = store().get_program(program_slug)
    if program is not None and program.content_hash == content_version:
        lesson = program.lesson(week)
        if lesson is not None:
            return lesson.title, lesson.html
    row = db.session.scalars(select(LessonSnapshot).where(
        LessonSnapshot.program_slug == program_slug,
        LessonSnapshot.content_version == content_version,
        LessonSnapshot.week == week)).first()
    return (row.title, row.html) if row is not None else None
