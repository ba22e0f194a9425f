"""Uploads on the hub: an ``attachment.add`` checked off the event loop, its thumbnail made.

``attachment.add`` (DESIGN §5c) arrives as one large frame (console/comms/attachment_wire.py).
:meth:`Uploads.prepare` checks it on the upload threads, never on the event loop: the domain's
checks of the bytes (base64, size, type by magic numbers, a file cut short), then Pillow decodes
an image in full and makes its thumbnail. A refusal is answered at once and stores nothing; a
file that passes becomes a command of the write path carrying the bytes
(:class:`~console.store.writer.Command` ``files``), stored in the command's transaction.

At most :data:`UPLOAD_SLOTS` uploads are checked at once in the whole hub, and a session reads
its next frame only after its upload is checked: with the frame limits this bounds what uploads
hold in memory (docs/protocol.md "Attachments").
"""

from __future__ import annotations

import asyncio
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from console.comms import attachment_wire
from console.comms import protocol as p
from console.domain import args as a
from console.domain import attachments
from console.domain.attachments import Checked
from console.domain.errors import Refused
from console.store.attachments import StoredFile
from console.store.writer import Command, Result

#: Uploads checked at once in the whole hub (each holds its frame, its bytes and a decoded
#: picture while it is checked).
UPLOAD_SLOTS = 2
#: The most pixels a picture may have: a 48-megapixel phone camera's, with room to spare.
#: More is refused before it is decoded (a small file can unpack to gigabytes).
MAX_PIXELS = 64_000_000
#: What Pillow must find in each image type.
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class Uploads:
    """The threads that check uploads and make thumbnails, and the slots that bound them."""

    def __init__(self, slots: int = UPLOAD_SLOTS) -> None:
        self._threads = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="hub-upload")
        self._slots = asyncio.Semaphore(slots)

    async def prepare(self, message: p.CommandMessage) -> Command | Result:
        """The write path's command for an ``attachment.add``, or the refusal to answer."""
        args = message.args
        try:
            incident = a.ident(args, "incident")
            filename = a.text(args, "filename", max_len=attachments.MAX_FILENAME)
            claimed = a.text(args, "content_type", max_len=128)
            async with self._slots:
                loop = asyncio.get_running_loop()
                checked, thumbnail = await loop.run_in_executor(
                    self._threads, _checked, filename, claimed, args.get("data_b64"))
        except Refused as refused:
            return Result(message.id, ok=False, error=refused.to_dict())
        attachment = {"id": f"AT-{uuid.uuid4().hex}", "sha256": checked.sha256,
                      "size": checked.size, "content_type": checked.content_type,
                      "filename": filename, "thumbnail": thumbnail is not None}
        stored = StoredFile(checked.sha256, checked.content_type, checked.size, checked.data,
                            thumbnail)
        return Command(message.id, attachment_wire.UPLOAD,
                       {"id": incident, "attachment": attachment}, message.expected_version,
                       files=(stored,))

    def close(self) -> None:
        self._threads.shutdown(wait=True)


def _checked(filename: str, claimed: str, data_b64: Any) -> tuple[Checked, bytes | None]:
    checked = attachments.check(filename, claimed, data_b64)
    if checked.family != "image":
        return checked, None
    return checked, thumbnail_of(checked, filename)


def thumbnail_of(checked: Checked, filename: str) -> bytes:
    """Decode the picture in full (a cut or damaged one is refused) and make its thumbnail: a
    JPEG at most ``THUMBNAIL_PX`` on its longer side, turned upright by its EXIF orientation.

    Raises:
        Refused: ``invalid``, when the picture cannot be decoded or is too large to.
    """
    try:
        with Image.open(io.BytesIO(checked.data)) as probe:
            if probe.format != _FORMATS[checked.content_type]:
                raise Refused("invalid", "{filename} claims to be {claimed}, but its bytes are "
                              "{found}; nothing was stored.", filename=filename,
                              claimed=checked.content_type, found=str(probe.format))
            if probe.width * probe.height > MAX_PIXELS:
                raise Refused("invalid", "{filename} has {pixels} pixels, more than the "
                              "{limit} a picture may have; nothing was stored.",
                              filename=filename, pixels=probe.width * probe.height,
                              limit=MAX_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(checked.data)) as picture:
            picture.load()  # every pixel: a file cut short fails here
            upright = ImageOps.exif_transpose(picture)
            upright.thumbnail((attachment_wire.THUMBNAIL_PX, attachment_wire.THUMBNAIL_PX))
            out = io.BytesIO()
            upright.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except Refused:
        raise
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError,
            Image.DecompressionBombError) as error:
        raise Refused("invalid", "{filename} is not a picture that can be opened ({problem}); "
                      "it may be cut off or damaged. Nothing was stored.",
                      filename=filename, problem=str(error)[:120]) from None
