"""Small real files of each kind, made in the test (no binary fixtures in the repository)."""

from __future__ import annotations

import base64
import io
import struct

from PIL import Image


def jpeg(width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 60, 40)
         ) -> bytes:
    picture = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 8):  # some detail, so the file is not trivially small
        picture.putpixel((x, x % height), (255, 255, 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def noisy_jpeg(width: int = 1200, height: int = 900, seed: int = 18) -> bytes:
    """A photo of noise: large for its size in pixels, as a real photo of detail is."""
    import random

    pixels = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def wav(samples: int = 800) -> bytes:
    data = b"\x00\x00" * samples
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
