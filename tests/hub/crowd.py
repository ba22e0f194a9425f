"""A crowd of websocket clients in a process of its own, so that its work does not share the
test's interpreter with the hub it loads (tests/hub/test_doors.py).

    python -m tests.hub.crowd silent PORT COUNT ADDRESSES   # each sends {} and then nothing
    python -m tests.hub.crowd guess PORT COUNT ADDRESSES USER PASSWORD PARALLEL

ADDRESSES is a comma-separated list of loopback addresses to connect from, used in turn. It
prints one JSON object (``silent`` first prints ``{"open": N}`` once all are open): for
``silent``, each connection's seconds to its close from before the connect and from the open,
and the close; for ``guess``, each attempt's answer and when it came, in seconds from the start.
Every loop is bounded: the process gives up after two minutes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

GIVE_UP_S = 120.0
#: Connections being opened at once: the others wait for a handshake to finish, not for a
#: connection to end, so all of them are soon open together.
OPENING = 100


async def silent(port: int, count: int, addresses: list[str]) -> dict[str, Any]:
    """Open ``count`` connections, each sends ``{}`` once; wait until the hub closes them."""
    closes: list[dict[str, Any]] = []
    refused: list[int] = []
    opening = asyncio.Semaphore(OPENING)

    open_now = [0]

    async def one(n: int) -> None:
        async with opening:
            started = time.monotonic()
            try:
                ws = await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=30,
                                   ping_interval=None, close_timeout=2,
                                   local_addr=(addresses[n % len(addresses)], 0))
            except InvalidStatus as error:
                refused.append(error.response.status_code)
                return
        opened = time.monotonic()
        answers = []
        await ws.send("{}")
        open_now[0] += 1
        if open_now[0] + len(refused) == count:
            print(json.dumps({"open": open_now[0]}), flush=True)
        try:
            async for frame in ws:
                answers.append(json.loads(frame))
        except ConnectionClosed:
            pass
        closes.append({"after": time.monotonic() - started,
                       "after_open": time.monotonic() - opened, "code": ws.close_code,
                       "reason": ws.close_reason, "answers": answers})

    await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(count))), GIVE_UP_S)
    return {"closes": closes, "refused": refused}


async def guess(port: int, count: int, addresses: list[str], user: str, password: str,
                parallel: int) -> dict[str, Any]:
    """``count`` password hellos, ``parallel`` at a time; each answer with its time."""
    answers: list[dict[str, Any]] = []
    started = time.monotonic()
    queue = iter(range(count))

    async def worker() -> None:
        for n in queue:
            try:
                async with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=30,
                                   ping_interval=None, close_timeout=1,
                                   local_addr=(addresses[n % len(addresses)], 0)) as ws:
                    await ws.send(json.dumps({
                        "type": "hello", "protocol": 1, "client": "guesser",
                        "auth": {"username": user, "password": f"{password}{n}"}}))
                    answer = json.loads(await ws.recv())
            except InvalidStatus as error:
                answer = {"type": "http", "code": error.response.status_code}
            except ConnectionClosed:
                answer = {"type": "closed"}
            answers.append({"at": time.monotonic() - started, **answer})

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(parallel))), GIVE_UP_S)
    return {"answers": answers}


def main(argv: list[str]) -> None:
    mode, port, count, addresses = argv[0], int(argv[1]), int(argv[2]), argv[3].split(",")
    if mode == "silent":
        result = asyncio.run(silent(port, count, addresses))
    else:
        result = asyncio.run(guess(port, count, addresses, argv[4], argv[5], int(argv[6])))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
