"""The flag lifecycle (pure): which flags to open, update, close or clear for one client.

A flag opens when its rule holds and closes by itself when it stops holding, unless the
therapist acknowledged it; an acknowledgement may snooze the flag until a date.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from icbt.review.rules import RULE_KINDS, FlagResult


@dataclass(frozen=True)
class StoredFlag:
    """A Flag row that still matters: open, or acknowledged while its rule keeps holding."""

    id: int
    kind: str
    is_open: bool
    acknowledged: bool
    snoozed_until: date | None = None
    # The stored evidence: a mapping, or the JSON text as stored (icbt.review reads it raw,
    # so unchanged flags are recognised without decoding thousands of JSON documents).
    evidence: Mapping[str, Any] | str = field(default_factory=dict)


def same_evidence(stored: Mapping[str, Any] | str, new: dict[str, Any]) -> bool:
    """Tell whether a flag's stored evidence equals the rule's evidence now."""
    if isinstance(stored, str):
        if stored == json.dumps(new):  # written by the same json.dumps: the usual case
            return True
        try:
            stored = json.loads(stored)
        except ValueError:
            return False
    return isinstance(stored, Mapping) and dict(stored) == new


@dataclass
class FlagPlan:
    """The changes that bring one client's stored flags in line with the rules."""

    to_open: list[FlagResult] = field(default_factory=list)
    reopened_after: dict[str, date] = field(default_factory=dict)  # kind -> snooze date
    to_update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    to_close: list[int] = field(default_factory=list)  # open, rule no longer holds
    to_clear: list[int] = field(default_factory=list)  # acknowledged, rule cleared or snooze over


def plan_flags(results: list[FlagResult], stored: list[StoredFlag], today: date) -> FlagPlan:
    """Decide the changes: open when a rule holds, close when it stops, respect acknowledgements.

    An acknowledged flag stays closed while its rule keeps holding; with a snooze date it
    reopens (as a new row, so history is kept) on the day after that date if the rule holds.
    Risk flags are never touched here: only a therapist's acknowledgement closes them.
    """
    plan = FlagPlan()
    holding = {r.kind: r for r in results}
    for kind in RULE_KINDS:
        mine = [f for f in stored if f.kind == kind]
        open_flag = next((f for f in mine if f.is_open), None)
        acked = [f for f in mine if not f.is_open and f.acknowledged]
        result = holding.get(kind)
        if result is None:
            if open_flag is not None:
                plan.to_close.append(open_flag.id)
            plan.to_clear.extend(f.id for f in acked)
            continue
        if open_flag is not None:
            if not same_evidence(open_flag.evidence, result.evidence):
                plan.to_update.append((open_flag.id, result.evidence))
            plan.to_clear.extend(f.id for f in acked)
            continue
        snoozing = [f for f in acked if f.snoozed_until is None or today <= f.snoozed_until]
        if snoozing:
            continue
        plan.to_open.append(result)
        if acked:
            plan.reopened_after[kind] = max(f.snoozed_until for f in acked
                                            if f.snoozed_until is not None)
        plan.to_clear.extend(f.id for f in acked)
    return plan
