"""The cameras' HTTP server: MJPEG streams of the drawn street views, stills, a health check.

``CameraServer`` plays the part of the cameras' own servers: ``GET /cameras/<id>.mjpg`` is a
``multipart/x-mixed-replace`` stream of JPEG pictures (what IP cameras and QtMultimedia's FFmpeg
both speak), ``GET /cameras/<id>.jpg`` one picture, ``GET /healthz`` a small JSON status.

Cost is kept to what is watched: a camera nobody watches draws nothing; one that is watched draws
one picture per tick and every viewer of it gets that same picture. Pictures are drawn on one
worker thread, never on the event loop: drawing and encoding a picture is too long to hold the
loop, and one thread is also the most CPU the cameras can take from the demo's other parts. A
viewer that reads slowly simply misses pictures: it is always sent the newest one once its last
one has gone out, and one that stops reading for ``STALL_SECONDS`` is dropped.

The HTTP handling is deliberately minimal: one request per connection (``Connection: close``),
GET and HEAD only, bounded request heads; anything malformed gets 400 and the server carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import json
import logging
import socket
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from console.sim.cameras.pictures import Camera, render_jpeg

__all__ = ["BOUNDARY", "CameraServer"]

log = logging.getLogger(__name__)

BOUNDARY = "linkageframe"
STALL_SECONDS = 20.0
_HEAD_TIMEOUT = 10.0
_MAX_LINE = 8192
_MAX_HEADERS = 100
# Bytes a stream may have in the kernel on their way to a client (Linux doubles it): two or three
# pictures, enough to keep a remote link busy at these rates.
_STREAM_SEND_BUFFER = 32 * 1024

# -- the server -----------------------------------------------------------------------------------


class _BadRequest(Exception):
    pass


@dataclass(frozen=True)
class _Request:
    method: str
    path: str


class CameraServer:
    """Serves every given camera over HTTP on ``host:port`` (port 0: any free port).

    Args:
        cameras: mappings with ``id``, ``name``, ``lat``, ``lon`` and optionally ``grid``,
            ``street``.
        fps: pictures per second of each stream.
        size: picture width and height.
        clock: the time the pictures show (date, time, daylight); the wall clock by default,
            the world clock in a demo that runs faster. Traffic always moves in real time.
        advertise: the host name ``url`` puts in URLs, when the server listens on every address.
    """

    def __init__(
        self,
        cameras: Iterable[Mapping[str, Any]],
        host: str = "127.0.0.1",
        port: int = 0,
        fps: float = 5,
        *,
        size: tuple[int, int] = (480, 270),
        quality: int = 70,
        clock: Callable[[], datetime] | None = None,
        advertise: str | None = None,
        max_connections: int = 256,
    ) -> None:
        if not 0 < fps <= 30:
            raise ValueError("fps must be above 0 and at most 30")
        self._cameras = {c.id: c for c in map(Camera.from_mapping, cameras)}
        self._host = host
        self._requested_port = port
        self._fps = float(fps)
        self._size = size
        self._quality = quality
        self._clock = clock or (lambda: datetime.now(UTC))
        self._advertise = advertise or (
            "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host)
        self._max_connections = max_connections
        self._server: asyncio.Server | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._feeds: dict[str, _Feed] = {}
        self._connections: set[asyncio.Task[Any]] = set()
        # Every open transport, so stop() can cut those still flushing to a client that does not
        # read (a closing transport waits for its buffer, and the server waits for it).
        self._transports: weakref.WeakSet[asyncio.WriteTransport] = weakref.WeakSet()
        self._port = 0

    # -- life -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen; returns once connections are accepted."""
        if self._server is not None:
            raise RuntimeError("the camera server is already running")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camera-draw")
        self._server = await asyncio.start_server(self._serve, self._host, self._requested_port,
                                                  limit=_MAX_LINE)
        self._port = int(self._server.sockets[0].getsockname()[1])
        log.info("camera server: %d cameras on port %d", len(self._cameras), self._port)

    async def stop(self) -> None:
        """Stop listening and end every open stream now."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for feed in self._feeds.values():
            feed.stop()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for transport in list(self._transports):
            transport.abort()
        await server.wait_closed()
        self._feeds.clear()
        if self._executor is not None:
            # Waits for at most the one picture being drawn (a few ms), so no thread outlives us.
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def __aenter__(self) -> CameraServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port listened on (0 before ``start``)."""
        return self._port

    def url(self, camera_id: str) -> str:
        """The MJPEG stream URL of a camera, as the console stores and opens it."""
        host = self._advertise
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(host).version == 6:
                host = f"[{host}]"
        return f"http://{host}:{self._port}/cameras/{quote(camera_id, safe='')}.mjpg"

    @property
    def viewers(self) -> int:
        """Open MJPEG streams, over every camera."""
        return sum(feed.viewers for feed in self._feeds.values())

    # -- drawing ----------------------------------------------------------------------------------

    async def _draw(self, camera: Camera) -> bytes:
        executor = self._executor
        if executor is None:
            raise RuntimeError("the camera server is not running")
        at = self._clock()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(
            render_jpeg, camera, at, self._size, self._quality, motion=time.time()))

    def _feed(self, camera: Camera) -> _Feed:
        if camera.id not in self._feeds:
            self._feeds[camera.id] = _Feed(camera, self._draw, 1 / self._fps)
        return self._feeds[camera.id]

    # -- HTTP -------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._transports.add(writer.transport)
        cut = False  # whether to drop what is still unsent rather than flush it
        try:
            if len(self._connections) > self._max_connections:
                await _respond(writer, 503, b"too many connections\n")
                return
            try:
                async with asyncio.timeout(_HEAD_TIMEOUT):
                    request = await _read_request(reader)
            except _BadRequest as exc:
                await _respond(writer, 400, f"bad request: {exc}\n".encode())
                return
            await self._answer(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: nothing to answer
        except (TimeoutError, asyncio.CancelledError):
            cut = True  # never finished its request, stopped reading, or stop()
        except Exception:  # a bug must cost one connection, never the server
            log.exception("camera server: request failed")
            cut = True
        finally:
            self._connections.discard(task)
            if cut:
                writer.transport.abort()
            else:
                writer.close()

    async def _answer(self, request: _Request, writer: asyncio.StreamWriter) -> None:
        if request.method not in ("GET", "HEAD"):
            await _respond(writer, 405, b"only GET and HEAD\n", extra={"Allow": "GET, HEAD"})
            return
        head_only = request.method == "HEAD"
        if request.path == "/healthz":
            status = {"status": "ok", "cameras": len(self._cameras), "viewers": self.viewers,
                      "streams": sum(1 for f in self._feeds.values() if f.viewers),
                      "fps": self._fps}
            await _respond(writer, 200, json.dumps(status).encode(), "application/json",
                           head_only=head_only)
            return
        camera = None
        prefix = "/cameras/"
        if request.path.startswith(prefix):
            name = request.path[len(prefix):]
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("mjpg", "jpg"):
                camera = self._cameras.get(stem)
        if camera is None:
            await _respond(writer, 404, b"no such camera\n", head_only=head_only)
        elif suffix == "jpg":
            feed = self._feeds.get(camera.id)
            jpeg = feed.recent_frame() if feed else None
            if jpeg is None:
                jpeg = await self._draw(camera)
            await _respond(writer, 200, jpeg, "image/jpeg", head_only=head_only)
        else:
            await self._stream(self._feed(camera), writer, head_only)

    async def _stream(self, feed: _Feed, writer: asyncio.StreamWriter, head_only: bool) -> None:
        writer.write(_head(200, {
            "Content-Type": f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Connection": "close",
        }))
        await writer.drain()
        if head_only:
            return
        # Keep little in flight, so what a slow reader misses is dropped here rather than
        # queued in buffers: it gets pictures late by a frame or two, never by seconds.
        writer.transport.set_write_buffer_limits(high=0)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _STREAM_SEND_BUFFER)
        feed.join()
        try:
            seq = 0
            while True:
                jpeg, seq = await feed.next_frame(after=seq)
                writer.write(b"".join((
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                    f"Content-Length: {len(jpeg)}\r\n\r\n".encode("ascii"), jpeg, b"\r\n")))
                # Waiting here is what makes a slow reader miss pictures instead of piling them up.
                # (asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.)
                async with asyncio.timeout(STALL_SECONDS):
                    await writer.drain()
        finally:
            feed.leave()


class _Feed:
    """One camera's pictures while anyone watches: drawn once per tick, shared by every viewer."""

    def __init__(self, camera: Camera, draw: Callable[[Camera], Any], period: float) -> None:
        self.camera = camera
        self.viewers = 0
        self._draw = draw
        self._period = period
        self._frame: bytes | None = None
        self._drawn_at = 0.0
        self._seq = 0
        self._waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def join(self) -> None:
        self.viewers += 1
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def leave(self) -> None:
        self.viewers -= 1
        if self.viewers <= 0:
            self.stop()

    def stop(self) -> None:
        """Stop drawing; any viewer still waiting is told the stream has ended."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._wake(ConnectionAbortedError("the camera stream has ended"))

    def recent_frame(self) -> bytes | None:
        """The last picture if it is not older than a tick (a still can reuse it)."""
        fresh = asyncio.get_running_loop().time() - self._drawn_at <= self._period
        return self._frame if fresh else None

    async def next_frame(self, after: int) -> tuple[bytes, int]:
        """The newest picture later than number ``after``, waiting for one if need be."""
        while self._frame is None or self._seq <= after:
            if self._waiter is None:
                self._waiter = asyncio.get_running_loop().create_future()
            # Shielded: one viewer leaving must not cancel the wait of the others.
            await asyncio.shield(self._waiter)
        return self._frame, self._seq

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        try:
            while True:
                self._frame = await self._draw(self.camera)
                self._drawn_at = loop.time()
                self._seq += 1
                self._wake(None)
                due += self._period
                now = loop.time()
                if due < now:  # drawing fell behind: skip ticks rather than burst
                    due = now
                await asyncio.sleep(due - now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("camera %s: drawing failed", self.camera.id)
            self._wake(exc)
            self._task = None

    def _wake(self, error: Exception | None) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)


async def _read_request(reader: asyncio.StreamReader) -> _Request:
    """The request line and headers (headers are read and dropped: nothing here needs them).

    Raises:
        _BadRequest: not an HTTP/1.x request, or a head that is too long.
        asyncio.IncompleteReadError, ConnectionError: the client left before finishing.
    """
    line = await _read_line(reader)
    if not line:
        raise asyncio.IncompleteReadError(b"", None)
    # The request line is judged before any header is waited for: garbage is answered at once.
    try:
        method, target, version = line.decode("ascii").rstrip("\r\n").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise _BadRequest("malformed request line") from None
    if not (method.isalpha() and method.isupper()) or version not in ("HTTP/1.0", "HTTP/1.1"):
        raise _BadRequest("malformed request line")
    if not target.startswith("/"):
        raise _BadRequest("the target must be a path")
    for _ in range(_MAX_HEADERS):
        header = await _read_line(reader)
        if header in (b"\r\n", b"\n"):
            break
        if not header.endswith(b"\n"):
            raise _BadRequest("incomplete headers")
        if b":" not in header:
            raise _BadRequest("malformed header")
    else:
        raise _BadRequest("too many headers")
    return _Request(method, unquote(target.partition("?")[0]))


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readline()
    except ValueError:  # longer than the reader's limit
        raise _BadRequest("line too long") from None


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            503: "Service Unavailable"}


def _head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _respond(writer: asyncio.StreamWriter, status: int, body: bytes,
                   content_type: str = "text/plain; charset=utf-8", *, head_only: bool = False,
                   extra: Mapping[str, str] | None = None) -> None:
    writer.write(_head(status, {"Content-Type": content_type, "Content-Length": str(len(body)),
                                "Cache-Control": "no-store", "Connection": "close",
                                **(extra or {})}))
    if not head_only:
        writer.write(body)
    async with asyncio.timeout(STALL_SECONDS):
        await writer.drain()
