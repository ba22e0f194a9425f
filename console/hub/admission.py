"""Who may come in: every connection counted from its TCP accept, per address and in all, and
refused with an HTTP 503 before the websocket upgrade when it would pass a limit.

The hub serves with ``create_connection=HubConnection.admitted_by(admission)``; each connection
then knows when it was accepted (the hello deadline counts from there), from which address, and
whether it is to be refused. Until its hello is answered a connection counts as a handshake of
its address and may send only small frames (``hello_frame_limit``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Response

from console.hub.config import HubConfig

log = logging.getLogger(__name__)

#: Connections beyond the total cap that may wait for their 503 at once; more are reset
#: without an answer, so that a flood cannot spend the descriptors the cap protects.
REFUSALS_PENDING = 256
#: How often refusals are logged (with how many there were), not once each in a flood.
LOG_EVERY_S = 10.0


@dataclass(frozen=True)
class Refusal:
    """Why a connection is refused: a ``template`` and its ``params`` (docs/protocol.md)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)

    def response(self) -> Response:
        """HTTP 503 with a JSON body shaped like the protocol's ``error``."""
        body = json.dumps({"type": "error", "code": "too_many_connections",
                           "message": self.message, "template": self.template,
                           "params": self.params}, ensure_ascii=False).encode()
        return Response(HTTPStatus.SERVICE_UNAVAILABLE.value, "Service Unavailable", Headers(
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
             ("Retry-After", "10"), ("Connection", "close")]), body)


class Admission:
    """The counts of open connections and of handshakes, in all and per address."""

    def __init__(self, config: HubConfig) -> None:
        self.config = config
        self.open = 0
        self.by_address: Counter[str] = Counter()
        self.handshakes: Counter[str] = Counter()
        self._refused: Counter[str] = Counter()
        self._logged = 0.0

    def arrive(self, address: str) -> Refusal | None:
        """Count a new connection; the reason to refuse it, if any."""
        config = self.config
        self.open += 1
        self.by_address[address] += 1
        self.handshakes[address] += 1
        if self.open > config.max_connections:
            return self._refuse(address, Refusal(
                "The hub has {limit} connections, as many as it takes; try again later.",
                {"limit": config.max_connections}))
        if self.by_address[address] > config.max_connections_per_address:
            return self._refuse(address, Refusal(
                "{address} has {limit} connections to the hub, as many as one address may.",
                {"address": address, "limit": config.max_connections_per_address}))
        if self.handshakes[address] > config.max_handshakes_per_address:
            return self._refuse(address, Refusal(
                "{address} has {limit} connections still logging in, as many as one address "
                "may; try again when they are done.",
                {"address": address, "limit": config.max_handshakes_per_address}))
        return None

    def overwhelmed(self, address: str) -> bool:
        """Too many refusals already wait for their answer: reset this one without one."""
        config = self.config
        return (self.open > config.max_connections + REFUSALS_PENDING
                or self.handshakes[address] > 2 * config.max_handshakes_per_address)

    def entered(self, address: str) -> None:
        """The connection's hello is answered: no longer a handshake."""
        self._drop(self.handshakes, address)

    def leave(self, address: str, *, handshaking: bool) -> None:
        self.open -= 1
        self._drop(self.by_address, address)
        if handshaking:
            self._drop(self.handshakes, address)

    @staticmethod
    def _drop(counts: Counter[str], address: str) -> None:
        counts[address] -= 1
        if counts[address] <= 0:
            del counts[address]

    def _refuse(self, address: str, refusal: Refusal) -> Refusal:
        self._refused[address] += 1
        now = time.monotonic()
        if now - self._logged >= LOG_EVERY_S:
            self._logged = now
            log.warning("refusing connections: %s (%d open; refused lately: %s)",
                        refusal.message, self.open,
                        ", ".join(f"{a} {n}" for a, n in self._refused.most_common(5)))
            self._refused.clear()
        return refusal


class HubConnection(ServerConnection):
    """A websocket server connection that counts itself in the hub's :class:`Admission`."""

    admission: Admission
    #: The loop's time at the TCP accept: the hello deadline counts from here.
    accepted_at: float
    address: str
    refusal: Refusal | None
    handshaking: bool

    @classmethod
    def admitted_by(cls, admission: Admission) -> type[HubConnection]:
        return type("AdmittedConnection", (cls,), {"admission": admission})

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.accepted_at = self.loop.time()
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "unknown"
        self.handshaking = True
        self.refusal = self.admission.arrive(self.address)
        self.protocol.max_message_size = self.admission.config.hello_frame_limit
        if self.refusal is not None and self.admission.overwhelmed(self.address):
            self.transport.abort()

    def entered(self) -> None:
        """Past hello: frames up to the hub's hard limit, and no longer a handshake."""
        if self.handshaking:
            self.handshaking = False
            self.admission.entered(self.address)
            self.protocol.max_message_size = self.admission.config.hard_frame_limit

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.admission.leave(self.address, handshaking=self.handshaking)
        self.handshaking = False
