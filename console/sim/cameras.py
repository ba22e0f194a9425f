"""The demo district's cameras: street views drawn by the simulator, served as HTTP MJPEG.

A real center takes its video from the cameras' own servers; the demo has none, so
``CameraServer`` plays their part: ``GET /cameras/<id>.mjpg`` is a ``multipart/x-mixed-replace``
stream of JPEG pictures (what IP cameras and QtMultimedia's FFmpeg both speak),
``GET /cameras/<id>.jpg`` one picture, ``GET /healthz`` a small JSON status.

The pictures are a synthetic street seen from a pole: road, lane markings, buildings, cars, buses
and people moving along it, a sky that follows Chengdu's time of day, and the on-screen display a
CCTV burns in (camera id and name, date and time). Each camera's scene is fixed by its id, so a
camera looks the same every time it is opened.

Cost is kept to what is watched: a camera nobody watches draws nothing; one that is watched draws
one picture per tick and every viewer of it gets that same picture. Pictures are drawn on one
worker thread, never on the event loop: a 480×270 picture takes about 6 ms (12 ms at worst) and
19 KB at JPEG quality 70 on a 2-core machine, too long to hold the loop, and one thread is also
the most CPU the cameras can take from the demo's other parts. A
viewer that reads slowly simply misses pictures: it is always sent the newest one once its last
one has gone out, and one that stops reading for ``STALL_SECONDS`` is dropped.

The HTTP handling is deliberately minimal: one request per connection (``Connection: close``),
GET and HEAD only, bounded request heads; anything malformed gets 400 and the server carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import ipaddress
import itertools
import json
import logging
import math
import random
import shutil
import socket
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

__all__ = ["Camera", "CameraServer", "render_frame", "render_jpeg"]

log = logging.getLogger(__name__)

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
BOUNDARY = "linkageframe"
STALL_SECONDS = 20.0
_HEAD_TIMEOUT = 10.0
_MAX_LINE = 8192
_MAX_HEADERS = 100
# Bytes a stream may have in the kernel on their way to a client (Linux doubles it): two or three
# pictures, enough to keep a remote link busy at these rates.
_STREAM_SEND_BUFFER = 32 * 1024


@dataclass(frozen=True)
class Camera:
    """A camera as the district lists it; extra keys (a stream URL, …) are ignored."""

    id: str
    name: str
    lat: float
    lon: float
    grid: str | None = None
    street: str | None = None

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> Camera:
        """Raises: ValueError for a missing or empty id, or a position that is not a number."""
        camera_id = str(d.get("id") or "")
        if not camera_id or "/" in camera_id or len(camera_id) > 64:
            raise ValueError(f"camera id {camera_id!r}: need 1–64 characters without '/'")
        try:
            lat, lon = float(d["lat"]), float(d["lon"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"camera {camera_id}: lat and lon must be numbers") from exc
        return cls(camera_id, str(d.get("name") or camera_id), lat, lon,
                   d.get("grid"), d.get("street"))


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


# -- the pictures ---------------------------------------------------------------------------------

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class _Mover:
    """A vehicle or a walker going up or down its lane; it repeats every ``period`` seconds."""

    lane: float  # x at the bottom edge, in picture widths
    period: float
    phase: float
    towards: bool  # coming towards the camera
    kind: str  # car, bus, truck, scooter, walker
    colour: RGB


@dataclass(frozen=True)
class _Scene:
    horizon: float  # in picture heights from the top
    vanish: float  # x of the vanishing point, in picture widths
    road: tuple[float, float]  # road edges at the bottom, in picture widths
    lanes: int
    buildings: tuple[tuple[float, float, float, RGB], ...]  # x0, x1, height, colour
    lamps: tuple[float, ...]  # distances of the street lamps
    movers: tuple[_Mover, ...]


_CAR_COLOURS: tuple[RGB, ...] = ((235, 235, 235), (30, 30, 35), (150, 155, 160), (180, 30, 30),
                                 (40, 70, 140), (200, 200, 190), (90, 90, 95), (20, 100, 60))
_CLOTHES: tuple[RGB, ...] = ((40, 40, 60), (160, 40, 40), (60, 90, 150), (200, 180, 60),
                             (70, 70, 70), (210, 210, 210), (120, 60, 120))
# The nearest and farthest distance a mover is drawn at (the camera's ground distance is 1).
_NEAR, _FAR = 0.8, 14.0


@functools.lru_cache(maxsize=512)
def _scene(camera_id: str) -> _Scene:
    """The camera's street: the same every time for the same id."""
    rng = random.Random(f"camera/{camera_id}")
    lanes = rng.choice((2, 3, 4, 4, 6))
    half = 0.12 * lanes + rng.uniform(0.0, 0.1)
    centre = rng.uniform(0.42, 0.58)
    road = (centre - half, centre + half)
    vanish = centre + rng.uniform(-0.12, 0.12)
    buildings = []
    x = -0.05
    while x < 1.05:
        width = rng.uniform(0.05, 0.16)
        grey = rng.randint(120, 200)
        tint = rng.choice(((0, 0, 0), (10, 5, -5), (-5, 0, 10), (15, 10, 0)))
        colour = (grey + tint[0], grey + tint[1], grey + tint[2])
        buildings.append((x, x + width, rng.uniform(0.05, 0.3), colour))
        x += width + rng.uniform(0.0, 0.03)
    movers = []
    lane_width = (road[1] - road[0]) / lanes
    for lane in range(lanes):
        towards = lane < lanes / 2  # drive on the right: the left half comes towards us
        for _ in range(rng.randint(2, 4)):
            kind = rng.choices(("car", "bus", "truck", "scooter"), (10, 2, 1, 3))[0]
            speed = {"car": 1.0, "bus": 0.7, "truck": 0.75, "scooter": 0.8}[kind]
            movers.append(_Mover(road[0] + (lane + 0.5) * lane_width,
                                 rng.uniform(6.0, 11.0) / speed, rng.random(), towards, kind,
                                 rng.choice(_CAR_COLOURS)))
    for side in (road[0] - 0.07, road[1] + 0.07):
        for _ in range(rng.randint(2, 5)):
            movers.append(_Mover(side + rng.uniform(-0.03, 0.03), rng.uniform(40.0, 90.0),
                                 rng.random(), rng.random() < 0.5, "walker",
                                 rng.choice(_CLOTHES)))
    return _Scene(rng.uniform(0.36, 0.46), vanish, road, lanes, tuple(buildings),
                  tuple(rng.uniform(1.2, 2.5) * k for k in range(1, 6)), tuple(movers))


# Sky at the top and at the horizon through a Chengdu day, by local hour.
_SKY: tuple[tuple[float, RGB, RGB], ...] = (
    (0.0, (8, 10, 28), (22, 26, 52)),
    (6.0, (8, 10, 28), (22, 26, 52)),
    (7.0, (50, 60, 110), (215, 135, 90)),
    (8.5, (105, 150, 205), (190, 205, 225)),
    (17.0, (105, 150, 205), (190, 205, 225)),
    (18.3, (70, 65, 120), (235, 140, 80)),
    (19.3, (8, 10, 28), (22, 26, 52)),
    (24.0, (8, 10, 28), (22, 26, 52)),
)


def _sky(hour: float) -> tuple[RGB, RGB, float]:
    """Top colour, horizon colour, and how dark it is (0 day … 1 night)."""
    for (h0, top0, low0), (h1, top1, low1) in itertools.pairwise(_SKY):
        if h0 <= hour <= h1:
            f = (hour - h0) / (h1 - h0) if h1 > h0 else 0.0
            top, low = _mix(top0, top1, f), _mix(low0, low1, f)
            break
    else:
        top, low = _SKY[0][1], _SKY[0][2]
    darkness = 1.0 - min(1.0, max(0.0, (sum(top) - 46) / (460 - 46)))
    return top, low, darkness


def _mix(a: RGB, b: RGB, f: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * f), round(a[1] + (b[1] - a[1]) * f),
            round(a[2] + (b[2] - a[2]) * f))


def _dim(colour: RGB, darkness: float) -> RGB:
    return _mix(colour, (colour[0] // 6, colour[1] // 6, colour[2] // 5 + 4), darkness)


# 64 backgrounds of 480×270 are 25 MB: a video wall's worth, each for a quarter of an hour.
@functools.lru_cache(maxsize=64)
def _background(camera_id: str, size: tuple[int, int], quarter_hour: int) -> Image.Image:
    """Everything that does not move, for one quarter of an hour of light."""
    scene = _scene(camera_id)
    w, h = size
    top, low, dark = _sky(quarter_hour / 4)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    hy = round(scene.horizon * h)
    for y in range(hy):
        draw.line([(0, y), (w, y)], fill=_mix(top, low, y / max(1, hy - 1)))
    lit = random.Random(f"windows/{camera_id}")
    for x0, x1, height, colour in scene.buildings:
        box = (round(x0 * w), round(hy - height * h), round(x1 * w), hy)
        draw.rectangle(box, fill=_dim(colour, dark * 0.9))
        for wy in range(box[1] + 4, hy - 3, 7):
            for wx in range(box[0] + 3, box[2] - 4, 8):
                on = dark > 0.5 and lit.random() < 0.35
                draw.rectangle((wx, wy, wx + 3, wy + 3),
                               fill=(250, 215, 120) if on else _dim((70, 85, 100), dark))
    draw.rectangle((0, hy, w, h), fill=_dim((95, 110, 80), dark))  # verges
    vx = scene.vanish * w
    left, right = scene.road
    pavement = _dim((150, 145, 135), dark)
    draw.polygon([(vx, hy), ((left - 0.16) * w, h), (left * w, h)], fill=pavement)
    draw.polygon([(vx, hy), (right * w, h), ((right + 0.16) * w, h)], fill=pavement)
    draw.polygon([(vx, hy), (left * w, h), (right * w, h)], fill=_dim((72, 74, 78), dark))
    paint = _dim((235, 235, 225), dark * 0.7)
    for edge in (left, right):
        draw.line([(vx, hy), (edge * w, h)], fill=paint, width=2)
    lane_width = (right - left) / scene.lanes
    for lane in range(1, scene.lanes):
        xb = (left + lane * lane_width) * w
        middle = lane == scene.lanes // 2
        colour = _dim((230, 190, 40), dark * 0.7) if middle else paint
        distance = _NEAR
        while distance < _FAR:  # dashes 1 unit long every 2 units, in perspective
            s0, s1 = 1 / distance, 1 / (distance + 1)
            draw.line([(vx + (xb - vx) * s0, hy + (h - hy) * s0),
                       (vx + (xb - vx) * s1, hy + (h - hy) * s1)],
                      fill=colour, width=max(1, round(3 * s0)))
            distance += 1 if middle else 2
    for distance in scene.lamps:
        s = 1 / distance
        for edge in (left - 0.04, right + 0.04):
            foot_x, foot_y = vx + (edge * w - vx) * s, hy + (h - hy) * s
            top_y = foot_y - 0.55 * h * s
            draw.line([(foot_x, foot_y), (foot_x, top_y)], fill=_dim((60, 60, 65), dark * 0.5),
                      width=max(1, round(3 * s)))
            if dark > 0.4:
                r = 10 * s + 2
                draw.ellipse((foot_x - r, top_y - r, foot_x + r, top_y + r),
                             fill=(255, 225, 150))
    return image


def render_frame(camera: Camera, at: datetime, size: tuple[int, int] = (480, 270), *,
                 motion: float | None = None) -> Image.Image:
    """The picture a camera shows at ``at`` (naive means Chengdu local time).

    ``motion`` is the time in seconds that places the traffic, ``at``'s own by default: the
    server passes the wall clock, so a world clock run faster for a demo lights the sky of a
    later hour without making the traffic race.
    """
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TIME)
    local = at.astimezone(LOCAL_TIME)
    quarter = local.hour * 4 + local.minute // 15
    image = _background(camera.id, size, quarter).copy()
    scene = _scene(camera.id)
    _, _, dark = _sky(quarter / 4)
    draw = ImageDraw.Draw(image)
    w, h = size
    hy = scene.horizon * h
    vx = scene.vanish * w
    t = at.timestamp() if motion is None else motion
    placed = []
    for mover in scene.movers:
        progress = (t / mover.period + mover.phase) % 1.0
        if mover.towards:
            progress = 1.0 - progress
        placed.append((_NEAR + (_FAR - _NEAR) * progress, mover))
    for distance, mover in sorted(placed, key=lambda p: -p[0]):
        s = 1 / distance
        x = vx + (mover.lane * w - vx) * s
        y = hy + (h - hy) * s
        if mover.kind == "walker":
            _draw_walker(draw, x, y, s * h, mover, t, dark)
        else:
            _draw_vehicle(draw, x, y, s * w, mover, dark)
    _draw_osd(image, draw, camera, local)
    return image


def render_jpeg(camera: Camera, at: datetime, size: tuple[int, int] = (480, 270),
                quality: int = 70, *, motion: float | None = None) -> bytes:
    """``render_frame`` as JPEG bytes."""
    out = io.BytesIO()
    render_frame(camera, at, size, motion=motion).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _draw_vehicle(draw: ImageDraw.ImageDraw, x: float, y: float, scale: float, mover: _Mover,
                  dark: float) -> None:
    width = {"car": 0.11, "bus": 0.15, "truck": 0.14, "scooter": 0.035}[mover.kind] * scale
    height = {"car": 0.6, "bus": 1.2, "truck": 1.0, "scooter": 1.6}[mover.kind] * width
    body = _dim(mover.colour, dark * 0.8)
    draw.rectangle((x - width / 2, y - height, x + width / 2, y), fill=body)
    glass = _dim((40, 55, 70), dark * 0.5)
    if mover.kind == "car":
        draw.rectangle((x - width * 0.38, y - height * 1.35, x + width * 0.38, y - height * 0.95),
                       fill=body)
        draw.rectangle((x - width * 0.32, y - height * 1.28, x + width * 0.32, y - height),
                       fill=glass)
    elif mover.kind in ("bus", "truck"):
        draw.rectangle((x - width * 0.42, y - height * 0.9, x + width * 0.42, y - height * 0.55),
                       fill=glass)
    draw.rectangle((x - width * 0.45, y - 2, x + width * 0.45, y + max(1.0, width * 0.06)),
                   fill=(15, 15, 15))  # wheels and shadow
    if dark > 0.35 or mover.towards:
        light = (255, 250, 220) if mover.towards else (230, 30, 30)
        r = max(1.0, width * 0.07)
        for side in (-0.35, 0.35):
            lx, ly = x + side * width, y - height * 0.3
            draw.ellipse((lx - r, ly - r, lx + r, ly + r),
                         fill=light if dark > 0.35 else _dim((220, 220, 200), 0))


def _draw_walker(draw: ImageDraw.ImageDraw, x: float, y: float, scale: float, mover: _Mover,
                 t: float, dark: float) -> None:
    height = 0.3 * scale
    width = height * 0.3
    stride = math.sin(t * 6.0 + mover.phase * 10) * width * 0.4
    legs = _dim((45, 45, 55), dark)
    draw.line([(x, y - height * 0.45), (x - stride, y)], fill=legs, width=max(1, round(width / 3)))
    draw.line([(x, y - height * 0.45), (x + stride, y)], fill=legs, width=max(1, round(width / 3)))
    draw.rectangle((x - width / 2, y - height * 0.85, x + width / 2, y - height * 0.4),
                   fill=_dim(mover.colour, dark * 0.8))
    r = width * 0.35
    draw.ellipse((x - r, y - height - r * 0.2, x + r, y - height * 0.85 + r * 0.2),
                 fill=_dim((225, 190, 160), dark * 0.8))


# -- on-screen display ----------------------------------------------------------------------------

# Fonts with Chinese glyphs where the common systems put them; the first that exists is used.
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)
_MONO_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf",
    "C:/Windows/Fonts/consolab.ttf",
    "/System/Library/Fonts/Menlo.ttc",
)
_FONT_LOCK = threading.Lock()

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=4)
def _osd_fonts(size: int) -> tuple[Font, Font | None]:
    """An ASCII font for the time and id, and a Chinese one for the name if the system has one."""
    mono: Font | None = None
    for path in _MONO_FONTS:
        if Path(path).exists():
            mono = ImageFont.truetype(path, size)
            break
    if mono is None:
        mono = ImageFont.load_default(size)
    return mono, _cjk_font(size)


def _cjk_font(size: int) -> Font | None:
    candidates = [p for p in _CJK_FONTS if Path(p).exists()]
    if not candidates and shutil.which("fc-match"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            if found and Path(found).exists():
                candidates.append(found)
    for path in candidates:
        # A font collection holds several regional cuts; prefer the Simplified Chinese one.
        chosen: Font | None = None
        for index in range(8):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            family = font.getname()[0] or ""
            chosen = chosen or font
            if any(mark in family for mark in (" SC", "GB", "CN", "Hei", "Micro")):
                return font
        if chosen is not None:
            return chosen
    return None


def _draw_osd(image: Image.Image, draw: ImageDraw.ImageDraw, camera: Camera,
              local: datetime) -> None:
    w, h = image.size
    size = max(10, round(h / 20))
    mono, cjk = _osd_fonts(size)
    stamp = local.strftime("%Y-%m-%d %H:%M:%S")
    position = f"N{camera.lat:.5f} E{camera.lon:.5f}"
    name = camera.name if (camera.name.isascii() or cjk is not None) else ""
    # FreeType faces are not safe to share between threads; drawing is on one thread today, the
    # lock keeps it right if that changes.
    with _FONT_LOCK:
        baseline = 4 + size  # on one baseline, whatever the two fonts' ascents
        _burn_in(draw, (6, baseline), camera.id, mono, "ls")
        if name:
            x = 6 + draw.textlength(camera.id + " ", font=mono)
            _burn_in(draw, (x, baseline), name, cjk if not name.isascii() and cjk else mono, "ls")
        _burn_in(draw, (w - 6, baseline), stamp, mono, "rs")
        _burn_in(draw, (6, h - 4), position, mono, "ld")


def _burn_in(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: Font,
             anchor: str) -> None:
    """White on a black outline, readable on sky and on asphalt, as CCTV text is."""
    draw.text(xy, text, fill=(255, 255, 255), font=font, anchor=anchor, stroke_width=1,
              stroke_fill=(0, 0, 0))
