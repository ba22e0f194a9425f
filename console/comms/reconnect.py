"""Reconnecting: one backoff policy and one loop for every link that is kept up forever.

    backoff = Backoff(base=0.25, cap=10.0, seed=7)
    await reconnect_forever(connect_once, backoff, on_retry=show, stopping=stop_event)

:class:`Backoff` is exponential backoff with jitter: the n-th delay in a row is drawn in
``[least·c, c]`` with ``c = min(cap, base·2^n)`` (``least`` 0, the default, is full jitter, so
that clients dropped together do not come back in step). It counts the failures since the link
was last live; :meth:`Backoff.reset` starts again from ``base``.

:func:`reconnect_forever` is the loop around one connection (``websockets``' ``async for ws in
connect(uri)`` is the model): ``connect_once`` runs one connection from opening to close and
returns how it :class:`Ended`; the loop waits the backoff's delay and calls it again, until
``stopping`` is set, ``connect_once`` raises (a refused login, say) or the task is cancelled.
Nothing here knows about websockets or Qt; a Qt timer can use :class:`Backoff` alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

#: ``on_retry(delay, failures, reason)``: the next attempt is in ``delay`` seconds,
#: ``failures`` attempts failed in a row (1 after a live connection dropped).
OnRetry = Callable[[float, int, str], None]


def backoff_delay(attempt: int, base: float = 0.25, cap: float = 10.0,
                  rng: random.Random | None = None, least: float = 0.0) -> float:
    """Exponential backoff with jitter: a uniform draw in [least·c, c], c = min(cap,
    base·2^attempt) (full jitter when ``least`` is 0).

    ``attempt`` counts the failures since the last time the connection was live, from 0.
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 0), 32))
    return (rng or random).uniform(least * ceiling, ceiling)


class Backoff:
    """The delays before reconnecting, and the failures in a row they are counted from.

    Args:
        base: the first delay's ceiling, in seconds; each failure in a row doubles it...
        cap: ...up to this.
        least: the share of the ceiling a delay is at least (0: full jitter; 0.5: between half
            and all of it).
        seed: seeds the jitter (tests); or ``rng``, a random generator of one's own.
    """

    def __init__(self, base: float = 0.25, cap: float = 10.0, *, least: float = 0.0,
                 seed: int | None = None, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.least = least
        self._rng = rng if rng is not None else random.Random(seed)
        #: Attempts that failed in a row since the link was last live.
        self.failures = 0

    def delay(self, attempt: int) -> float:
        """A delay for the ``attempt``-th failure in a row (from 0), without counting it."""
        return backoff_delay(attempt, self.base, self.cap, self._rng, self.least)

    def next(self) -> float:
        """Count one more failure and draw the delay before the next attempt."""
        delay = self.delay(self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        """The link was live: the next failure waits at most ``base`` again."""
        self.failures = 0


@dataclass(frozen=True)
class Ended:
    """How one connection ended: why (for the user), whether it had been live (which resets the
    backoff) and, if the next attempt must not wait for the backoff, the delay to use (the
    failure is counted all the same)."""

    reason: str
    live: bool = False
    delay: float | None = None


async def reconnect_forever(connect_once: Callable[[], Awaitable[Ended]], backoff: Backoff, *,
                            on_retry: OnRetry | None = None,
                            stopping: asyncio.Event | None = None) -> None:
    """Run ``connect_once`` again and again, a backoff's delay apart.

    Returns when ``stopping`` is set (checked before each attempt, after each one, and during
    the wait: setting it ends the wait at once). An exception from ``connect_once`` or
    ``on_retry`` ends the loop and propagates, and so does cancelling the task.
    """
    while stopping is None or not stopping.is_set():
        ended = await connect_once()
        if stopping is not None and stopping.is_set():
            return
        if ended.live:
            backoff.reset()
        if ended.delay is None:
            delay = backoff.next()
        else:
            delay = ended.delay
            backoff.failures += 1
        if on_retry is not None:
            on_retry(delay, backoff.failures, ended.reason)
        if stopping is None:
            await asyncio.sleep(delay)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)
