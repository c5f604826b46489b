"""Build Programs from content folders: per-file checks, whole-program checks, then the objects.

`load_content` is the one entry point: `icbt content check`, the start-up load and
the designer's reload all call it, so what the checker accepts is exactly what is
served. It never raises: unreadable files, bad YAML and surprises become Problems.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from icbt.modules import BUILTIN
from icbt.programs.check import LANGUAGE_RE, FileCheck, check_body, parse_every, unknown_worksheet
from icbt.programs.designer_worksheets import load_worksheets
from icbt.programs.frontmatter import YNode
from icbt.programs.load import SLUG_RE, ProgramFiles, read_content_file, render_body, scan_folder
from icbt.programs.render import LESSON_FILE_RE, LinkContext, worksheet_ref
from icbt.programs.types import (
    MOOD_CHECKIN,
    THERAPIES,
    UNLOCK_RULES,
    HomeworkSpec,
    Lesson,
    LoadResult,
    Problem,
    Program,
)

log = logging.getLogger("icbt.content")
T = TypeVar("T")

PROGRAM_KEYS = ("title", "therapy", "summary", "audience", "weeks", "version", "language",
                "unlock", "min_gap_days", "measures", "settings")
LESSON_KEYS = ("week", "title", "minutes", "summary", "homework")
HOMEWORK_KEYS = ("worksheet", "times", "instruction")


@dataclass
class ProgramMeta:
    """What program.md says (defaults where it is missing or wrong)."""

    rel: str
    title: str = ""
    therapy: str = ""
    summary: str = ""
    audience: str = ""
    weeks: int | None = None
    weeks_line: int = 1
    version: str = ""
    language: str = "en"
    unlock: str = "schedule"
    min_gap_days: int = 7
    measures: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    intro_html: str = ""


def _guard(fn: Callable[[], T], path: str, problems: list[Problem]) -> T | None:
    """Run one step; an unexpected error becomes a problem instead of a traceback."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the checker must report, never crash
        log.exception("content: unexpected error while reading %s", path)
        problems.append(Problem(path, 1, f"unexpected error while reading this: "
                                         f"{type(exc).__name__}: {exc}"))
        return None


def parse_program(pf: ProgramFiles, ctx: LinkContext, known: set[str],
                  builtin: Mapping[str, Any], problems: list[Problem]) -> ProgramMeta:
    """Read and check program.md."""
    if pf.program_file is None:
        meta = ProgramMeta(rel=f"{pf.slug}/program.md", title=pf.slug)
        problems.append(Problem(meta.rel, 1, "missing: every program folder needs a program.md"))
        return meta
    meta = ProgramMeta(rel=pf.rel(pf.program_file), title=pf.slug)
    got = read_content_file(pf.program_file, meta.rel, problems)
    if got is None:
        return meta
    data, fm = got
    pf.hashed[meta.rel] = data
    fc, m = FileCheck(meta.rel, problems), fm.data
    fc.unknown_keys(m, PROGRAM_KEYS)
    meta.title = fc.text(m, "title", max_len=120) or pf.slug
    meta.therapy = fc.choice(m, "therapy", THERAPIES)
    meta.summary = fc.text(m, "summary", max_len=300)
    meta.audience = fc.text(m, "audience", max_len=300)
    meta.weeks, meta.weeks_line = fc.integer(m, "weeks", 1, 52), m.line_of("weeks")
    meta.version = fc.text(m, "version", max_len=20)
    language = fc.text(m, "language", required=False, max_len=10, default="en")
    if not LANGUAGE_RE.match(language):
        fc.error(m.line_of("language"), f'"language" must be a language code like en or pt-BR '
                                        f'(not "{language}")')
    else:
        meta.language = language
    meta.unlock = fc.choice(m, "unlock", UNLOCK_RULES, required=False, default="schedule")
    meta.min_gap_days = fc.integer(m, "min_gap_days", 0, 60, required=False, default=7) or 0
    measures = fc.mapping(m, "measures")
    for key, node in (measures.keys if measures is not None else {}).items():
        assert measures is not None
        if key not in ("phq9", "gad7"):
            fc.error(measures.line_of(key), f'unknown measure "{key}" (use phq9 or gad7)')
        elif (every := parse_every(node, fc, key)) is not None:
            meta.measures[key] = every
    settings = fc.mapping(m, "settings")
    for key, node in (settings.keys if settings is not None else {}).items():
        assert settings is not None
        if key not in known:
            fc.error(settings.line_of(key), "settings: " + unknown_worksheet(key, known))
        elif node.kind != "map":
            fc.error(settings.line_of(key), f'settings for "{key}" must be `name: value` lines')
        else:
            value = node.to_python()
            worksheet = builtin.get(key)
            try:  # let the worksheet try its settings now, not in front of a client
                if worksheet is not None:
                    worksheet.sections({key: value})
            except Exception as exc:  # noqa: BLE001 - any failure is the designer's message
                fc.error(settings.line_of(key), f'settings for "{key}" cannot be used: {exc}')
            else:
                meta.settings[key] = value
    check_body(fm.body.split("\n"), fm.body_line, fc, embeddable=known,
               worksheets_allowed=False, lesson=False)
    rendered = render_body(fm, ctx, fc)
    if rendered.text_chars == 0:
        fc.warn(fm.body_line, "no welcome text: write a few sentences below the front matter")
    meta.intro_html = rendered.html
    return meta


def parse_homework(m: YNode, fc: FileCheck, known: set[str]) -> list[HomeworkSpec]:
    """Read a lesson's homework list."""
    node = m.get("homework")
    if node is None or (node.kind == "scalar" and node.value is None):
        return []
    if node.kind != "seq":
        fc.error(m.line_of("homework"), 'homework must be a list: each item starts with '
                                        '"- worksheet:"')
        return []
    out = []
    for item in node.items:
        if item.kind != "map":
            fc.error(item.line, 'each homework item is a set of settings starting with '
                                '"- worksheet:"')
            continue
        fc.unknown_keys(item, HOMEWORK_KEYS, " in homework")
        key = fc.text(item, "worksheet", max_len=80)
        if key and key not in known and key != MOOD_CHECKIN:
            fc.error(item.line_of("worksheet"), unknown_worksheet(key, known | {MOOD_CHECKIN}))
            key = ""
        times = fc.integer(item, "times", 1, 50, required=False, default=1) or 1
        instruction = fc.text(item, "instruction", max_len=500)
        if key:
            out.append(HomeworkSpec(worksheet=key, times=times, instruction=instruction))
    return out


def parse_lesson(pf: ProgramFiles, path: Path, ctx: LinkContext, known: set[str],
                 titles: Mapping[str, str], problems: list[Problem]) -> tuple[Lesson, int] | None:
    """Read, check and render one lesson; return it with the line of its `week`."""
    rel = pf.rel(path)
    match = LESSON_FILE_RE.match(path.name)
    assert match is not None
    got = read_content_file(path, rel, problems)
    if got is None:
        return None
    data, fm = got
    pf.hashed[rel] = data
    fc, m = FileCheck(rel, problems), fm.data
    fc.unknown_keys(m, LESSON_KEYS)
    number = int(match.group(1))
    week = fc.integer(m, "week", 1, 99)
    if week is not None and week != number:
        fc.error(m.line_of("week"), f"week is {week} but the file name starts with "
                                    f"{number:02d}: make them match")
    title = fc.text(m, "title", max_len=120)
    minutes = fc.integer(m, "minutes", 1, 180)
    summary = fc.text(m, "summary", required=False, max_len=300)
    if "summary" not in m.keys:
        fc.warn(m.line, 'no "summary": the lesson list will show only the title')
    homework = parse_homework(m, fc, known)
    check_body(fm.body.split("\n"), fm.body_line, fc, embeddable=known, worksheets_allowed=True,
               lesson=True)
    rendered = render_body(fm, ctx, fc)
    if rendered.text_chars == 0:
        fc.error(fm.body_line, "the lesson is empty: write its text below the front matter")
    elif rendered.crisis_links == 0:
        fc.warn(fm.body_line, "no safety note: add a ::: safety callout with a "
                              "[Need help now?](crisis:) link")
    html = "".join(v if k == "html" else worksheet_ref(titles.get(v, v))
                   for k, v in rendered.segments)
    lesson = Lesson(week=week or number, slug=match.group(2), title=title, minutes=minutes or 0,
                    summary=summary, homework=tuple(homework), file=path.name, html=html,
                    segments=rendered.segments, content_hash=hashlib.sha256(data).hexdigest())
    return lesson, m.line_of("week")


def build_program(pf: ProgramFiles, builtin: Mapping[str, Any],
                  problems: list[Problem]) -> Program:
    """Read program.md and the lessons, check the weeks, and build the Program."""
    known = set(builtin) | pf.declared
    titles = {k: str(getattr(ws, "title", k)) for k, ws in {**builtin, **pf.worksheets}.items()}
    weeks_by_file = {}
    for path in pf.lesson_files:
        match = LESSON_FILE_RE.match(path.name)
        assert match is not None
        weeks_by_file[path.name] = int(match.group(1))
    ctx = LinkContext(pf.slug, weeks_by_file, frozenset(pf.images))
    meta = parse_program(pf, ctx, known, builtin, problems)
    by_week: dict[int, Lesson] = {}
    for path in pf.lesson_files:
        rel = pf.rel(path)
        got = _guard(partial(parse_lesson, pf, path, ctx, known, titles, problems), rel, problems)
        if got is None:
            continue
        lesson, week_line = got
        if lesson.week in by_week:
            problems.append(Problem(rel, week_line, f"week {lesson.week} is also used by "
                                                    f"{by_week[lesson.week].file}"))
            continue
        if meta.weeks is not None and lesson.week > meta.weeks:
            problems.append(Problem(rel, week_line, f"week {lesson.week} is after the program's "
                                                    f"last week (weeks: {meta.weeks} in "
                                                    "program.md)"))
        by_week[lesson.week] = lesson
    for week in range(1, (meta.weeks or 0) + 1):
        if week not in by_week:
            problems.append(Problem(meta.rel, meta.weeks_line, f"week {week} has no lesson "
                                                               f"(weeks: {meta.weeks})"))
    return Program(
        slug=pf.slug, title=meta.title, therapy=meta.therapy, summary=meta.summary,
        audience=meta.audience, weeks=meta.weeks or len(by_week), version=meta.version,
        language=meta.language, unlock=meta.unlock, min_gap_days=meta.min_gap_days,
        measures=meta.measures, settings=meta.settings, intro_html=meta.intro_html,
        lessons=tuple(by_week[w] for w in sorted(by_week)), content_hash=pf.content_hash(),
        path=str(pf.folder), images=frozenset(pf.images))


def load_content(root: Path | str, builtin: Mapping[str, Any] | None = None) -> LoadResult:
    """Read every program under root (or root itself when it holds a program.md)."""
    if builtin is None:
        builtin = BUILTIN
    keys: Mapping[str, Any] = builtin
    result = LoadResult()
    problems = result.problems
    root = Path(root)
    if not root.is_dir():
        problems.append(Problem(str(root), 1, "not a folder"))
        return result
    single = (root / "program.md").is_file()
    folders = [root] if single else [p for p in sorted(root.iterdir())
                                     if p.is_dir() and not p.name.startswith(".")]
    scanned: list[ProgramFiles] = []
    for folder in folders:
        if not SLUG_RE.match(folder.name):
            problems.append(Problem(folder.name, 1, "a program folder's name is its slug: use "
                                                    "lower-case letters, digits and hyphens"))
            continue
        pf = _guard(partial(scan_folder, folder.name, folder, problems), folder.name, problems)
        if pf is not None:
            scanned.append(pf)
    owners: dict[str, str] = {}
    for pf in scanned:
        _guard(partial(load_worksheets, pf, keys, owners, problems), pf.slug, problems)
        result.worksheets.update(pf.worksheets)
    for pf in scanned:
        program = _guard(partial(build_program, pf, keys, problems), pf.slug, problems)
        if program is not None:
            result.programs[pf.slug] = program
    problems.sort()
    return result
