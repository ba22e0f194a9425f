"""What one hub is set to: where it listens, its name, its limits and its world clock."""

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
    session_ttl: timedelta = timedelta(hours=12)
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
    #: Frames larger than this are refused by the websocket layer itself (and the connection
    #: closed); frames up to protocol.MAX_FRAME are read; between the two get an error.
    hard_frame_limit: int = 4 * 1024 * 1024
    #: Store positions from a child process (console/store/position_writer.py), so their rows
    #: do not contend with the event loop for this interpreter; off, a worker thread does it.
    position_process: bool = True
    #: The world clock: real time, or a demo world running faster (``main.py hub --speed``).
    #: The store must be given the same clock (``Store(..., clock=config.clock.now)``).
    clock: Clock = field(default_factory=Clock)
