"""Simulated cameras over real sockets: MJPEG streams, stills, errors, slow clients, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image

from console.sim.cameras.pictures import Camera, render_frame, render_jpeg
from console.sim.cameras.server import BOUNDARY, CameraServer
from tests.waiting import until

T = TypeVar("T")

CAMERAS = [
    {"id": "CAM1", "name": "猛追湾建设路口", "lat": 30.661, "lon": 104.095, "grid": "g000",
     "street": "street.mengzhuiwan"},
    {"id": "CAM2", "name": "Shuangqiao Rd", "lat": 30.667, "lon": 104.105, "grid": "g110",
     "street": "street.shuangqiaozi"},
]


def run(test: Callable[[], Awaitable[T]], timeout: float = 20) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(bounded())


class CountingClock:
    """The wall clock, counting how often a picture asked it the time (once per drawing)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return datetime.now(UTC)


async def request(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw``, read the whole answer (the server closes after one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split(" ")[1]), headers, body


def get(port: int, path: str, method: str = "GET") -> Awaitable[tuple[int, dict[str, str], bytes]]:
    return request(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())


class MjpegClient:
    """Reads a ``multipart/x-mixed-replace`` stream part by part."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, camera: str, rcvbuf: int | None = None) -> MjpegClient:
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)
        writer.write(f"GET /cameras/{camera}.mjpg HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        assert f"multipart/x-mixed-replace; boundary={BOUNDARY}".encode() in head
        return cls(reader, writer)

    async def frame(self) -> bytes:
        line = await self.reader.readline()
        assert line == f"--{BOUNDARY}\r\n".encode(), line
        headers = {}
        while (line := await self.reader.readline()) != b"\r\n":
            key, _, value = line.decode("ascii").partition(":")
            headers[key.lower()] = value.strip()
        assert headers["content-type"] == "image/jpeg"
        jpeg = await self.reader.readexactly(int(headers["content-length"]))
        assert await self.reader.readexactly(2) == b"\r\n"
        return jpeg

    async def frames(self) -> AsyncIterator[bytes]:
        while True:
            yield await self.frame()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def decode(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    image.load()
    return image


# -- streams --------------------------------------------------------------------------------------


def test_a_stream_delivers_distinct_jpeg_pictures_at_its_rate():
    async def scenario() -> None:
        async with CameraServer(CAMERAS, fps=5) as server:
            client = await MjpegClient.open(server.port, "CAM1")
            started = time.monotonic()
            frames = [await client.frame() for _ in range(4)]
            elapsed = time.monotonic() - started
            await client.close()
        assert elapsed <= 3
        images = [decode(f) for f in frames]
        assert all(image.size == (480, 270) for image in images)
        assert len({image.tobytes() for image in images}) == len(images)

    run(scenario)


def test_two_viewers_of_one_camera_share_its_pictures():
    clock = CountingClock()

    async def scenario() -> None:
        async with CameraServer(CAMERAS, fps=5, clock=clock) as server:
            first = await MjpegClient.open(server.port, "CAM1")
            second = await MjpegClient.open(server.port, "CAM1")
            got = await asyncio.gather(*(_frames_for(c, 1.2) for c in (first, second)))
            status, _, body = await get(server.port, "/healthz")
            assert status == 200
            assert json.loads(body) == {"status": "ok", "cameras": 2, "viewers": 2,
                                        "streams": 1, "fps": 5.0}
            await first.close()
            await second.close()
        assert all(len(frames) >= 4 for frames in got)
        # One drawing per tick for both viewers, not one each.
        assert clock.calls <= 10, clock.calls
        assert set(got[0]) & set(got[1])

    run(scenario)


async def _frames_for(client: MjpegClient, seconds: float) -> list[bytes]:
    frames: list[bytes] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frames.append(await client.frame())
    return frames


def test_cameras_nobody_watches_draw_nothing():
    clock = CountingClock()

    async def scenario() -> None:
        async with CameraServer(CAMERAS, fps=10, clock=clock) as server:
            await asyncio.sleep(0.5)  # the point: half a second (five frames' time) unwatched
            assert clock.calls == 0
            client = await MjpegClient.open(server.port, "CAM2")
            await client.frame()
            await client.close()
            await until(lambda: server.viewers == 0, 3, "the viewer to be gone")
            drawn = clock.calls
            await asyncio.sleep(0.5)  # the point, again, once the last viewer has gone
            assert clock.calls - drawn <= 1  # at most the tick that was under way

    run(scenario)


def test_a_slow_reader_misses_pictures_without_holding_up_the_others():
    async def scenario() -> None:
        async with CameraServer(CAMERAS, fps=10) as server:
            # A viewer that asks for the stream and then reads nothing for three seconds.
            stalled = socket.socket()
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.setblocking(False)
            loop = asyncio.get_running_loop()
            await loop.sock_connect(stalled, ("127.0.0.1", server.port))
            await loop.sock_sendall(stalled, b"GET /cameras/CAM1.mjpg HTTP/1.1\r\n\r\n")
            fast = await MjpegClient.open(server.port, "CAM1")
            started = time.monotonic()
            seen = await _frames_for(fast, 3.0)
            assert len(seen) >= 0.7 * 10 * (time.monotonic() - started), len(seen)
            resumed_at = len(seen)
            # It reads again: after the little that was in flight it gets current pictures, not
            # a backlog of the thirty it missed.
            reader, writer = await asyncio.open_connection(sock=stalled, limit=1 << 20)
            await reader.readuntil(b"\r\n\r\n")
            slow = MjpegClient(reader, writer)
            more = asyncio.create_task(_frames_for(fast, 1.5))
            got = [await slow.frame() for _ in range(8)]
            seen += await more
            order = {frame: i for i, frame in enumerate(seen)}
            positions = [order.get(frame, -1) for frame in got]
            assert max(positions[:6]) >= resumed_at - 1, (resumed_at, positions)
            assert sum(p < resumed_at - 1 for p in positions) <= 5, (resumed_at, positions)
            await slow.close()
            await fast.close()

    run(scenario)


def test_stop_ends_open_streams_promptly():
    async def scenario() -> None:
        server = CameraServer(CAMERAS, fps=5)
        await server.start()
        clients = [await MjpegClient.open(server.port, c) for c in ("CAM1", "CAM1", "CAM2")]
        for client in clients:
            await client.frame()
        started = time.monotonic()
        await server.stop()
        for client in clients:
            rest = await asyncio.wait_for(client.reader.read(), 2)
            assert len(rest) < 200_000
            await client.close()
        assert time.monotonic() - started < 2
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", server.port)

    run(scenario)


# -- stills, errors -------------------------------------------------------------------------------


def test_a_still_picture():
    async def scenario() -> None:
        async with CameraServer(CAMERAS) as server:
            status, headers, body = await get(server.port, "/cameras/CAM2.jpg")
            assert status == 200
            assert headers["content-type"] == "image/jpeg"
            assert int(headers["content-length"]) == len(body)
            assert decode(body).size == (480, 270)
            status, headers, body = await get(server.port, "/cameras/CAM2.jpg", "HEAD")
            assert status == 200 and body == b"" and int(headers["content-length"]) > 1000

    run(scenario)


def test_ids_with_dots_as_the_district_names_its_cameras():
    async def scenario() -> None:
        cameras = [{"id": "cam.007", "name": "建设路口", "lat": 30.66, "lon": 104.1}]
        async with CameraServer(cameras) as server:
            assert server.url("cam.007").endswith("/cameras/cam.007.mjpg")
            status, _, body = await get(server.port, "/cameras/cam.007.jpg")
            assert status == 200 and decode(body)
            client = await MjpegClient.open(server.port, "cam.007")
            decode(await client.frame())
            await client.close()

    run(scenario)


def test_unknown_cameras_and_paths_are_404_and_other_methods_405():
    async def scenario() -> None:
        async with CameraServer(CAMERAS) as server:
            for path in ("/cameras/NOPE.mjpg", "/cameras/NOPE.jpg", "/cameras/CAM1.png",
                         "/cameras/CAM1", "/", "/cameras/"):
                assert (await get(server.port, path))[0] == 404, path
            status, headers, _ = await get(server.port, "/cameras/CAM1.mjpg", "POST")
            assert status == 405 and headers["allow"] == "GET, HEAD"
            assert (await get(server.port, "/healthz", "DELETE"))[0] == 405

    run(scenario)


@pytest.mark.parametrize("garbage", [
    b"garbage\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS hello
    b"GET /healthz\r\n\r\n",
    b"GET healthz HTTP/1.1\r\n\r\n",
    b"GET /healthz HTTP/2.0\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n",
    b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
    "GET /摄像头 HTTP/1.1\r\n\r\n".encode(),
])
def test_a_malformed_request_gets_400_and_the_server_carries_on(garbage):
    async def scenario() -> None:
        async with CameraServer(CAMERAS) as server:
            status, _, _ = await request(server.port, garbage)
            assert status == 400
            assert (await get(server.port, "/healthz"))[0] == 200

    run(scenario)


def test_clients_that_leave_early_do_not_disturb_the_server():
    async def scenario() -> None:
        async with CameraServer(CAMERAS) as server:
            for partial in (b"", b"GET /came", b"GET /cameras/CAM1.mjpg HTTP/1.1\r\n\r\n"):
                _, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(partial)
                await writer.drain()
                writer.close()
                await writer.wait_closed()
            await until(lambda: server.viewers == 0, 3, "the viewer to be gone")
            client = await MjpegClient.open(server.port, "CAM1")
            decode(await client.frame())
            await client.close()

    run(scenario)


def test_urls_and_configuration():
    server = CameraServer(CAMERAS, host="0.0.0.0")
    assert server.url("CAM1") == "http://127.0.0.1:0/cameras/CAM1.mjpg"
    assert CameraServer([], host="::").url("A B") == "http://[::1]:0/cameras/A%20B.mjpg"
    with pytest.raises(ValueError, match="fps"):
        CameraServer(CAMERAS, fps=0)
    with pytest.raises(ValueError, match="camera id"):
        CameraServer([{"id": "", "lat": 1, "lon": 2}])
    with pytest.raises(ValueError, match="lat and lon"):
        CameraServer([{"id": "A", "lat": "north", "lon": 2}])

    async def scenario() -> None:
        async with CameraServer(CAMERAS) as running:
            assert running.port > 0
            assert running.url("CAM1") == f"http://127.0.0.1:{running.port}/cameras/CAM1.mjpg"

    run(scenario)


# -- the pictures ---------------------------------------------------------------------------------


def test_the_sky_follows_chengdu_time_of_day():
    camera = Camera.from_mapping(CAMERAS[0])
    noon = render_frame(camera, datetime(2026, 11, 27, 4, 0, tzinfo=UTC))  # 12:00 local
    night = render_frame(camera, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # 23:00 local
    sky_noon = noon.getpixel((240, 2))
    sky_night = night.getpixel((240, 2))
    assert sum(sky_noon) > 300 > 150 > sum(sky_night)


def test_a_camera_looks_the_same_each_time_and_moves_with_time():
    camera = Camera.from_mapping(CAMERAS[1])
    at = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert render_frame(camera, at).tobytes() == render_frame(camera, at).tobytes()
    later = render_frame(camera, at + timedelta(seconds=1))
    assert later.tobytes() != render_frame(camera, at).tobytes()


def test_a_faster_world_clock_changes_the_light_not_the_traffic():
    camera = Camera.from_mapping(CAMERAS[1])
    noon = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    night = noon + timedelta(hours=11)
    day_frame = render_frame(camera, noon, motion=1000.0)
    night_frame = render_frame(camera, night, motion=1000.0)
    assert day_frame.getpixel((240, 2)) != night_frame.getpixel((240, 2))
    assert day_frame.tobytes() == render_frame(camera, noon, motion=1000.0).tobytes()


@pytest.mark.timing
def test_drawing_a_picture_is_quick_enough_for_a_video_wall():
    camera = Camera.from_mapping(CAMERAS[0])
    at = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    render_jpeg(camera, at)  # backgrounds and fonts are made once
    started = time.perf_counter()
    sizes = [len(render_jpeg(camera, at + timedelta(seconds=i / 5))) for i in range(25)]
    per_picture = (time.perf_counter() - started) / 25
    print(f"draw_time_ms={per_picture * 1000:.1f} jpeg_bytes={sum(sizes) // len(sizes)}")
    assert per_picture < 0.05
    assert max(sizes) < 60_000


# -- QtMultimedia plays the stream ----------------------------------------------------------------

_QT_PLAYER = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

    app = QGuiApplication([])
    player = QMediaPlayer()
    sink = QVideoSink()
    player.setVideoOutput(sink)
    frames = []
    sink.videoFrameChanged.connect(lambda frame: frames.append(frame.size().toTuple()))
    player.errorOccurred.connect(lambda error, text: print("error", text, flush=True))
    player.setSource(QUrl(sys.argv[1]))
    player.play()
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), app.quit)
    app.exec()
    print("frames", len(frames), frames[-1] if frames else None, flush=True)
""")


def test_qt_multimedia_plays_a_camera_stream(tmp_path: Path):
    pytest.importorskip("PySide6.QtMultimedia")
    script = tmp_path / "player.py"
    script.write_text(_QT_PLAYER, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "QT_FFMPEG_DECODING_HW_DEVICE_TYPES": "none"}

    async def scenario() -> str:
        async with CameraServer(CAMERAS, fps=10) as server:
            process = await asyncio.create_subprocess_exec(
                sys.executable, str(script), server.url("CAM1"), "4",
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
            output, _ = await asyncio.wait_for(process.communicate(), 30)
            return output.decode(errors="replace")

    output = run(scenario, timeout=40)
    lines = [line for line in output.splitlines() if line.startswith(("frames", "error"))]
    assert lines and lines[-1].startswith("frames"), output
    _, count, _size = lines[-1].split(" ", 2)
    assert int(count) >= 10, output
    assert "(480, 270)" in lines[-1], output
