"""Attachments read on demand: the ``attachment`` request on ``/ws``
(console/comms/attachment_wire.py) answered with a file's bytes or its thumbnail, scoped like
the incident: a department desk reads only its own cases' files. Uploads are checked in
console/hub/uploads.py.
"""

from __future__ import annotations

import base64
from typing import Any

from console.comms import attachment_wire
from console.comms.attachment_wire import AttachmentRequest
from console.domain import attachments
from console.domain.errors import Refused
from console.hub.services import HubServices
from console.store.accounts import User


async def answer(hub: HubServices, user: User, endpoint: str,
                 request: AttachmentRequest) -> dict[str, Any]:
    """The ``attachment`` answer to ``request`` from ``user``."""
    try:
        if endpoint != "ws":
            raise Refused("forbidden", "Attachments are read on a console's connection (/ws).")
        found = await hub.run(_read, hub, request)
        if found is None:
            raise Refused("not_found", "There is no attachment {id}.", id=request.attachment)
        incident = await hub.run(hub.store.incident, found.incident_id)
        if incident is None:
            raise Refused("not_found", "There is no attachment {id}.", id=request.attachment)
        if (refused := attachments.may_read(user.actor, incident)) is not None:
            raise refused
    except Refused as refused:
        return attachment_wire.refused(request, refused.to_dict())
    data = base64.b64encode(found.data).decode("ascii") if found.data is not None else None
    return attachment_wire.answer(request, incident=found.incident_id, filename=found.filename,
                                  content_type=found.content_type, size=found.size,
                                  sha256=found.sha256, data_b64=data)


def _read(hub: HubServices, request: AttachmentRequest) -> Any:
    return hub.store.attachments.get(request.attachment, thumbnail=request.thumbnail)
