"""Attachments on the wire (docs/protocol.md "Attachments"): the upload's frame limit, and the
``attachment`` request a console reads a file with.

Upload (DESIGN §5c), on ``/ws`` or ``/field``, one frame:

    {"type":"command","id":UUID,"name":"attachment.add",
     "args":{"incident","filename","content_type","data_b64"}}
    → result data {"id","version","attachment":{"id","sha256","size","content_type"}}

Every other frame stays within ``protocol.MAX_FRAME``; this command alone may fill a frame up to
:data:`MAX_UPLOAD_FRAME`, enough for the largest file accepted as base64.

Read, on ``/ws``:

    {"type":"attachment","id":REQ,"attachment":ID,"thumbnail":false}
    → {"type":"attachment","id":REQ,"attachment":ID,"ok":true,"incident","filename",
       "content_type","size","sha256","thumbnail":bool,"data_b64"}
    → {"type":"attachment","id":REQ,"attachment":ID,"ok":false,
       "error":{"code","message","template","params"}}

An image's thumbnail is a JPEG at most :data:`THUMBNAIL_PX` pixels on its longer side; a file
without one (audio, video, PDF) answers ``ok`` with ``data_b64`` null. A user reads the
attachments of the incidents their console may see, and no others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.comms.wire_checks import refuse, text_field
from console.domain.attachments import MAX_BASE64

#: The largest frame an ``attachment.add`` may fill: the base64 of the largest file accepted,
#: and room for the rest of the command.
MAX_UPLOAD_FRAME = MAX_BASE64 + 64 * 1024
#: The longer side of a thumbnail, in pixels.
THUMBNAIL_PX = 256
UPLOAD = "attachment.add"


@dataclass(frozen=True)
class AttachmentRequest:
    """A console asks for one attachment's bytes, or its thumbnail."""

    id: str
    attachment: str
    thumbnail: bool = False


def names_upload(text: str | bytes) -> bool:
    """Could the unparsed frame be an upload (it names the command, written plainly)?"""
    if isinstance(text, str):
        return f'"{UPLOAD}"' in text
    return f'"{UPLOAD}"'.encode() in bytes(text)


def is_upload(message: dict[str, Any]) -> bool:
    """Is the parsed frame the one command allowed past ``protocol.MAX_FRAME``?"""
    return message.get("type") == "command" and message.get("name") == UPLOAD


def decode_request(message: dict[str, Any]) -> AttachmentRequest:
    request_id = text_field(message, "id", 64, where="attachment")
    attachment = text_field(message, "attachment", 64, where="attachment")
    thumbnail = message.get("thumbnail", False)
    if not isinstance(thumbnail, bool):
        refuse("'thumbnail' in attachment must be true or false.")
    return AttachmentRequest(request_id, attachment, thumbnail)


def answer(request: AttachmentRequest, *, incident: str, filename: str, content_type: str,
           size: int, sha256: str, data_b64: str | None) -> dict[str, Any]:
    return {"type": "attachment", "id": request.id, "attachment": request.attachment,
            "ok": True, "incident": incident, "filename": filename,
            "content_type": content_type, "size": size, "sha256": sha256,
            "thumbnail": request.thumbnail, "data_b64": data_b64}


def refused(request: AttachmentRequest, error: dict[str, Any]) -> dict[str, Any]:
    return {"type": "attachment", "id": request.id, "attachment": request.attachment,
            "ok": False, "error": dict(error)}
