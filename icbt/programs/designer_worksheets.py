"""Designer-defined worksheets: `<program>/worksheets/<name>.md` -> FieldWorksheet.

The field specs are checked here (not only by the engine) so that every mistake
is reported at the line of the offending setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from icbt.modules.fields import FieldSpec
from icbt.modules.generic import FieldWorksheet
from icbt.programs.check import (
    CHOICE_TYPES,
    FIELD_NAME_RE,
    FIELD_TYPES,
    RESERVED_FIELD_NAMES,
    SCALE_TYPES,
    TEXT_TYPES,
    FileCheck,
    check_body,
)
from icbt.programs.frontmatter import FrontMatter, YNode
from icbt.programs.load import ProgramFiles, read_content_file, render_body
from icbt.programs.render import LESSON_FILE_RE, LinkContext
from icbt.programs.types import MOOD_CHECKIN, THERAPIES, Problem

WORKSHEET_KEYS = ("title", "therapy", "fields", "summary")
FIELD_KEYS = ("name", "label", "type", "required", "help", "choices", "low", "high",
              "max_length")
MAX_FIELDS = 40


def worksheet_key(file_name: str) -> str:
    """The key of a worksheet file: its name without .md, hyphens as underscores."""
    return file_name[:-3].replace("-", "_")


def parse_field(item: YNode, fc: FileCheck, names: dict[str, int]) -> Any:
    """Check one `fields:` item and build its FieldSpec (None when it is unusable)."""
    if item.kind != "map":
        fc.error(item.line, 'each field is a set of settings starting with "- name:"')
        return None
    before = len(fc.problems)
    fc.unknown_keys(item, FIELD_KEYS, " in a field")
    name = fc.text(item, "name", max_len=40)
    if name and not FIELD_NAME_RE.match(name):
        fc.error(item.line_of("name"), f'field name "{name}" must start with a letter and use '
                                       "only lower-case letters, digits and _")
    elif name in RESERVED_FIELD_NAMES:
        fc.error(item.line_of("name"), f'"{name}" is reserved: choose another field name')
    elif name in names:
        fc.error(item.line_of("name"), f'field name "{name}" is used twice (first on line '
                                       f"{names[name]})")
    elif name:
        names[name] = item.line_of("name")
    label = fc.text(item, "label", max_len=300)
    ftype = fc.choice(item, "type", FIELD_TYPES)
    required = fc.boolean(item, "required")
    help_text = fc.text(item, "help", required=False, max_len=500)
    choices = fc.text_list(item, "choices")
    if ftype in CHOICE_TYPES:
        if "choices" not in item.keys:
            fc.error(item.line_of("type"), f'a {ftype} field needs "choices: [first, second]"')
        elif len(choices) < 2:
            fc.error(item.line_of("choices"), "give at least two choices")
        seen: set[str] = set()
        for choice, line in choices:
            if choice in seen:
                fc.error(line, f'the choice "{choice}" is listed twice')
            seen.add(choice)
    elif "choices" in item.keys and ftype:
        fc.error(item.line_of("choices"), '"choices" only applies to single_choice, '
                                          "multiple_choice and checklist fields")
    low = fc.text(item, "low", required=False, max_len=60)
    high = fc.text(item, "high", required=False, max_len=60)
    for key in ("low", "high"):
        if key in item.keys and ftype and ftype not in SCALE_TYPES:
            fc.error(item.line_of(key), f'"{key}" only applies to scale_0_10 and scale_0_100 '
                                        "fields")
    max_length = fc.integer(item, "max_length", 1, 10000, required=False)
    if "max_length" in item.keys and ftype and ftype not in TEXT_TYPES:
        fc.error(item.line_of("max_length"), '"max_length" only applies to short_text and '
                                             "long_text fields")
    if len(fc.problems) != before or not (name and label and ftype):
        return None
    return FieldSpec(name=name, label=label, type=ftype, required=required, help=help_text,
                     choices=tuple(c for c, _ in choices), low=low, high=high,
                     max_length=max_length)


def parse_worksheet(key: str, fm: FrontMatter, fc: FileCheck, ctx: LinkContext,
                    source: str) -> Any:
    """Check a worksheet file and build its FieldWorksheet (None if it has errors)."""
    before = len([p for p in fc.problems if p.is_error])
    m = fm.data
    fc.unknown_keys(m, WORKSHEET_KEYS)
    title = fc.text(m, "title", max_len=120)
    therapy = fc.choice(m, "therapy", THERAPIES)
    specs = []
    names: dict[str, int] = {}
    fields_node = m.get("fields")
    if fields_node is None:
        fc.error(m.line, '"fields" is missing: list the questions, each starting with "- name:"')
    elif fields_node.kind != "seq" or not fields_node.items:
        fc.error(m.line_of("fields"), '"fields" must be a list of fields, each starting with '
                                      '"- name:"')
    elif len(fields_node.items) > MAX_FIELDS:
        fc.error(m.line_of("fields"), f"a worksheet has at most {MAX_FIELDS} fields")
    else:
        specs = [s for s in (parse_field(item, fc, names) for item in fields_node.items) if s]
    summary = fc.text_list(m, "summary", max_len=40)
    for name, line in summary:
        if name not in names:
            fc.error(line, f'summary: there is no field named "{name}"')
    check_body(fm.body.split("\n"), fm.body_line, fc, embeddable=(), worksheets_allowed=False,
               lesson=False)
    rendered = render_body(fm, ctx, fc)
    if len([p for p in fc.problems if p.is_error]) != before:
        return None
    return FieldWorksheet(key=key, title=title, therapy=therapy, fields=tuple(specs),
                          summary_fields=tuple(n for n, _ in summary),
                          intro_html=rendered.html, source=source)


def load_worksheets(pf: ProgramFiles, builtin: Mapping[str, Any], owners: dict[str, str],
                    problems: list[Problem]) -> None:
    """Read a program's worksheet files; keys must not clash with built-ins or other files."""
    weeks = {}
    for path in pf.lesson_files:
        match = LESSON_FILE_RE.match(path.name)
        if match:
            weeks[path.name] = int(match.group(1))
    ctx = LinkContext(pf.slug, weeks, frozenset(pf.images))
    for path in pf.worksheet_files:
        rel = pf.rel(path)
        key = worksheet_key(path.name)
        fc = FileCheck(rel, problems)
        if key in builtin or key == MOOD_CHECKIN:
            fc.error(1, f'the worksheet key "{key}" (from the file name) belongs to a built-in '
                        "worksheet: rename the file")
            continue
        if key in owners:
            fc.error(1, f'the worksheet key "{key}" (from the file name) is also used by '
                        f"{owners[key]}: rename one of them")
            continue
        owners[key] = rel
        pf.declared.add(key)  # lessons may name it even while it has errors of its own
        got = read_content_file(path, rel, problems)
        if got is None:
            continue
        data, fm = got
        pf.hashed[rel] = data
        worksheet = parse_worksheet(key, fm, fc, ctx, rel)
        if worksheet is not None:
            pf.worksheets[key] = worksheet
