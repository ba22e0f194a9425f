"""Freezing the console's heap without keeping its garbage cycles (console.comms.heap)."""

from __future__ import annotations

import gc
import weakref

from console.comms import heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_garbage_cycles_made_since_the_last_freeze_are_freed_and_survivors_frozen() -> None:
    heap.freeze_survivors()
    frozen = gc.get_freeze_count()
    gc.collect(0)  # what the young generations held before: not this test's concern
    dropped, kept = _Cycle(), _Cycle()
    gc.collect(1)  # both now in the oldest generation, beyond a young collection's reach
    garbage = weakref.ref(dropped)
    del dropped
    gc.collect(1)
    assert garbage() is not None
    heap.freeze_survivors()
    assert garbage() is None
    assert gc.get_freeze_count() > frozen
    assert kept.me is kept
