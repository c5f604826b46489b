"""Markdown to safe HTML for lessons: callouts, worksheet places, link targets, then nh3.

Two layers keep content from running code in a client's browser:
1. Raw HTML written in Markdown is escaped (shown as text), never passed on,
   and reported so the checker can call it an error.
2. The HTML python-markdown produces is sanitised by nh3 against an allowlist of
   tags, attributes, classes and URL schemes.
Link targets are rewritten here (lesson files, images, `crisis:`); anything
else relative, or with a scheme other than http(s)/mailto/tel, loses its href.
"""

from __future__ import annotations

import html as htmllib
import re
import secrets
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from icbt.programs.types import CALLOUT_KINDS, Segment

# `[[worksheet key]]` on a line of its own (checked line by line in content_check).
DIRECTIVE_RE = re.compile(r"^\[\[\s*worksheet\s+([A-Za-z0-9_-]+)\s*\]\]\s*$")
CALLOUT_OPEN_RE = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)[ \t]*(.*?)\s*$")
CALLOUT_CLOSE_RE = re.compile(r"^:::\s*$")
LESSON_FILE_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
IMAGE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(?:png|jpe?g|gif|svg)$")
ENTITY_RE = re.compile(r"^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});$")
# A well-formed comment only: `<!-->` and `--` inside end a comment early in browsers.
COMMENT_RE = re.compile(r"^<!--(?!-?>)(?:(?!--).)*-->\s*$", re.S)
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")

TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "img",
    "blockquote", "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
    "dl", "dt", "dd", "aside",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
              "td": {"align"}, "ol": {"start"}}
CLASSES = {"aside": {"callout"} | {f"callout-{k}" for k in CALLOUT_KINDS},
           "p": {"callout-title", "worksheet-ref"}}


@dataclass
class LinkContext:
    """What a Markdown file may link to: this program's lessons and images."""

    program_slug: str
    lesson_weeks: dict[str, int] = field(default_factory=dict)  # "02-x.md" -> 2
    images: frozenset[str] = frozenset()


@dataclass
class Rendered:
    """One Markdown text, rendered: segments in order plus what the checker needs to know."""

    segments: tuple[Segment, ...]
    raw_html: list[str] = field(default_factory=list)  # raw HTML that was escaped
    bad_links: list[tuple[str, str]] = field(default_factory=list)  # (target, reason)
    images_without_alt: list[str] = field(default_factory=list)
    text_chars: int = 0  # visible characters, to find empty lessons
    crisis_links: int = 0

    @property
    def html(self) -> str:
        """All html segments joined (worksheets left out)."""
        return "".join(v for k, v in self.segments if k == "html")


def classify_target(target: str, ctx: LinkContext, image: bool) -> tuple[str | None, str]:
    """Map a link or image target to the URL to use, or (None, reason it is refused)."""
    clean = _INVISIBLE.sub("", htmllib.unescape(target or ""))
    if image:
        if clean.startswith("images/"):
            name = clean[len("images/"):]
            if not IMAGE_NAME_RE.match(name):
                return None, ("image names use lower-case letters, digits, - and _ and end in "
                              ".png, .jpg, .jpeg, .gif or .svg")
            if name not in ctx.images:
                return None, "image not found in this program's images/ folder"
            return f"/content/{ctx.program_slug}/images/{name}", ""
        return None, "images must come from this program's images/ folder (images/NAME.png)"
    if clean.lower() == "crisis:":
        return "/help", ""
    scheme = _SCHEME_RE.match(clean)
    if scheme:
        if scheme.group(1).lower() in SAFE_SCHEMES:
            return target, ""
        return None, f'unsafe link: "{scheme.group(1).lower()}:" links are not allowed'
    name = clean[2:] if clean.startswith("./") else clean
    if LESSON_FILE_RE.match(name):
        week = ctx.lesson_weeks.get(name)
        if week is None:
            return None, "link to a lesson file that does not exist in this program"
        return f"/lessons/{ctx.program_slug}/{week}", ""
    return None, ("link target is not a lesson file of this program (NN-slug.md), crisis:, "
                  "or a web address (https://...)")


class _WorksheetPlaces(Preprocessor):
    """Replace `[[worksheet key]]` lines with a placeholder paragraph."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        keys: list[str] = self.md.icbt_worksheets  # type: ignore[attr-defined]
        nonce: str = self.md.icbt_nonce  # type: ignore[attr-defined]
        for line in lines:
            m = DIRECTIVE_RE.match(line)
            if m:
                out.extend(["", f"ICBTWORKSHEET{nonce}N{len(keys)}X", ""])
                keys.append(m.group(1))
            else:
                out.append(line)
        return out


class _Callouts(BlockProcessor):
    """`::: kind [title]` ... `:::` becomes <aside class="callout callout-kind">."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return any(CALLOUT_OPEN_RE.match(line) for line in block.split("\n"))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        start = next(i for i, ln in enumerate(lines) if CALLOUT_OPEN_RE.match(ln))
        if start:  # text right above the callout, with no empty line between them
            self.parser.parseBlocks(parent, ["\n".join(lines[:start])])
        head, rest = lines[start], "\n".join(lines[start + 1:])
        m = CALLOUT_OPEN_RE.match(head)
        assert m is not None
        kind = m.group(1).lower() if m.group(1).lower() in CALLOUT_KINDS else "note"
        inner: list[str] = []
        pending: str | None = rest
        while pending is not None:
            lines = pending.split("\n")
            closed_at = next((i for i, ln in enumerate(lines) if CALLOUT_CLOSE_RE.match(ln)), None)
            if closed_at is not None:
                inner.extend(lines[:closed_at])
                after = "\n".join(lines[closed_at + 1:])
                if after.strip():
                    blocks.insert(0, after)
                break
            inner.extend(lines)
            inner.append("")
            pending = blocks.pop(0) if blocks else None
        aside = etree.SubElement(parent, "aside")
        aside.set("class", f"callout callout-{kind}")
        if m.group(2):
            title = etree.SubElement(aside, "p")
            title.set("class", "callout-title")
            title.text = m.group(2)
        self.parser.parseChunk(aside, "\n".join(inner))


class _Links(Treeprocessor):
    """Rewrite link and image targets; drop the ones that are not allowed."""

    def run(self, root: etree.Element) -> None:
        ctx: LinkContext = self.md.icbt_ctx  # type: ignore[attr-defined]
        found: Rendered = self.md.icbt_found  # type: ignore[attr-defined]
        for el in root.iter():
            if el.tag not in ("a", "img"):
                continue
            attr = "href" if el.tag == "a" else "src"
            target = el.get(attr, "")
            url, reason = classify_target(target, ctx, image=el.tag == "img")
            if url is None:
                found.bad_links.append((target, reason))
                del el.attrib[attr]
            else:
                el.set(attr, url)
                if url == "/help":
                    found.crisis_links += 1
            if el.tag == "img" and not (el.get("alt") or "").strip():
                found.images_without_alt.append(target)


class _EscapeRawHtml(RawHtmlPostprocessor):
    """Show raw HTML as text instead of passing it on (comments are dropped)."""

    def stash_to_string(self, text: object) -> str:
        value = str(text)
        if ENTITY_RE.match(value):
            return value
        if COMMENT_RE.match(value):
            return ""
        self.md.icbt_found.raw_html.append(value)  # type: ignore[attr-defined]
        return htmllib.escape(value)


class _IcbtExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - markdown API
        md.preprocessors.register(_WorksheetPlaces(md), "icbt_worksheets", 25)
        md.parser.blockprocessors.register(_Callouts(md.parser), "icbt_callouts", 105)
        md.treeprocessors.register(_Links(md), "icbt_links", 15)
        md.postprocessors.deregister("raw_html")
        md.postprocessors.register(_EscapeRawHtml(md), "raw_html", 30)


def sanitise(html: str) -> str:
    """Clean HTML against the lesson allowlist (nh3); the last word on what reaches a page."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
                     url_schemes=set(SAFE_SCHEMES), link_rel="noopener noreferrer",
                     strip_comments=True)


def _text_chars(html: str) -> int:
    """Count the visible characters of some HTML."""
    return len("".join(re.sub(r"<[^>]*>", " ", html).split()))


def render(text: str, ctx: LinkContext) -> Rendered:
    """Render one Markdown text to sanitised segments, noting everything it had to refuse."""
    md = markdown.Markdown(extensions=["tables", "sane_lists", "def_list", _IcbtExtension()],
                           extension_configs={"tables": {"use_align_attribute": True}},
                           output_format="html")
    found = Rendered(segments=())
    md.icbt_ctx = ctx  # type: ignore[attr-defined]
    md.icbt_found = found  # type: ignore[attr-defined]
    md.icbt_worksheets = []  # type: ignore[attr-defined]
    # A fresh token per render, so no text a designer writes can pose as a worksheet place.
    nonce = secrets.token_hex(8)
    md.icbt_nonce = nonce  # type: ignore[attr-defined]
    clean = sanitise(md.convert(text))
    keys: list[str] = md.icbt_worksheets  # type: ignore[attr-defined]
    segments: list[Segment] = []
    pos = 0
    for m in re.finditer(rf"<p>ICBTWORKSHEET{nonce}N(\d+)X</p>", clean):
        if clean[pos:m.start()].strip():
            segments.append(("html", clean[pos:m.start()]))
        segments.append(("worksheet", keys[int(m.group(1))]))
        pos = m.end()
    if clean[pos:].strip():
        segments.append(("html", clean[pos:]))
    found.segments = tuple(segments)
    found.text_chars = _text_chars(found.html)
    return found


def worksheet_ref(title: str) -> str:
    """The one-line stand-in for a worksheet in a lesson's plain HTML."""
    return f'<p class="worksheet-ref">{htmllib.escape(title)}</p>'
