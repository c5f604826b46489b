"""`icbt content check [PATH]` and `icbt content list [--json]`.

The group is registered on the `icbt` command itself (not only on the app), so
it runs even when the configured content is broken and the app would refuse to
start: that is exactly when a designer needs the checker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo

from icbt.modules import BUILTIN
from icbt.programs import store
from icbt.programs.types import LoadResult


@click.group("content")
def content_group() -> None:
    """Check and list the therapy programs (Markdown in the content folder)."""


def _configured_dir() -> Path:
    """The app's CONTENT_DIR, loading the app even if its content is broken."""
    if current_app:
        return Path(current_app.config["CONTENT_DIR"])
    info = click.get_current_context().ensure_object(ScriptInfo)
    with store.tolerate_errors():
        app = info.load_app()
    return Path(app.config["CONTENT_DIR"])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result: LoadResult, root: Path) -> str:
    """The last line of a check: what was checked and how it went."""
    lessons = sum(len(p.lessons) for p in result.programs.values())
    checked = (f"Checked {_plural(len(result.programs), 'program')} "
               f"({_plural(lessons, 'lesson')}, {_plural(len(result.worksheets), 'worksheet')}) "
               f"in {root}: ")
    errors, warnings = len(result.errors), len(result.warnings)
    if not errors and not warnings:
        return checked + "no problems."
    return checked + f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}."


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Check every program under PATH (default: the configured content folder)."""
    root = path if path is not None else _configured_dir()
    result = store.load_content(root)
    for problem in result.problems:
        click.echo(str(problem))
    click.echo(summary_line(result, root))
    if result.errors:
        raise SystemExit(1)


def listing(result: LoadResult) -> dict[str, Any]:
    """Programs, lessons and every worksheet (built-in and designer-defined) as plain data."""
    programs = [{
        "slug": p.slug, "title": p.title, "therapy": p.therapy, "version": p.version,
        "lessons": [{"week": lesson.week, "slug": lesson.slug, "title": lesson.title,
                     "file": lesson.file,
                     "homework": [{"worksheet": h.worksheet, "times": h.times,
                                   "instruction": h.instruction} for h in lesson.homework]}
                    for lesson in p.lessons],
    } for p in result.programs.values()]
    everything = {**BUILTIN, **result.worksheets}
    worksheets = [{"key": key, "title": str(ws.title), "therapy": str(ws.therapy),
                   "source": str(getattr(ws, "source", "builtin"))}
                  for key, ws in everything.items()]
    return {"programs": programs, "worksheets": worksheets}


@content_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def list_(as_json: bool, path: Path | None) -> None:
    """List programs, their lessons and every worksheet."""
    root = path if path is not None else _configured_dir()
    result = store.load_content(root)
    data = listing(result)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for p in data["programs"]:
            click.echo(f"{p['slug']}: {p['title']} ({p['therapy']}, version {p['version']}, "
                       f"{_plural(len(p['lessons']), 'lesson')})")
            for lesson in p["lessons"]:
                homework = ", ".join(f"{h['worksheet']} x{h['times']}" for h in lesson["homework"])
                click.echo(f"  {lesson['week']:>2}. {lesson['title']}  [{lesson['file']}]"
                           + (f"  homework: {homework}" if homework else ""))
        click.echo("worksheets:")
        for ws in data["worksheets"]:
            click.echo(f"  {ws['key']}: {ws['title']} ({ws['therapy'] or 'any'}; {ws['source']})")
    if result.errors:
        click.echo(f"The content has {_plural(len(result.errors), 'error')}: run "
                   "`icbt content check`.", err=True)
        raise SystemExit(1)
