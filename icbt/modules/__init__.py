"""The worksheet registry: every built-in type in one literal dict, then designer-defined ones."""

from __future__ import annotations

import logging

from .activity_monitoring import ActivityMonitoring
from .activity_schedule import ActivitySchedule
from .base import Worksheet
from .check_the_facts import CheckTheFacts
from .communication_analysis import CommunicationAnalysis
from .diary_card import DiaryCard
from .interpersonal_inventory import InterpersonalInventory
from .journal import Journal
from .medication_log import MedicationLog
from .opposite_action import OppositeAction
from .thought_record import ThoughtRecord

log = logging.getLogger("icbt.modules")

BUILTIN: dict[str, Worksheet] = {
    "thought_record": ThoughtRecord(),
    "activity_monitoring": ActivityMonitoring(),
    "activity_schedule": ActivitySchedule(),
    "diary_card": DiaryCard(),
    "check_the_facts": CheckTheFacts(),
    "opposite_action": OppositeAction(),
    "interpersonal_inventory": InterpersonalInventory(),
    "communication_analysis": CommunicationAnalysis(),
    "journal": Journal(),
    "medication_log": MedicationLog(),
}


def designer_worksheets() -> dict[str, Worksheet]:
    """Designer-defined worksheets from the content store ({} when it is not loaded)."""
    try:
        from .. import content

        store_fn = getattr(content, "store", None)
        if store_fn is None:
            return {}
        found = store_fn().worksheets
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
