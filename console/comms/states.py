"""The hub client's connection states and the detail of ``reconnecting``.

Connection states, passed to the client's ``state`` callback with a detail:

============== ==============================================================================
``connecting``  opening the websocket and saying hello (detail: the hub URL)
``syncing``     logged in; the snapshot or the replayed events are arriving (detail: the
                :class:`UserInfo`). Commands are accepted and answered after the sync.
``live``        synced: live events follow (detail: the seq held)
``reconnecting`` the connection is down; the next attempt is in ``detail.delay`` seconds
                (detail: a :class:`Retry`)
``auth_failed`` the hub refused the password or the session token (detail: its message);
                final: no retry, the thread ends, log in again with a new client
``stopped``     :meth:`HubClient.stop` was called and the thread has ended (detail: None)
============== ==============================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CONNECTING: Final = "connecting"
SYNCING: Final = "syncing"
LIVE: Final = "live"
RECONNECTING: Final = "reconnecting"
AUTH_FAILED: Final = "auth_failed"
STOPPED: Final = "stopped"
#: Every connection state, in the order a first login goes through them.
STATES: Final = (CONNECTING, SYNCING, LIVE, RECONNECTING, AUTH_FAILED, STOPPED)


@dataclass(frozen=True)
class Retry:
    """The detail of the ``reconnecting`` state: the next attempt is in ``delay`` seconds;
    ``attempt`` connections failed in a row (1 after a live connection drops), so ``delay`` is
    at most ``min(cap, base·2^(attempt-1))``; ``reason`` says why the last one ended."""

    delay: float
    attempt: int
    reason: str
