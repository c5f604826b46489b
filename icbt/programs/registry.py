"""The worksheet registry: the built-in plug-ins (icbt.modules), then the designer's own.

Designer-defined worksheets come from the loaded content store, so the registry lives
with the content engine; worksheets, homework, briefs and the views look types up here.
"""

from __future__ import annotations

import logging

from icbt.modules import BUILTIN
from icbt.modules.base import Worksheet
from icbt.programs import store

log = logging.getLogger("icbt.modules")


def designer_worksheets() -> dict[str, Worksheet]:
    """Designer-defined worksheets from the content store ({} when it is not loaded)."""
    try:
        found = store.store().worksheets
        return dict(found) if found else {}
    except Exception:  # noqa: BLE001 - no app context, or content not loaded yet
        log.debug("content store not available for worksheets", exc_info=True)
        return {}


def get(key: str | None) -> Worksheet | None:
    """The worksheet with this key: built-ins first, then the designer's."""
    if not key or not isinstance(key, str):
        return None
    found = BUILTIN.get(key)
    if found is not None:
        return found
    return designer_worksheets().get(key)


def all_worksheets() -> dict[str, Worksheet]:
    """Every worksheet by key, built-ins first (a designer key never hides a built-in)."""
    out: dict[str, Worksheet] = dict(BUILTIN)
    for key, ws in designer_worksheets().items():
        out.setdefault(key, ws)
    return out
