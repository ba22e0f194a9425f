"""Waiting for a condition, with a deadline, rather than sleeping a fixed time.

A fixed sleep is either too short on a loaded machine (the test fails though nothing is wrong)
or longer than needed everywhere else. These poll instead: they return as soon as the condition
holds and fail, saying what was awaited, when it has not held by the deadline. Standard library
only, so that any test folder may use it, Qt or not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: How often a condition is looked at: often enough not to add to what a test measures.
INTERVAL = 0.01


def wait_until(condition: Callable[[], T], timeout: float = 10.0, what: str = "",
               interval: float = INTERVAL) -> T:
    """Poll ``condition`` until it returns something true, and return that; fail after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)
    return value


async def until(condition: Callable[[], T], timeout: float = 10.0, what: str = "",
                interval: float = INTERVAL) -> T:
    """:func:`wait_until` inside a running event loop: the loop goes on while it polls."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        await asyncio.sleep(interval)
    return value
