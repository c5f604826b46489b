"""What the "Need help now?" pages show: the clinic's own contact first, then the crisis lines.

Plain data from the configuration, shared by /help, the help-now button and the PHQ-9
crisis page. Templates escape every value; a link is only ever http or https.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class ClinicContact:
    """The clinic's contact; any part may be empty and is then left out of the page."""

    name: str
    phone: str
    hours: str
    out_of_hours_name: str
    out_of_hours_phone: str

    @property
    def configured(self) -> bool:
        """Whether the deployment gave any way to reach the clinic."""
        return bool(self.phone or self.hours or self.out_of_hours_name or self.out_of_hours_phone)


@dataclass(frozen=True)
class Resource:
    """One crisis line or service from CRISIS_RESOURCES."""

    name: str
    detail: str
    phone: str
    url: str
    link_text: str


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _web_link(url: str) -> tuple[str, str]:
    """(url, readable text) for an http(s) address; ("", "") for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "", ""
    readable = parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
    return url, readable


def clinic_contact(config: Mapping[str, Any]) -> ClinicContact:
    """The CLINIC_* settings as one contact."""
    return ClinicContact(
        name=_text(config.get("CLINIC_NAME")),
        phone=_text(config.get("CLINIC_PHONE")),
        hours=_text(config.get("CLINIC_HOURS")),
        out_of_hours_name=_text(config.get("CLINIC_OUT_OF_HOURS_NAME")),
        out_of_hours_phone=_text(config.get("CLINIC_OUT_OF_HOURS_PHONE")),
    )


def resources(config: Mapping[str, Any]) -> list[Resource]:
    """CRISIS_RESOURCES as resources; a url is kept only when it is http or https."""
    out = []
    for raw in config.get("CRISIS_RESOURCES") or []:
        url, readable = _web_link(_text(raw.get("url")))
        out.append(Resource(name=_text(raw.get("name")), detail=_text(raw.get("detail")),
                            phone=_text(raw.get("phone")), url=url,
                            link_text=_text(raw.get("link_text")) or readable))
    return out


def page_context(config: Mapping[str, Any]) -> dict[str, Any]:
    """The values help.html (and safety/help_now.html) need."""
    return {"clinic": clinic_contact(config), "resources": resources(config)}
