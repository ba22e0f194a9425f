"""Attachments on an incident: what a file may be, how its bytes are checked, and the command.

A field app or a console sends ``attachment.add`` with the file as base64 (DESIGN §5c). Nothing
the sender says about the file is trusted: :func:`check` decodes the base64 strictly, refuses
more than :data:`MAX_BYTES`, finds the type from the bytes themselves (their magic numbers) and
refuses a file whose bytes are not what the sender claims or that ends early. Images are then
decoded in full by the hub (Pillow, console/hub/attachments.py), which this module cannot do
without I/O libraries.

The hub stores the checked bytes and sends the write path a command of its own shape
(:func:`decide`): ``{"id": incident, "attachment": {"id", "sha256", "size", "content_type",
"filename", "thumbnail"}}``, which becomes the event ``incident.attachment_added``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import args as a
from console.domain import permissions
from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import Actor, Event, Role
from console.domain.rules import Context

#: The largest file accepted, decoded.
MAX_BYTES = 8 * 1024 * 1024
#: The longest base64 text that can decode to at most :data:`MAX_BYTES`.
MAX_BASE64 = 4 * ((MAX_BYTES + 2) // 3)
MAX_FILENAME = 255

#: Every type accepted, with the family a user knows it by (the gallery's icon, its player).
TYPES: dict[str, str] = {
    "image/jpeg": "image", "image/png": "image", "image/webp": "image",
    "audio/mpeg": "audio", "audio/aac": "audio", "audio/mp4": "audio", "audio/amr": "audio",
    "audio/wav": "audio", "audio/ogg": "audio",
    "video/mp4": "video",
    "application/pdf": "document",
}
#: Other names senders use for the same types.
ALIASES = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg", "audio/x-mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg",
    "audio/x-aac": "audio/aac", "audio/aacp": "audio/aac",
    "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4",
    "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
    "application/ogg": "audio/ogg", "audio/x-ogg": "audio/ogg",
    "audio/amr-wb": "audio/amr", "audio/3gpp": "audio/amr",
    "application/x-pdf": "application/pdf",
}
#: One container, audio or video inside: an MP4 claimed as audio/mp4 or video/mp4 is the same
#: file to the sniffer, and the claim picks between them.
_MP4 = frozenset({"audio/mp4", "video/mp4"})

ACCEPTED_TEMPLATE = ("{filename}: files of type {content_type} are not accepted; send a photo "
                      "(JPEG, PNG, WebP), audio (MP3, AAC/M4A, AMR, WAV, OGG), a video (MP4) "
                      "or a PDF.")


@dataclass(frozen=True)
class Checked:
    """A file whose bytes passed :func:`check`: the type they are, their size and digest."""

    data: bytes
    content_type: str
    size: int
    sha256: str

    @property
    def family(self) -> str:
        return TYPES[self.content_type]


def normal_type(claimed: str) -> str:
    """The claimed type, lower-case, without parameters, with aliases resolved."""
    bare = claimed.split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare)


def check(filename: str, claimed: str, data_b64: Any) -> Checked:
    """The file's bytes, checked; or why they are refused (``invalid``), before anything is
    stored.

    Raises:
        Refused: not base64, empty, over :data:`MAX_BYTES`, a type not accepted, bytes that are
            not the claimed type, or a file that ends early.
    """
    claim = normal_type(claimed)
    if claim not in TYPES:
        raise Refused("invalid", ACCEPTED_TEMPLATE, filename=filename, content_type=claimed[:64])
    if not isinstance(data_b64, str):
        raise Refused("invalid", "'data_b64' must be the file's bytes as base64 text.")
    if len(data_b64) > MAX_BASE64:
        raise Refused("invalid", "{filename} is larger than {limit_mb} MB (about {size_mb} MB); "
                      "nothing was stored.", filename=filename,
                      limit_mb=MAX_BYTES // (1024 * 1024),
                      size_mb=round(len(data_b64) * 3 / 4 / (1024 * 1024), 1))
    try:
        data = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("invalid", "{filename} did not arrive whole: its base64 text is broken "
                      "or cut off. Nothing was stored; send it again.",
                      filename=filename) from None
    if len(data) > MAX_BYTES:
        raise Refused("invalid", "{filename} is larger than {limit_mb} MB (about {size_mb} MB); "
                      "nothing was stored.", filename=filename,
                      limit_mb=MAX_BYTES // (1024 * 1024),
                      size_mb=round(len(data) / (1024 * 1024), 1))
    if not data:
        raise Refused("invalid", "{filename} is empty; nothing was stored.", filename=filename)
    found = sniff(data)
    if found is None:
        raise Refused("invalid", "{filename} claims to be {claimed}, but its bytes are not a "
                      "file of any accepted type; nothing was stored.",
                      filename=filename, claimed=claim)
    if found in _MP4 and claim in _MP4:
        found = claim
    if found != claim:
        raise Refused("invalid", "{filename} claims to be {claimed}, but its bytes are "
                      "{found}; nothing was stored.",
                      filename=filename, claimed=claim, found=found)
    if not whole(found, data):
        raise Refused("invalid", "{filename} ends early: the {content_type} file is cut off or "
                      "damaged. Nothing was stored; send it again.",
                      filename=filename, content_type=found)
    return Checked(data, found, len(data), hashlib.sha256(data).hexdigest())


def sniff(data: bytes) -> str | None:
    """The accepted type the bytes are, by their magic numbers; None if none."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "audio/amr"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio/mp4" if brand in (b"M4A ", b"M4B ", b"M4P ") else "video/mp4"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync, layer 00
            return "audio/aac"
        if head[1] & 0xE6 == 0xE2:  # MPEG audio frame sync, layer III
            return "audio/mpeg"
    return None


def whole(content_type: str, data: bytes) -> bool:
    """Does the file end where its own structure says it does?

    Containers that record their length are walked to their end: RIFF (WAV, WebP), MP4 boxes,
    Ogg pages, ADTS frames; a JPEG must end with its end-of-image marker and a PDF with
    ``%%EOF``. MP3 and AMR are streams of frames without a total: a cut one still plays up to
    the cut, and is taken as it is. (Images are also decoded in full on the hub.)
    """
    if content_type == "image/jpeg":
        return data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    if content_type == "application/pdf":
        return b"%%EOF" in data[-1024:]
    if content_type in ("audio/wav", "image/webp"):
        return len(data) >= 12 and struct.unpack_from("<I", data, 4)[0] + 8 <= len(data)
    if content_type in _MP4:
        return _boxes_whole(data)
    if content_type == "audio/ogg":
        return _ogg_whole(data)
    if content_type == "audio/aac":
        return _adts_whole(data)
    return True


def _boxes_whole(data: bytes) -> bool:
    at = 0
    while at < len(data):
        if at + 8 > len(data):
            return False
        size = struct.unpack_from(">I", data, at)[0]
        if size == 1:  # a 64-bit size follows the type
            if at + 16 > len(data):
                return False
            size = struct.unpack_from(">Q", data, at + 8)[0]
        elif size == 0:  # the last box runs to the end of the file
            return True
        if size < 8:
            return False
        at += size
    return at == len(data)


def _ogg_whole(data: bytes) -> bool:
    at = 0
    while at < len(data):
        if data[at:at + 4] != b"OggS" or at + 27 > len(data):
            return False
        segments = data[at + 26]
        if at + 27 + segments > len(data):
            return False
        at += 27 + segments + sum(data[at + 27:at + 27 + segments])
    return at == len(data)


def _adts_whole(data: bytes) -> bool:
    at = 0
    while at < len(data):
        if at + 7 > len(data) or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
            return False
        length = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if length < 7:
            return False
        at += length
    return at == len(data)


# -- the command, as the hub hands it to the write path -----------------------------------------

def decide(args: Mapping[str, Any], ctx: Context, world: Any) -> list[Event]:
    """``attachment.add`` with the hub's arguments: the file is checked and stored already.

    Raises:
        Refused: the incident is unknown, or the user may not add to it.
    """
    inc = world.incident(a.ident(args, "id"))
    permissions.check(ctx.rules.roles, ctx.actor, "attachment.add", inc)
    given = args.get("attachment")
    if not isinstance(given, Mapping):
        raise Refused("invalid", "An attachment must be sent as a file (its data), checked by "
                      "the hub.")
    content_type = str(given.get("content_type", ""))
    sha256 = str(given.get("sha256", ""))
    size = given.get("size")
    if (content_type not in TYPES or len(sha256) != 64 or not isinstance(size, int)
            or not 0 < size <= MAX_BYTES):
        raise Refused("invalid", "An attachment must be sent as a file (its data), checked by "
                      "the hub.")
    attachment = {"id": a.ident(given, "id"), "sha256": sha256, "size": size,
                  "content_type": content_type,
                  "filename": str(given.get("filename", ""))[:MAX_FILENAME],
                  "thumbnail": bool(given.get("thumbnail", False))}
    return [Event("incident.attachment_added", ctx.now, ctx.actor.username,
                  {"id": inc.id, "attachment": attachment})]


def may_read(actor: Actor, incident: Incident) -> Refused | None:
    """Why ``actor`` may not read the incident's attachments, or None: a department desk reads
    only its own cases' (the ones it leads or co-handles), a field account none on a console's
    door; every other console role sees every case, and its files."""
    if actor.roles - {Role.DEPARTMENT, Role.FIELD, Role.POLICE}:
        return None
    if Role.DEPARTMENT in actor.roles and actor.department is not None and actor.department in (
            incident.lead_department, *incident.co_handlers):
        return None
    return Refused("forbidden", "You may see the attachments of your own cases only; "
                   "{id} is not one of them.", id=incident.id)
