"""What one hub is set to: where it listens, its name, its limits and its world clock.

The limits on who may connect and how fast passwords are tried are explained, with the reasons
for their defaults, in docs/security.md ("Connections", "Logins").
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from console.comms.clock import Clock


@dataclass(frozen=True)
class HubConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    name: str = field(default_factory=lambda: f"hub-{socket.gethostname()}-{uuid.uuid4().hex[:6]}")
    tls_cert: str | None = None
    tls_key: str | None = None
    #: A session's absolute lifetime from its password login, however often its token is
    #: rotated (docs/security.md "Sessions").
    session_ttl: timedelta = timedelta(days=7)
    #: A session unused this long (no open connection, no token login) ends.
    session_idle: timedelta = timedelta(hours=12)
    #: How often open connections' sessions are checked (revoked, account disabled: closed),
    #: and how often open sessions are marked as in use.
    session_check_s: float = 0.5
    session_touch_s: float = 60.0
    #: Frames a client may send per second, and in a burst.
    message_rate: float = 500.0
    message_burst: float = 2000.0
    #: Bad frames a client may send per second, and in a burst, before it is disconnected.
    fault_rate: float = 50.0
    fault_burst: float = 20_000.0
    #: Commands one client may have waiting for their result before the hub stops reading it.
    max_in_flight: int = 200
    position_frames_per_s: float = 4.0
    #: How often positions are stored, and other hubs' positions read (PostgreSQL).
    position_flush_s: float = 0.5
    #: Days of track history (stored positions) kept, and how often the older ones are
    #: dropped (console/hub/retention.py).
    track_keep_days: int = 180
    track_maintain_s: float = 3600.0
    #: Frames larger than this are refused by the websocket layer itself (and the connection
    #: closed); frames up to protocol.MAX_FRAME are read; between the two get an error, but
    #: for an ``attachment.add`` (up to attachment_wire.MAX_UPLOAD_FRAME, the base64 of an
    #: 8 MB file: docs/protocol.md "Attachments").
    hard_frame_limit: int = 12 * 1024 * 1024
    #: Before its hello is answered a client has no use for large frames: larger ones close it.
    hello_frame_limit: int = 64 * 1024
    #: Frames read from one connection and not yet handled; with the frame limits and
    #: websockets' 32 KiB write buffer this bounds a connection's memory (docs/security.md).
    max_queue: int = 16
    #: From the TCP accept to the hello, whatever arrives in between: then the connection is
    #: closed with an error.
    hello_timeout: float = 10.0
    #: Connections open at once, in all, and from one address (loopback too: a demo or a test
    #: with more local clients raises these); beyond either, HTTP 503 before the upgrade.
    max_connections: int = 4096
    max_connections_per_address: int = 512
    #: Connections of one address that have not yet been answered their hello.
    max_handshakes_per_address: int = 32
    #: Threads that verify passwords (Argon2 costs a core for a quarter second or more), apart
    #: from the store's worker threads so that a flood of logins cannot stall other reads.
    login_threads: int = 2
    #: Wrong passwords in a row an account may have before each further try waits
    #: ``login_delay`` × 2^k seconds (k = 0, 1, … beyond the free ones, at most
    #: ``login_delay_max``), and the count that locks it.
    login_free_failures: int = 5
    login_delay: float = 1.0
    login_delay_max: float = 30.0
    login_lockout_failures: int = 10
    #: How long a lockout lasts unless ``main.py admin unlock`` lifts it first; None: until then.
    login_lockout: timedelta | None = timedelta(minutes=15)
    #: The same for one address, over all the accounts it tries (no lockout: delays only); its
    #: count is forgotten after ``login_lockout`` (or 15 minutes) without a wrong password.
    login_address_free_failures: int = 20
    #: Store positions from a child process (console/store/position_writer.py), so their rows
    #: do not contend with the event loop for this interpreter; off, a worker thread does it.
    position_process: bool = True
    #: The world clock: real time, or a demo world running faster (``main.py hub --speed``).
    #: The store must be given the same clock (``Store(..., clock=config.clock.now)``).
    clock: Clock = field(default_factory=Clock)
