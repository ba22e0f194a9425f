"""The track history's retention, applied by every hub now and then (console/store/tracks.py).

At start and every ``track_maintain_s`` after, a hub keeps ``track_keep_days`` days of fixes
by its world clock: on PostgreSQL it drops the partitions of older days and makes those of the
days ahead (hubs sharing a database take turns under an advisory lock, and what one did the
next finds done); on SQLite it deletes older fixes in slices. A maintenance that fails is
logged and tried again at the next one; the hub goes on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from console.hub.config import HubConfig
from console.store import tracks
from console.store.db import Database

log = logging.getLogger(__name__)


async def keep_tracks(config: HubConfig, db: Database,
                      run: Callable[..., Awaitable[Any]]) -> None:
    """Apply the retention, then again every ``config.track_maintain_s``; runs until cancelled."""
    while True:
        try:
            done: tracks.Maintenance = await run(functools.partial(
                tracks.maintain, db, config.clock.now(), keep_days=config.track_keep_days))
        except Exception:
            log.warning("the track retention failed; tried again later", exc_info=True)
        else:
            if done.dropped or done.deleted or done.busy:
                log.info("track retention (%d days): days dropped %s, fixes deleted %d, "
                         "drops put off (busy) %s", config.track_keep_days,
                         [d.isoformat() for d in done.dropped], done.deleted,
                         [d.isoformat() for d in done.busy])
        await asyncio.sleep(config.track_maintain_s)
