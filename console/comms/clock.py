"""World time: the hub's clock, and the console's copy of it.

In production the world runs on real time. A demo or training hub may run it faster
(``main.py hub --speed 10``: ten minutes of deadlines, shifts and calls pass in one real minute);
every event time, SLA deadline and position time then follows that clock. The hub tells each
client its time and speed in ``welcome``, and the console follows them, so its countdowns agree
with the hub's deadlines whatever the workstation's own clock says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, or time running ``speed`` times faster from ``origin``.

    Args:
        speed: how many world seconds pass in one real second (1 = real time).
        origin: the world time at start (default: now). A faster world restarted later begins
            where the stored log ended (see ``main.py``), so time never runs backwards.
        real: the real clock, seconds since the epoch (tests pass their own).

    Raises:
        ValueError: a speed that is not positive and finite.
    """

    def __init__(self, speed: float = 1.0, origin: datetime | None = None, *,
                 real: Callable[[], float] = time.time) -> None:
        self._real = real
        self._anchor = (real(), origin or datetime.now(UTC), 1.0)
        self.follow(self._anchor[1], speed)

    @property
    def speed(self) -> float:
        return self._anchor[2]

    def now(self) -> datetime:
        """The world time now (UTC)."""
        real_at, world_at, speed = self._anchor  # one tuple: safe to read from any thread
        return world_at + timedelta(seconds=(self._real() - real_at) * speed)

    def follow(self, world_now: datetime, speed: float) -> None:
        """From now on, the world time is ``world_now`` advancing at ``speed``.

        Raises:
            ValueError: a speed that is not positive and finite, or a naive time.
        """
        if not (isinstance(speed, int | float) and 0 < speed < float("inf")):
            raise ValueError(f"The clock speed must be a positive number, not {speed!r}.")
        if world_now.tzinfo is None:
            raise ValueError("The world time must carry its UTC offset.")
        self._anchor = (self._real(), world_now.astimezone(UTC), float(speed))


#: The console's copy of the hub's clock (one hub connection per console process).
hub_clock = Clock()
