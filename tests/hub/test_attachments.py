"""Attachments over real sockets (DESIGN §5c, docs/protocol.md "Attachments"), on SQLite and
PostgreSQL: a file from the field is checked, stored once by its SHA-256, announced to consoles
and read back; a file too large, one whose bytes are not what it claims and one cut short are
refused with a clear error and store nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from typing import Any

import pytest
from PIL import Image

from console.domain.attachments import MAX_BYTES
from tests.hub.attachment_files import b64, jpeg, noisy_jpeg, pdf, png, wav
from tests.hub.conftest import Client, HubThread, incident_args


def _incident(hub: HubThread) -> tuple[Client, str]:
    console = Client(hub.port)
    console.login("ctl")
    created = console.command("incident.create", **incident_args())
    assert created["ok"], created
    return console, created["data"]["id"]


def _field(hub: HubThread) -> Client:
    field = Client(hub.port, "/field")
    field.hello("gateway")
    field.sync()
    return field


def _add(client: Client, incident: str, data: bytes | str, content_type: str = "image/jpeg",
         filename: str = "photo.jpg", **kw: Any) -> dict[str, Any]:
    return client.command("attachment.add", incident=incident, filename=filename,
                          content_type=content_type,
                          data_b64=data if isinstance(data, str) else b64(data), **kw)


def _stored(hub: HubThread) -> tuple[int, int]:
    return hub.store.attachments.counts()


def test_a_photo_from_the_field_reaches_the_console_and_reads_back(hub: HubThread) -> None:
    console, incident = _incident(hub)
    field = _field(hub)
    photo = jpeg()
    result = _add(field, incident, photo)
    assert result["ok"], result
    attachment = result["data"]["attachment"]
    assert attachment["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (attachment["size"], attachment["content_type"]) == (len(photo), "image/jpeg")
    event = next(e for e in _events(console, "incident.attachment_added"))
    assert event["data"]["id"] == incident
    assert event["data"]["attachment"]["id"] == attachment["id"]
    assert event["data"]["attachment"]["thumbnail"] is True

    console.send({"type": "attachment", "id": "r1", "attachment": attachment["id"]})
    full = console.until("attachment")
    assert full["ok"] and full["incident"] == incident and full["filename"] == "photo.jpg"
    assert base64.b64decode(full["data_b64"]) == photo
    console.send({"type": "attachment", "id": "r2", "attachment": attachment["id"],
                  "thumbnail": True})
    small = console.until("attachment")
    with Image.open(io.BytesIO(base64.b64decode(small["data_b64"]))) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 256 and thumb.size[0] > 0
    timeline = _timeline(console, incident)
    assert "incident.attachment_added" in [e["name"] for e in timeline]
    console.close()
    field.close()


def _events(client: Client, name: str) -> list[dict[str, Any]]:
    while not any(e["name"] == name for e in client.events):
        message = client.recv()
        (client.events if message["type"] == "event" else client.other).append(message)
    return [e for e in client.events if e["name"] == name]


def _timeline(client: Client, incident: str) -> list[dict[str, Any]]:
    client.send({"type": "timeline", "id": "t1", "incident": incident})
    return list(client.until("timeline")["events"])


def test_the_same_photo_twice_is_stored_once(hub: HubThread) -> None:
    console, incident = _incident(hub)
    field = _field(hub)
    photo = jpeg()
    first = _add(field, incident, photo)
    second = _add(console, incident, photo, filename="again.jpg")
    assert first["ok"] and second["ok"], (first, second)
    assert first["data"]["attachment"]["id"] != second["data"]["attachment"]["id"]
    assert first["data"]["attachment"]["sha256"] == second["data"]["attachment"]["sha256"]
    assert _stored(hub) == (1, 2)
    # The same command sent again (a reconnect) is answered as the first time, applied once.
    command_id = str(uuid.uuid4())
    once = _add(field, incident, png(), "image/png", "p.png", command_id=command_id)
    again = _add(field, incident, png(), "image/png", "p.png", command_id=command_id)
    assert once["ok"] and again["data"] == once["data"]
    assert _stored(hub) == (2, 3)
    console.close()
    field.close()


@pytest.mark.parametrize("case", ["oversize", "not_what_it_claims", "truncated_jpeg",
                                  "cut_base64", "bad_base64", "pdf_as_photo", "truncated_wav",
                                  "unknown_type"])
def test_bad_files_are_refused_clearly_and_store_nothing(hub: HubThread, case: str) -> None:
    console, incident = _incident(hub)
    field = _field(hub)
    photo = jpeg()
    sent = {
        "oversize": (b64(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES + b"\xff\xd9"), "image/jpeg"),
        "not_what_it_claims": (b64(png()), "image/jpeg"),
        "truncated_jpeg": (b64(photo[: len(photo) * 2 // 3]), "image/jpeg"),
        "cut_base64": (b64(photo)[:-3], "image/jpeg"),
        "bad_base64": ("not base64 at all!", "image/jpeg"),
        "pdf_as_photo": (b64(pdf()), "image/png"),
        "truncated_wav": (b64(wav()[:-100]), "audio/wav"),
        "unknown_type": (b64(b"MZ\x90\x00 an executable"), "application/x-msdownload"),
    }[case]
    result = _add(field, incident, sent[0], sent[1])
    assert not result["ok"], result
    error = result["error"]
    assert error["code"] == "invalid"
    assert error["template"] and error["message"].endswith(".")
    assert "photo.jpg" in error["message"]
    assert _stored(hub) == (0, 0)
    assert [e["name"] for e in _timeline(console, incident)] == ["incident.created"]
    console.close()
    field.close()


def test_other_kinds_are_accepted_without_a_thumbnail(hub: HubThread) -> None:
    console, incident = _incident(hub)
    for data, kind, name in ((wav(), "audio/x-wav", "voice.wav"),
                             (pdf(), "application/pdf", "report.pdf")):
        result = _add(console, incident, data, kind, name)
        assert result["ok"], result
        console.send({"type": "attachment", "id": "t", "thumbnail": True,
                      "attachment": result["data"]["attachment"]["id"]})
        answer = console.until("attachment")
        assert answer["ok"] and answer["data_b64"] is None
    assert _stored(hub) == (2, 2)
    console.close()


def test_a_desk_reads_only_its_own_cases_attachments(hub: HubThread) -> None:
    console, incident = _incident(hub)
    added = _add(console, incident, jpeg())
    attachment = added["data"]["attachment"]["id"]
    desk = Client(hub.port)
    desk.login("desk-env")
    desk.send({"type": "attachment", "id": "d1", "attachment": attachment, "thumbnail": True})
    refused = desk.until("attachment")
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    assign = console.command("incident.accept", id=incident)
    assert assign["ok"], assign
    assigned = console.command("incident.assign", id=incident, department="environment")
    assert assigned["ok"], assigned
    desk.send({"type": "attachment", "id": "d2", "attachment": attachment, "thumbnail": True})
    assert desk.until("attachment")["ok"]
    desk.send({"type": "attachment", "id": "d3", "attachment": "AT-none"})
    assert desk.until("attachment")["error"]["code"] == "not_found"
    console.close()
    desk.close()


def test_only_an_upload_may_be_larger_than_a_frame(hub: HubThread) -> None:
    console, incident = _incident(hub)
    console.send({"type": "command", "id": "n1", "name": "incident.note",
                  "args": {"id": incident, "text": "x" * (300 * 1024)}})
    # Not a result: the frame itself is refused, and the connection stays up.
    assert console.until("error")["code"] == "too_large"
    photo = noisy_jpeg()
    assert len(b64(photo)) > 4 * 256 * 1024
    result = _add(console, incident, photo)
    assert result["ok"], result
    assert result["data"]["attachment"]["size"] == len(photo)
    console.close()
