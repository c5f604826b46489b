"""HTML helpers for the security tests: find forms and their fields, and find executable markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_TYPES = {"text", "search", "url", "tel", ""}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
             "lowsrc", "dynsrc", "ping", "codebase", "cite", "longdesc", "manifest"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")


@dataclass
class Field:
    tag: str  # input, textarea, select
    name: str
    type: str = ""
    value: str = ""
    maxlength: int | None = None
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)

    @property
    def free_text(self) -> bool:
        """A field where a person types their own words."""
        if self.tag == "textarea":
            return True
        return self.tag == "input" and self.type in TEXT_TYPES


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    submit: tuple[str, str] | None = None

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.free_text]


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page_url, attrs["href"]))
        if tag == "form":
            self._form = Form(action=urljoin(self.page_url, attrs.get("action") or self.page_url),
                              method=(attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name", "")
        maxlength = int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else None
        if tag == "input" and name:
            kind = attrs.get("type", "").lower()
            if kind in ("submit", "image"):
                self._form.submit = self._form.submit or (name, attrs.get("value", ""))
                return
            if kind in ("button", "reset", "file"):
                return
            self._form.fields.append(Field("input", name, kind, attrs.get("value", ""), maxlength,
                                           "checked" in attrs))
        elif tag == "textarea" and name:
            self._textarea = Field("textarea", name, maxlength=maxlength)
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field("select", name)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            self._form.submit = self._form.submit or (name, attrs.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def parse_page(html: str, page_url: str) -> tuple[list[Form], list[str]]:
    """Return the forms and the absolute link targets of a page."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms, parser.links


def local_path(url: str) -> str | None:
    """The path and query of a same-site link (None for other sites or non-HTTP links)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in ("localhost", ""):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _script_url(value: str) -> bool:
    """Would a browser run this URL as script (javascript:, vbscript:, data:text/html)?"""
    cleaned = _SCHEME_NOISE.sub("", value).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html", "data:application",
                               "data:image/svg"))


class _ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k.lower(): (v or "") for k, v in attrs_list}
        where = self.get_starttag_text() or tag
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event handler attribute: {where}")
            if name == "srcdoc":
                self.problems.append(f"srcdoc: {where}")
            if name in URL_ATTRS and _script_url(value):
                if not (tag == "img" and name == "src" and value.startswith("data:image/svg+xml")):
                    self.problems.append(f"script URL: {where}")
        if tag == "script":
            src = attrs.get("src", "")
            if not src.startswith("/static/"):
                self.problems.append(f"script not from /static/: {where}")
            self._in_script = True
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>: {where}")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh: {where}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]}")


def executable_markup(html: str) -> list[str]:
    """List everything in a page that a browser could execute beyond our own static scripts."""
    finder = _ScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
