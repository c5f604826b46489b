"""The clock and time zones: everything stored is naive UTC; every "today" is local.

utcnow() reads the app's injectable clock (config CLOCK), so time-dependent rules are
tested with an injected clock, not by sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Return the current time as naive UTC, from the app's injectable clock if one is set."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
        if clock is not None:
            value = clock()
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return value
    return datetime.now(UTC).replace(tzinfo=None)


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """Return the zone by name, falling back to UTC for an unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=16384)  # the flag recompute converts the same instants for many clients
def to_local(value: datetime, tz: str | None) -> datetime:
    """Convert a naive UTC datetime to naive local time in tz."""
    return value.replace(tzinfo=UTC).astimezone(zone(tz)).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def local_midnight_utc(day: date, tz: str | None) -> datetime:
    """Return the naive UTC instant at which `day` starts in tz."""
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def local_today(tz: str | None, now: datetime | None = None) -> date:
    """Return today's date in tz."""
    return to_local(now or utcnow(), tz).date()


def is_valid_zone(name: str) -> bool:
    """Tell whether name is a known IANA time zone."""
    return name in available_timezones()
