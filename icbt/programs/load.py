"""Reading content files: text, front matter, program folders, images, rendered bodies.

Every helper reports what is wrong as Problems and carries on; content_build puts
the pieces together into Programs.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icbt.programs.check import FileCheck, find_line, short
from icbt.programs.frontmatter import FrontMatter, YamlProblem, read_front_matter
from icbt.programs.render import IMAGE_NAME_RE, LESSON_FILE_RE, LinkContext, Rendered, render
from icbt.programs.types import Problem

log = logging.getLogger("icbt.content")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# NN-slug.<lang>.md, program.<lang>.md, worksheets/<name>.<lang>.md: kept for translations.
TRANSLATION_RE = re.compile(r"^[a-z0-9_-]+\.[a-z]{2,3}(?:-[a-z]{2})?\.md$", re.I)
WORKSHEET_FILE_RE = re.compile(r"^[a-z][a-z0-9_-]*\.md$")
MAX_TEXT_BYTES = 512 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
SVG_DANGER_RE = re.compile(
    r"<\s*script|<\s*foreignObject|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*[\"']?\s*"
    r"(?:https?:|//|data:)|<!ENTITY|url\(\s*[\"']?\s*(?:https?:|//)", re.I)


@dataclass
class ProgramFiles:
    """One program folder while it is being read."""

    slug: str
    folder: Path
    program_file: Path | None = None
    lesson_files: list[Path] = field(default_factory=list)
    worksheet_files: list[Path] = field(default_factory=list)
    images: set[str] = field(default_factory=set)
    hashed: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes
    worksheets: dict[str, Any] = field(default_factory=dict)  # key -> FieldWorksheet
    declared: set[str] = field(default_factory=set)  # worksheet keys, usable or not

    def rel(self, path: Path) -> str:
        """A path as shown in messages: program slug, then the path inside the folder."""
        return f"{self.slug}/{path.relative_to(self.folder).as_posix()}"

    def content_hash(self) -> str:
        """sha256 over every file that shapes what clients see, in a stable order."""
        digest = hashlib.sha256()
        for rel in sorted(self.hashed):
            data = self.hashed[rel]
            digest.update(rel.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        return digest.hexdigest()


def read_text(path: Path, rel: str, problems: list[Problem]) -> tuple[bytes, str] | None:
    """Read a UTF-8 text file, or report why it cannot be used."""
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            problems.append(Problem(rel, 1, f"the file is too large (over {MAX_TEXT_BYTES // 1024}"
                                            " KB)"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if b"\0" in data:
        problems.append(Problem(rel, 1, "this is a binary file, not Markdown text"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "the file is not UTF-8 text: save it as UTF-8"))
        return None
    return data, text.replace("\r\n", "\n").replace("\r", "\n")


def read_content_file(path: Path, rel: str, problems: list[Problem]
                      ) -> tuple[bytes, FrontMatter] | None:
    """Read a file and its front matter; YAML trouble becomes problems."""
    got = read_text(path, rel, problems)
    if got is None:
        return None
    data, text = got
    try:
        fm, yaml_problems = read_front_matter(text)
    except YamlProblem as exc:
        problems.append(Problem(rel, exc.line, exc.message))
        return None
    problems.extend(Problem(rel, p.line, p.message) for p in yaml_problems)
    return data, fm


def scan_folder(slug: str, folder: Path, problems: list[Problem]) -> ProgramFiles:
    """List a program folder's files, read its images and report stray files."""
    pf = ProgramFiles(slug=slug, folder=folder)
    for entry in sorted(folder.iterdir()):
        name, rel = entry.name, pf.rel(entry)
        if name.startswith("."):
            continue
        if entry.is_symlink():
            problems.append(Problem(rel, 1, "symbolic links are not followed; copy the file "
                                            "instead", "warning"))
        elif not entry.is_dir() and not entry.is_file():  # a pipe or device: never read it
            problems.append(Problem(rel, 1, "ignored: not a plain file", "warning"))
        elif entry.is_dir() and name in ("images", "worksheets"):
            for sub in sorted(entry.iterdir()):
                if sub.name.startswith("."):
                    continue
                if sub.is_symlink() or not sub.is_file():
                    problems.append(Problem(pf.rel(sub), 1, "ignored: not a plain file",
                                            "warning"))
                elif name == "images":
                    _read_image(pf, sub, problems)
                elif TRANSLATION_RE.match(sub.name) and sub.name.count(".") > 1:
                    continue
                elif WORKSHEET_FILE_RE.match(sub.name):
                    pf.worksheet_files.append(sub)
                else:
                    problems.append(Problem(pf.rel(sub), 1, "a worksheet file is named "
                                            "<name>.md in lower-case letters, digits, - and _"))
        elif entry.is_dir():
            problems.append(Problem(rel, 1, "ignored folder (a program has only images/ and "
                                            "worksheets/ folders)", "warning"))
        elif name == "program.md":
            pf.program_file = entry
        elif LESSON_FILE_RE.match(name):
            pf.lesson_files.append(entry)
        elif TRANSLATION_RE.match(name) and name.count(".") > 1:
            continue  # a translation, reserved for later (see the README)
        elif name.endswith(".md"):
            problems.append(Problem(rel, 1, "not a lesson file name: lessons are named NN-slug.md "
                                            "(two digits, a hyphen, lower-case words joined by "
                                            "hyphens), e.g. 03-check-the-facts.md"))
        else:
            problems.append(Problem(rel, 1, "ignored file (not part of a program)", "warning"))
    return pf


def _read_image(pf: ProgramFiles, path: Path, problems: list[Problem]) -> None:
    """Accept an image that can be served safely; SVGs must hold no script or outside links."""
    rel = pf.rel(path)
    if not IMAGE_NAME_RE.match(path.name):
        problems.append(Problem(rel, 1, "this image cannot be used: name images in lower-case "
                                        "letters, digits, - and _ ending in .png, .jpg, .jpeg, "
                                        ".gif or .svg", "warning"))
        return
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            problems.append(Problem(rel, 1, "the image is too large (over 5 MB)"))
            return
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, f"cannot read the file: {exc.strerror or exc}"))
        return
    if path.suffix == ".svg":
        text = data.decode("utf-8", "replace")
        danger = SVG_DANGER_RE.search(text)
        if danger:
            line = text[: danger.start()].count("\n") + 1
            problems.append(Problem(rel, line, "SVG images must not contain scripts, event "
                                               "handlers or links to other sites: "
                                               f'"{short(danger.group(0), 30)}"'))
            return
    pf.images.add(path.name)
    pf.hashed[rel] = data


def report_rendered(r: Rendered, fm: FrontMatter, fc: FileCheck) -> None:
    """Turn what the renderer refused into problems at the right lines."""
    lines = fm.body.split("\n")
    seen: set[tuple[int, str]] = set()
    for raw in r.raw_html:
        line = find_line(lines, fm.body_line, raw)
        tag = re.match(r"<\s*/?\s*([A-Za-z][\w:-]*)", raw)
        shown = f"<{tag.group(1).lower()}>" if tag else short(raw, 30)
        if (line, shown) not in seen:
            seen.add((line, shown))
            fc.error(line, f"raw HTML is not allowed (it would be removed from the page): "
                           f"{shown}; write Markdown instead")
    for target, reason in r.bad_links:
        fc.error(find_line(lines, fm.body_line, target or "]("), f'{reason}: "{short(target)}"')
    for target in r.images_without_alt:
        fc.warn(find_line(lines, fm.body_line, target), "this image has no description: write "
                "one between the brackets, ![like this](images/x.png), for screen readers")


def render_body(fm: FrontMatter, ctx: LinkContext, fc: FileCheck) -> Rendered:
    """Render a file's Markdown body and report what it refused."""
    rendered = render(fm.body, ctx)
    report_rendered(rendered, fm, fc)
    return rendered
