"""What a demo camera shows, drawn with Pillow.

The pictures are a synthetic street seen from a pole: road, lane markings, buildings, cars, buses
and people moving along it, a sky that follows Chengdu's time of day, and the on-screen display a
CCTV burns in (camera id and name, date and time). Each camera's scene is fixed by its id, so a
camera looks the same every time it is opened.

:func:`render_frame` draws one picture (:func:`render_jpeg`: as JPEG bytes); what does not move is
drawn once per camera and quarter of an hour of light and kept.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import math
import random
import shutil
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

__all__ = ["Camera", "render_frame", "render_jpeg"]

LOCAL_TIME = ZoneInfo("Asia/Shanghai")


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
