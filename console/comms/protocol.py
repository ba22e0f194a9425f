"""The wire protocol, version 1 (DESIGN §5): one JSON object per websocket text frame.

This is the sans-I/O codec the hub and the console share. It never touches a socket:

- ``decode_client`` turns one frame a client sent (text or bytes) into a typed, validated message
  — ``Hello``, ``CommandMessage``, ``PositionsMessage``, ``Ping``, ``TimelineRequest``,
  ``TrackRequest``, ``ReporterRequest`` or a field device's ``TaskAck`` — or
  raises ``ProtocolError`` with a code and an English sentence the hub can send straight back in
  an ``error``. Whatever the input, it raises nothing else.
- The builders (``welcome``, ``error``, ``snapshot``, ``synced``, ``event``, ``result_ok``,
  ``result_error``, ``positions_frame``, ``pong``, ``timeline``, ``track``, ``reporter``,
  ``task``) make
  the hub's messages as plain dicts, and ``encode`` turns any message into compact JSON text.
- ``decode_server`` is the console's light check of what the hub sent: a JSON object with a
  known ``type``, returned as a dict.

Unknown top-level fields are ignored so that older hubs accept newer clients; a known field of
the wrong type is an error. Booleans never count as numbers, and NaN or infinite numbers are
refused wherever they appear.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.comms import attachment_wire, audit_wire, report_wire, search_wire, workers_wire
from console.comms.attachment_wire import AttachmentRequest as AttachmentRequest  # re-exported
from console.comms.audit_wire import AuditRequest as AuditRequest  # re-exported
from console.comms.report_wire import ReportRequest as ReportRequest  # re-exported
from console.comms.search_wire import CaseRequest as CaseRequest  # re-exported
from console.comms.search_wire import SearchRequest as SearchRequest  # re-exported
from console.comms.wire_checks import MAX_WHOLE as MAX_WHOLE  # re-exported
from console.comms.wire_checks import ProtocolError as ProtocolError  # re-exported
from console.comms.wire_checks import ProtocolErrorCode as ProtocolErrorCode  # re-exported
from console.comms.wire_checks import (
    check_plain,
    instant,
    is_int,
    is_number,
    optional_whole,
    parse_frame,
    refuse,
    show,
    text_field,
    too_large,
    type_of,
)
from console.comms.wire_checks import error as error  # re-exported
from console.comms.workers_wire import WorkersRequest as WorkersRequest  # re-exported

#: The protocol version this module speaks.
PROTOCOL = 1

#: The largest text frame, in characters, the hub accepts. A larger one is answered with a
#: ``too_large`` error and the connection stays up.
MAX_FRAME = 256 * 1024

#: The most rows one field ``positions`` batch may carry.
MAX_POSITION_ROWS = 5000

#: Every ``code`` the hub puts on an ``error`` message.
ERROR_CODES = frozenset({
    "auth_failed", "bad_frame", "bad_message", "too_large", "unsupported_protocol",
    "not_ready", "rate_limited", "forbidden", "shutting_down", "session_ended",
})

#: Message types a client may send (police hand-off messages live elsewhere).
CLIENT_TYPES = ("hello", "command", "positions", "ping", "timeline", "track", "logout", "audit",
                "reporter", "search", "case", "attachment", "ack", "workers", "report")

#: Message types the hub sends to consoles and field clients.
SERVER_TYPES = ("welcome", "error", "snapshot", "synced", "event", "result", "positions", "pong",
                "timeline", "track", "logged_out", "audit", "reporter", "search", "case",
                "attachment", "task", "workers", "report")

#: The streams a console session may subscribe to in its ``hello``.
STREAMS = ("events", "positions")

#: The longest period one ``track`` request may cover, and the most points an answer carries
#: (the newest are kept when a unit reported more often).
MAX_TRACK_PERIOD_S = 24 * 3600
MAX_TRACK_POINTS = 20_000

_COMMAND_NAME = re.compile(r"[a-z_]+\.[a-z_]+")


# --- client → hub ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    """The handshake: either ``username`` and ``password`` or ``token`` is set, never both."""

    protocol: int
    client: str
    username: str | None
    password: str | None = field(repr=False)
    token: str | None = field(repr=False)
    resume_from: int | None
    #: The streams the client wants on ``/ws`` (None: all of them). A client that only sends
    #: commands — a department's system, a simulator's desk — asks for none and gets no snapshot.
    subscribe: frozenset[str] | None = None


@dataclass(frozen=True)
class CommandMessage:
    """A command: a client-chosen ``id`` (re-sent unchanged after a reconnect), a dotted
    ``name``, its ``args`` and, optionally, the incident version the client saw."""

    id: str
    name: str
    args: dict[str, Any] = field(hash=False)
    expected_version: int | None


@dataclass(frozen=True)
class PositionsMessage:
    """A field client's batch of ``(unit id, lat, lon, heading, speed)`` rows."""

    units: tuple[tuple[str, float, float, float, float], ...]


@dataclass(frozen=True)
class Ping:
    """A ping, answered with a ``pong`` carrying the same ``id``."""

    id: str | None


@dataclass(frozen=True)
class TimelineRequest:
    """A console asks for every event of one incident (the detail's timeline)."""

    id: str
    incident: str


@dataclass(frozen=True)
class TrackRequest:
    """A console asks for one unit's stored positions over a period (its trail on the map)."""

    id: str
    unit: str
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Logout:
    """The user logs out: the hub ends the session (its token stops working), answers
    ``logged_out`` with the same ``id`` and closes the connection."""

    id: str | None


@dataclass(frozen=True)
class ReporterRequest:
    """A console asks to read one incident's reporter unmasked, giving its reason (the hub
    checks who may, and puts the read on the audit trail: docs/security.md)."""

    id: str
    incident: str
    reason: str


@dataclass(frozen=True)
class TaskAck:
    """A field device has stored task ``id`` (DESIGN §5c): it is never sent again."""

    id: str


#: The longest reason a ``reporter`` request may give (the hub's own check is shorter).
MAX_REASON = 2000

ClientMessage = (Hello | CommandMessage | PositionsMessage | Ping | TimelineRequest
                 | TrackRequest | Logout | AuditRequest | ReporterRequest | SearchRequest
                 | CaseRequest | AttachmentRequest | TaskAck | WorkersRequest | ReportRequest)


def decode_client(text: str | bytes) -> ClientMessage:
    """Decode and validate one frame a client sent.

    Args:
        text: the frame; bytes are read as UTF-8.

    Returns:
        The typed message.

    Raises:
        ProtocolError: for anything that is not a valid version-1 client message.
    """
    # One command may be larger (console/comms/attachment_wire.py): a large frame that does not
    # even name it is refused unread; one that does is read up to its limit, and must be it.
    if isinstance(text, bytes | bytearray | memoryview):
        # The limit counts characters: decode first (what is not UTF-8, parse_frame names).
        with contextlib.suppress(UnicodeDecodeError):
            text = bytes(text).decode("utf-8")
    large = len(text) > MAX_FRAME
    if large and not attachment_wire.names_upload(text):
        too_large(MAX_FRAME)
    message = parse_frame(text, attachment_wire.MAX_UPLOAD_FRAME if large else MAX_FRAME)
    if large and not attachment_wire.is_upload(message):
        too_large(MAX_FRAME)
    kind = type_of(message, CLIENT_TYPES,
                    # (ack, a field device's, is left out: the list is for consoles)
                    "hello, command, positions, ping, timeline, track, logout, audit, reporter, "
                    "search, case, attachment, workers or report")
    if kind == "hello":
        return _hello(message)
    if kind == "command":
        return _command(message)
    if kind == "positions":
        return _positions(message)
    if kind == "timeline":
        return TimelineRequest(text_field(message, "id", 64, where="timeline"),
                               text_field(message, "incident", 64, where="timeline"))
    if kind == "track":
        return _track(message)
    if kind == "logout":
        return Logout(decode_ping(message).id)
    if kind == "audit":
        return _audit(message)
    if kind == "reporter":
        return _reporter(message)
    if kind == "search":
        return search_wire.decode(message)
    if kind == "case":
        return search_wire.decode_case(message)
    if kind == "attachment":
        return attachment_wire.decode_request(message)
    if kind == "workers":
        return workers_wire.decode(message)
    if kind == "report":
        return report_wire.decode(message)
    if kind == "ack":
        return TaskAck(text_field(message, "id", 80, where="ack"))
    return decode_ping(message)


def _audit(message: dict[str, Any]) -> AuditRequest:
    """An ``audit`` request (console/comms/audit_wire.py)."""
    request_id = text_field(message, "id", 64, where="audit")
    verify = message.get("verify", False)
    if not isinstance(verify, bool):
        refuse("'verify' in audit must be true or false.")
    if verify:
        return AuditRequest(request_id, verify=True)
    filters = message.get("filters") or {}
    if not isinstance(filters, dict):
        refuse("'filters' in audit must be an object.")
    unknown = sorted(set(filters) - set(audit_wire.FILTERS))
    if unknown:
        refuse(f"Unknown audit filter {show(unknown[0])}; the filters are since, until, "
                "user and action.")
    since = _instant(filters, "since") if filters.get("since") is not None else None
    until = _instant(filters, "until") if filters.get("until") is not None else None
    user = text_field(filters, "user", 128, where="audit filters") \
        if filters.get("user") is not None else None
    action = text_field(filters, "action", 64, where="audit filters") \
        if filters.get("action") is not None else None
    limit = message.get("limit", audit_wire.PAGE)
    if not is_int(limit) or not 1 <= limit <= audit_wire.MAX_PAGE:
        refuse(f"'limit' in audit must be a whole number from 1 to {audit_wire.MAX_PAGE}.")
    before = optional_whole(message, "before")
    return AuditRequest(request_id, since, until, user, action, int(limit), before)


def _reporter(message: dict[str, Any]) -> ReporterRequest:
    # The reason's content (blank, its characters) is the hub's to refuse with a template the
    # console translates; here only its type and size.
    reason = message.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        refuse(f"'reason' in reporter must be a string of at most {MAX_REASON} characters.")
    return ReporterRequest(text_field(message, "id", 64, where="reporter"),
                           text_field(message, "incident", 64, where="reporter"), reason)


def _hello(message: dict[str, Any]) -> Hello:
    protocol = message.get("protocol")
    if protocol is None:
        refuse(f"The hello has no 'protocol'; this hub speaks protocol {PROTOCOL}.",
                "unsupported_protocol")
    if not is_int(protocol):
        refuse(f"'protocol' must be the whole number {PROTOCOL}.", "unsupported_protocol")
    if protocol != PROTOCOL:
        refuse(f"This hub speaks protocol {PROTOCOL}; the client asked for {show(protocol)}.",
                "unsupported_protocol")
    client = message.get("client")
    if not isinstance(client, str) or len(client) > 128:
        refuse("'client' must be a string of at most 128 characters.")
    auth = message.get("auth")
    if not isinstance(auth, dict):
        refuse("'auth' must be an object with 'username' and 'password', or with 'token'.")
    username = password = token = None
    if auth.keys() == {"username", "password"}:
        username = text_field(auth, "username", 64, where="'auth'")
        password = text_field(auth, "password", 1024, where="'auth'", plain=False)
    elif auth.keys() == {"token"}:
        token = text_field(auth, "token", 256, where="'auth'", plain=False)
    else:
        refuse("'auth' must hold either 'username' and 'password', or 'token', and nothing else.")
    resume_from = optional_whole(message, "resume_from")
    subscribe = message.get("subscribe")
    if subscribe is not None:
        if (not isinstance(subscribe, list) or len(subscribe) > len(STREAMS)
                or any(s not in STREAMS for s in subscribe)):
            refuse("'subscribe' must be a list of streams out of 'events' and 'positions', "
                    "or null for both.")
        subscribe = frozenset(subscribe)
    return Hello(PROTOCOL, client, username, password, token, resume_from, subscribe)


def _command(message: dict[str, Any]) -> CommandMessage:
    command_id = message.get("id")
    if not isinstance(command_id, str) or not 1 <= len(command_id) <= 64:
        refuse("'id' must be a string of 1 to 64 characters.")
    check_plain(command_id, "'id'")
    try:
        name = message.get("name")
        if (not isinstance(name, str) or len(name) > 64
                or _COMMAND_NAME.fullmatch(name) is None):
            refuse("'name' must be a command name such as 'incident.accept' (lower-case letters "
                    "and underscores around one dot, at most 64 characters).")
        args = message.get("args", {})
        if not isinstance(args, dict):
            refuse("'args' must be an object.")
        expected_version = optional_whole(message, "expected_version")
    except ProtocolError as refusal:
        refusal.ref = command_id
        raise
    return CommandMessage(command_id, name, args, expected_version)


# Each column of a position row: name, lowest and highest value.
_POSITION_COLUMNS = (
    ("lat", -90, 90), ("lon", -180, 180), ("heading", 0, 360), ("speed", 0, 200),
)


def _positions(message: dict[str, Any]) -> PositionsMessage:
    rows = message.get("units")
    if not isinstance(rows, list):
        refuse("'units' must be a list of [id, lat, lon, heading, speed] rows.")
    if len(rows) > MAX_POSITION_ROWS:
        refuse(f"'units' holds {len(rows)} rows; at most {MAX_POSITION_ROWS} are allowed "
                "in one message.")
    units: list[tuple[str, float, float, float, float]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != 5:
            refuse(f"Row {index} of 'units' must be a list of five values: "
                    "[id, lat, lon, heading, speed].")
        unit_id = row[0]
        if not isinstance(unit_id, str) or not 1 <= len(unit_id) <= 64:
            refuse(f"Row {index} of 'units': the unit id must be a string of 1 to 64 "
                    "characters.")
        check_plain(unit_id, f"Row {index} of 'units': the unit id")
        numbers: list[float] = []
        for value, (column, low, high) in zip(row[1:], _POSITION_COLUMNS, strict=True):
            # Compare before converting: a huge int would overflow float().
            if not is_number(value) or not low <= value <= high:
                refuse(f"Row {index} of 'units': '{column}' must be a number from {low} "
                        f"to {high}.")
            numbers.append(float(value))
        lat, lon, heading, speed = numbers
        units.append((unit_id, lat, lon, heading, speed))
    return PositionsMessage(tuple(units))


def _track(message: dict[str, Any]) -> TrackRequest:
    request_id = text_field(message, "id", 64, where="track")
    unit = text_field(message, "unit", 64, where="track")
    since = _instant(message, "since")
    until = _instant(message, "until")
    if not since <= until:
        refuse("'since' must not be later than 'until'.")
    if (until - since).total_seconds() > MAX_TRACK_PERIOD_S:
        refuse(f"A track covers at most {MAX_TRACK_PERIOD_S // 3600} hours; ask for a shorter "
                "period.")
    return TrackRequest(request_id, unit, since, until)


def _instant(message: dict[str, Any], key: str) -> datetime:
    return instant(message.get(key), f"'{key}'")


def decode_ping(message: dict[str, Any]) -> Ping:
    """A ``ping`` (also the police link's, console/comms/police_wire.py)."""
    ping_id = message.get("id")
    if ping_id is not None and (not isinstance(ping_id, str) or not 1 <= len(ping_id) <= 64):
        refuse("'id' must be a string of 1 to 64 characters, or null.")
    return Ping(ping_id)


# --- hub → client ---------------------------------------------------------------------------


def encode(message: Mapping[str, Any]) -> str:
    """Compact JSON text of ``message``, with non-ASCII text kept as it is.

    Raises:
        ValueError: for NaN or an infinite number (a bug in the sender, not the client's fault).
        TypeError: for a value JSON cannot hold.
    """
    return json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def logged_out(logout_id: str | None) -> dict[str, Any]:
    """The answer to ``logout``: the session has ended; the hub closes the connection next."""
    return {"type": "logged_out", "id": logout_id}


def welcome(user: Mapping[str, Any], token: str, seq: int, hub: str,
            time: datetime | None = None, speed: float = 1.0) -> dict[str, Any]:
    """The answer to a good ``hello``: who the client is, its session token, the log head,
    and the hub's world time and its speed (1 = real time; a demo world may run faster)."""
    built = {"type": "welcome", "protocol": PROTOCOL, "user": dict(user), "token": token,
             "seq": seq, "hub": hub}
    if time is not None:
        built.update(time=time.isoformat(), speed=speed)
    return built


def snapshot(seq: int, **parts: Any) -> dict[str, Any]:
    """The live state as of ``seq``: ``incidents``, ``units``, ``cameras``, ``taxonomy``, …"""
    return {"type": "snapshot", "seq": seq, **parts}


def synced(seq: int) -> dict[str, Any]:
    """The end of the replay or snapshot: live events follow from ``seq`` + 1."""
    return {"type": "synced", "seq": seq}


def event(logged: Mapping[str, Any]) -> dict[str, Any]:
    """An already-built event dict (``LoggedEvent.to_wire()``), passed through.

    Raises:
        ValueError: if it carries a ``type`` other than ``event``.
    """
    built = dict(logged)
    if built.setdefault("type", "event") != "event":
        raise ValueError(f"An event message cannot have type {built['type']!r}.")
    return built


def result_ok(id: str, data: Mapping[str, Any], seq: int | None) -> dict[str, Any]:
    """A command's success, sent after its commit; ``seq`` is that of its last event."""
    return {"type": "result", "id": id, "ok": True, "data": dict(data), "seq": seq}


def result_error(id: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """A command's refusal; ``extra`` (e.g. ``template``, ``params``) joins the ``error``."""
    return {"type": "result", "id": id, "ok": False,
            "error": {"code": code, "message": message, **extra}}


def positions_frame(at: datetime, units: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The latest positions for consoles: ``[id, lat, lon, heading, speed, status]`` rows (any
    sequences: they are encoded as arrays)."""
    return {"type": "positions", "at": at.isoformat(), "units": list(units)}


def pong(id: str | None) -> dict[str, Any]:
    """The answer to a ``ping``."""
    return {"type": "pong", "id": id}


def timeline(id: str, incident: str, events: Sequence[Mapping[str, Any]],
             names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The answer to a ``timeline`` request: the incident's events in seq order, and the
    display names of the accounts that acted in them (``names``, username → name)."""
    answer: dict[str, Any] = {"type": "timeline", "id": id, "incident": incident,
                              "events": list(events)}
    if names:
        answer["names"] = dict(names)
    return answer


def track(id: str, unit: str, points: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The answer to a ``track`` request: ``[lat, lon, heading, speed, at]`` rows, oldest first."""
    return {"type": "track", "id": id, "unit": unit, "points": [list(row) for row in points]}


def reporter(id: str, incident: str, *, shown: Mapping[str, Any] | None = None,
             error: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answer to a ``reporter`` request: ``ok`` with what was asked shown in full
    (``reporter``, ``description``), or not ``ok`` with the ``error`` (``code``, ``message``,
    ``template``, ``params``) as a refused command has it."""
    if error is not None:
        return {"type": "reporter", "id": id, "incident": incident, "ok": False,
                "error": dict(error)}
    return {"type": "reporter", "id": id, "incident": incident, "ok": True, **dict(shown or {})}


def task(body: Mapping[str, Any]) -> dict[str, Any]:
    """A ``task`` for a field device (DESIGN §5c), as the outbox holds it."""
    return {**body, "type": "task"}


def decode_server(text: str | bytes) -> dict[str, Any]:
    """Check that a frame from the hub is a JSON object with a known ``type``, and return it.

    Raises:
        ProtocolError: if it is not.
    """
    message = parse_frame(text, None)
    type_of(message, SERVER_TYPES, ", ".join(SERVER_TYPES[:-1]) + " or " + SERVER_TYPES[-1])
    return message
