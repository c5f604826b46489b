"""The demo's settings: a fictional clinic contact, and email links to where the demo serves.

`icbt demo` applies them to its app before building and serving. A setting the person
running the demo gave (instance/config.py, ICBT_*) is left as it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import MutableMapping
from typing import Any

from icbt.config import Defaults

# Fictional on purpose: 01632 960xxx are the UK numbers Ofcom keeps for drama, never in use.
DEMO_CLINIC: dict[str, str] = {
    "CLINIC_NAME": "Riverside Talking Therapies (demo)",
    "CLINIC_PHONE": "01632 960 123",
    "CLINIC_HOURS": "Mon–Fri 9:00–17:00",
    "CLINIC_OUT_OF_HOURS_NAME": "Riverside out-of-hours crisis line (demo)",
    "CLINIC_OUT_OF_HOURS_PHONE": "01632 960 999",
}


def _is_any_address(host: str) -> bool:
    """Whether host means "every interface" (0.0.0.0, ::): not one a browser can open."""
    if not host:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:  # a host name
        return False


def serving_base_url(host: str, port: int) -> str:
    """The address of a demo served on host:port, as email links should name it."""
    if _is_any_address(host):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _unset(config: MutableMapping[str, Any], key: str) -> bool:
    """Whether key still has its built-in default (nobody set it)."""
    return config.get(key) == getattr(Defaults, key)


def apply(config: MutableMapping[str, Any], host: str, port: int) -> dict[str, Any]:
    """Give the demo's values to the settings nobody set; return what was set.

    The clinic's ways of reaching it go together: once any of them is set, the demo's
    fictional numbers stay out, so they never sit beside a real clinic's.
    """
    changed: dict[str, Any] = {}
    contact = [key for key in DEMO_CLINIC if key != "CLINIC_NAME"]
    if all(_unset(config, key) for key in contact):
        changed.update({key: DEMO_CLINIC[key] for key in contact})
    if _unset(config, "CLINIC_NAME"):
        changed["CLINIC_NAME"] = DEMO_CLINIC["CLINIC_NAME"]
    if _unset(config, "BASE_URL"):
        changed["BASE_URL"] = serving_base_url(host, port)
    config.update(changed)
    return changed
