"""Dates and times as the console shows them: in the district's zone, whatever the
workstation's own zone is.

A command center's times are the district's (the SLA deadlines, the working calendar, the ids'
dates all count in it), so a console on a laptop set to another zone, or to UTC, still shows
Shanghai time. The zone is the working calendar's (``resources/calendar.toml``, Asia/Shanghai)
unless the user chose this computer's own zone (*Settings → Time zone*, ``views/time_zone.py``).
Every view formats a time through :func:`time_text` (or :func:`local`), never ``astimezone()``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

#: The settings' values: the district's zone, or this computer's.
DISTRICT = "district"
COMPUTER = "computer"
DEFAULT_ZONE = "Asia/Shanghai"

_zone: tzinfo = ZoneInfo(DEFAULT_ZONE)


def computer_zone() -> tzinfo:
    """The workstation's own zone (what a bare ``astimezone()`` would use)."""
    zone = datetime.now(UTC).astimezone().tzinfo
    assert zone is not None
    return zone


def use_zone(zone: tzinfo) -> None:
    """Show every time from now on in ``zone``."""
    global _zone
    _zone = zone


def shown_zone() -> tzinfo:
    return _zone


def zone_for(setting: object, district: tzinfo) -> tzinfo:
    """The zone a ``time_zone`` setting means (anything unknown: the district's)."""
    return computer_zone() if setting == COMPUTER else district


def local(at: datetime) -> datetime:
    """``at`` (aware) in the zone the console shows."""
    return at.astimezone(_zone)


def time_text(at: datetime | None, fmt: str = "%H:%M") -> str:
    """``at`` formatted with ``fmt`` in the zone the console shows; "" for None."""
    return "" if at is None else local(at).strftime(fmt)
