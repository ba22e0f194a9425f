"""Keeping a console's big, long-lived heap out of the garbage collector's way, without leaking.

A district's live state is over a million long-lived objects without reference cycles; a full
collection walking them pauses the process (the GUI, or the hub client's child) for a long time,
and under a district's load the collector would start one again and again. So the console
freezes (``gc.freeze()``) what it holds after every change set: the frozen objects are never
walked again. Reference counting still frees what they drop; only cyclic garbage depends on the
collector, and what is frozen is never examined for it.

The price of freezing is that a reference cycle that is already garbage when it is frozen is
never freed. :func:`freeze_survivors` therefore collects first: a collection of the oldest
generation walks only what is not frozen, which is what was made since the last freeze, so it
is short; the garbage cycles among those go, and only the survivors are frozen. What stays
uncollectable is a cycle that becomes garbage after it was frozen (docs/performance.md, "A
console that runs a week").
"""

from __future__ import annotations

import gc


def freeze_survivors() -> None:
    """Free the garbage cycles made since the last freeze, then freeze what is left."""
    gc.collect()
    gc.freeze()


def collect_young() -> None:
    """Free the garbage cycles made since the last freeze (before making more to freeze)."""
    gc.collect()
