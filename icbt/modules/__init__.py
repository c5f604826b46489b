"""The worksheet plug-ins: every built-in type, in one literal dict.

Each plug-in is a module here (a Worksheet subclass from base.py, its fields from
fields.py). Plug-ins import only each other: no database, no content store (a
contract in pyproject.toml checks it). The registry that adds the designer-defined worksheets from the content store
is icbt.programs.registry.
"""

from __future__ import annotations

from icbt.modules.activity_monitoring import ActivityMonitoring
from icbt.modules.activity_schedule import ActivitySchedule
from icbt.modules.base import Worksheet
from icbt.modules.check_the_facts import CheckTheFacts
from icbt.modules.communication_analysis import CommunicationAnalysis
from icbt.modules.diary_card import DiaryCard
from icbt.modules.interpersonal_inventory import InterpersonalInventory
from icbt.modules.journal import Journal
from icbt.modules.medication_log import MedicationLog
from icbt.modules.opposite_action import OppositeAction
from icbt.modules.thought_record import ThoughtRecord

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
