"""When homework is overdue: the one rule the queue flag, the client overview, the session
brief and the client's home all use, so they always name the same items (pure).

An item is overdue when its deadline has passed, it is not done, it belongs to the
client's current program (or to none: a therapist's extra homework), and it fell due no
more than `window_days` ago (FLAG_HOMEWORK_WINDOW_DAYS, 28 by default). Older misses drop
off every page on the same day. The queue flag waits until one of them is
FLAG_HOMEWORK_OVERDUE_DAYS late (a grace period, see icbt.review.rules), and then lists
every overdue item, exactly as the overview's table does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

WINDOW_DAYS = 28


class Item(Protocol):
    """What the rule reads of a homework item (a snapshot row or a homework Status)."""

    @property
    def id(self) -> int: ...

    @property
    def due_at(self) -> datetime | None: ...

    @property
    def done(self) -> int: ...

    @property
    def times(self) -> int: ...

    @property
    def enrolment_id(self) -> int | None: ...


T = TypeVar("T", bound=Item)


def window_days(config: Mapping[str, Any]) -> int:
    """The clinic's window (FLAG_HOMEWORK_WINDOW_DAYS): misses older than this drop off."""
    return int(config.get("FLAG_HOMEWORK_WINDOW_DAYS", WINDOW_DAYS))


def is_overdue(item: Item, now: datetime, *, window: int = WINDOW_DAYS,
               enrolment_id: int | None = None) -> bool:
    """Tell whether one item is overdue at `now` (see the module docstring)."""
    if item.due_at is None or item.done >= max(item.times, 1) or now < item.due_at:
        return False
    if enrolment_id is not None and item.enrolment_id not in (None, enrolment_id):
        return False
    return now - item.due_at <= timedelta(days=window)


def pick(items: Iterable[T], now: datetime, *, window: int = WINDOW_DAYS,
         enrolment_id: int | None = None) -> list[T]:
    """The overdue items, the oldest deadline first."""
    late = [i for i in items if is_overdue(i, now, window=window, enrolment_id=enrolment_id)]
    return sorted(late, key=lambda i: (i.due_at or datetime.max, i.id))
