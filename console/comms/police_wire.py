"""The police hand-off messages on ``/police`` (docs/police-interface.md), as a sans-I/O codec.

The hub and the police peer share it; it never touches a socket:

- ``decode`` turns one frame (text or bytes) into a typed message — ``IncidentMsg``,
  ``AcknowledgementMsg``, ``CompletionMsg``, ``UpdateMsg``, ``CancelMsg``, ``AckMsg`` or a
  ``protocol.Ping`` — or raises ``protocol.ProtocolError`` with an English sentence the hub can
  send straight back in an ``error`` (its ``ref`` is the message ``id`` whenever one could be
  read). Whatever the input, it raises nothing else.
- ``from_wire`` does the same for an already-parsed object (the hub re-reads its outbox rows
  with it); ``to_wire`` builds that object and ``encode`` its compact JSON text.

The frame rules are those of ``console/comms/protocol.py`` (size limit, UTF-8, no NaN, no lone
surrogates, unknown fields ignored, booleans never numbers). Refusal codes follow the interface
document: ``bad_message`` when a message is not the documented shape, ``invalid`` when its
fields are well formed but do not go together (a rejection or a cancel without a cause, an
update with neither remarks nor summary). What a classification stands for (the police's own
code, mapped by the center's table), or whether a diversion carries its police case number, is
the hub's to decide: the codec knows no taxonomy and no direction.

The text limits are public (``MAX_SUMMARY``, …) so that a sender can cut its texts to fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, cast

from console.comms import protocol, wire_checks
from console.comms.protocol import MAX_FRAME, Ping, ProtocolError, ProtocolErrorCode

#: Longest texts, in characters.
MAX_ID = 64
MAX_SUMMARY = 2000
MAX_REMARKS = 20
MAX_REMARK = 500
MAX_ADDRESS = 200
MAX_CASE_NO = 64
MAX_CLASSIFICATION = 64
MAX_NAME = 64
MAX_PHONE = 32
MAX_CAUSE = 500
MAX_DISPOSITION = 2000

#: Message types on ``/police`` besides the handshake, the hub's errors and pongs.
TYPES = ("incident", "acknowledgement", "completion", "update", "cancel", "ack", "ping")
_EXPECTED = "incident, acknowledgement, completion, update, cancel, ack or ping"

PRIORITIES = ("P1", "P2", "P3", "P4")
ACKNOWLEDGEMENT_STATUSES = ("accepted", "rejected")
COMPLETION_STATUSES = ("completed", "aborted")

# Not in protocol.ProtocolErrorCode (a console never gets it from the codec), but the interface
# document answers a missing cause with it.
_INVALID = cast(ProtocolErrorCode, "invalid")


@dataclass(frozen=True)
class Location:
    """WGS-84 degrees and the address as the sender wrote it (empty when it had none)."""

    lat: float
    lon: float
    address: str


@dataclass(frozen=True)
class Reporter:
    """Who called; empty strings when the sender did not say."""

    name: str
    phone: str


@dataclass(frozen=True)
class Case:
    """A case as it is handed over: ``shared_id`` names it in both centers for its life."""

    shared_id: str
    police_case_no: str | None
    sent_at: datetime
    location: Location
    classification: str
    summary: str
    priority: str | None = None
    reporter: Reporter = Reporter("", "")
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentMsg:
    """The sender hands a case over (a diversion from the police, an escalation to them)."""

    id: str
    case: Case


@dataclass(frozen=True)
class AcknowledgementMsg:
    """The receiver signs for a case (``accepted``) or returns it (``rejected``, with a cause)."""

    id: str
    shared_id: str
    status: str
    cause: str | None = None
    police_case_no: str | None = None


@dataclass(frozen=True)
class CompletionMsg:
    """The receiver reports how a case ended: ``completed`` or ``aborted``."""

    id: str
    shared_id: str
    status: str
    completed_at: datetime
    disposition: str


@dataclass(frozen=True)
class UpdateMsg:
    """The sender amends an open case: new remarks, a new summary, or both."""

    id: str
    shared_id: str
    remarks: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class CancelMsg:
    """The sender withdraws a case."""

    id: str
    shared_id: str
    cause: str


@dataclass(frozen=True)
class AckMsg:
    """A message committed; ``incident`` names the incident on the hub's acks of incidents."""

    id: str
    incident: str | None = None


HandOff = IncidentMsg | AcknowledgementMsg | CompletionMsg | UpdateMsg | CancelMsg
PoliceMessage = HandOff | AckMsg | Ping


# --- decoding -------------------------------------------------------------------------------


def decode(text: str | bytes) -> PoliceMessage:
    """Decode and validate one frame on ``/police``.

    Raises:
        ProtocolError: for anything that is not a valid message; ``ref`` is its ``id`` when
            that could be read.
    """
    message = wire_checks.parse_frame(text, MAX_FRAME)
    if message.get("type") == "ping":
        return protocol.decode_ping(message)
    return _message(message, TYPES[:-1], _EXPECTED)


def from_wire(d: Mapping[str, Any]) -> HandOff | AckMsg:
    """The message in an already-parsed JSON object (``to_wire``'s output, e.g. an outbox row).

    Raises:
        ProtocolError: as ``decode`` does; a ``ping`` is refused here.
    """
    if not isinstance(d, Mapping):
        _refuse(f"A message must be a JSON object, not {wire_checks.json_kind(d)}.")
    if not wire_checks.is_unicode(d):
        _refuse("The message holds a lone surrogate, which is not valid text.")
    expected = ", ".join(TYPES[:-2]) + " or ack"
    return _message(dict(d), TYPES[:-1], expected)


def _message(message: dict[str, Any], known: tuple[str, ...],
             expected: str) -> HandOff | AckMsg:
    message_id = message.get("id")
    ref = message_id if isinstance(message_id, str) and 1 <= len(message_id) <= MAX_ID else None
    try:
        kind = wire_checks.type_of(message, known, expected)
        message_id = _text(message, "id", MAX_ID, where=kind)
        if kind == "incident":
            return IncidentMsg(message_id, _case(message.get("case")))
        if kind == "acknowledgement":
            return _acknowledgement(message_id, message)
        if kind == "completion":
            return CompletionMsg(
                message_id, _text(message, "shared_id", MAX_ID, where=kind),
                _choice(message, "status", COMPLETION_STATUSES, where=kind),
                _instant(message, "completed_at", where=kind),
                _text(message, "disposition", MAX_DISPOSITION, where=kind))
        if kind == "update":
            return _update(message_id, message)
        if kind == "cancel":
            shared_id = _text(message, "shared_id", MAX_ID, where=kind)
            return CancelMsg(message_id, shared_id, _cause(message, "A cancel", where=kind))
        return AckMsg(message_id, _optional_text(message, "incident", MAX_ID, where="ack"))
    except ProtocolError as refusal:
        refusal.ref = ref
        raise


def _case(case: Any) -> Case:
    where = "'case'"
    if not isinstance(case, dict):
        _refuse("'case' must be an object with shared_id, police_case_no, sent_at, location, "
                "classification and summary.")
    location = case.get("location")
    if not isinstance(location, dict):
        _refuse("'location' in 'case' must be an object with lat, lon and address.")
    reporter = case.get("reporter")
    if reporter is None:
        reporter = {}
    elif not isinstance(reporter, dict):
        _refuse("'reporter' in 'case' must be an object with name and phone, or null.")
    return Case(
        shared_id=_text(case, "shared_id", MAX_ID, where=where),
        police_case_no=_optional_text(case, "police_case_no", MAX_CASE_NO, where=where),
        sent_at=_instant(case, "sent_at", where=where),
        location=Location(_degrees(location, "lat", 90), _degrees(location, "lon", 180),
                          _text(location, "address", MAX_ADDRESS, where="'location'",
                                empty=True)),
        classification=_text(case, "classification", MAX_CLASSIFICATION, where=where),
        summary=_text(case, "summary", MAX_SUMMARY, where=where),
        priority=_priority(case),
        reporter=Reporter(_text(reporter, "name", MAX_NAME, where="'reporter'", empty=True),
                          _text(reporter, "phone", MAX_PHONE, where="'reporter'", empty=True)),
        remarks=_remarks(case, where=where),
    )


def _acknowledgement(message_id: str, message: dict[str, Any]) -> AcknowledgementMsg:
    where = "acknowledgement"
    shared_id = _text(message, "shared_id", MAX_ID, where=where)
    status = _choice(message, "status", ACKNOWLEDGEMENT_STATUSES, where=where)
    police_case_no = _optional_text(message, "police_case_no", MAX_CASE_NO, where=where)
    if status == "rejected":
        cause: str | None = _cause(message, "A rejection", where=where)
    else:
        cause = _optional_text(message, "cause", MAX_CAUSE, where=where)
    return AcknowledgementMsg(message_id, shared_id, status, cause, police_case_no)


def _update(message_id: str, message: dict[str, Any]) -> UpdateMsg:
    shared_id = _text(message, "shared_id", MAX_ID, where="update")
    remarks = _remarks(message, where="update")
    summary = _optional_text(message, "summary", MAX_SUMMARY, where="update")
    if not remarks and summary is None:
        _refuse("An update must carry 'remarks' or a 'summary' (or both).", _INVALID)
    return UpdateMsg(message_id, shared_id, remarks, summary)


def _cause(message: dict[str, Any], what: str, *, where: str) -> str:
    cause = message.get("cause")
    if cause is None or (isinstance(cause, str) and not cause.strip()):
        _refuse(f"{what} must give its 'cause'.", _INVALID)
    return _text(message, "cause", MAX_CAUSE, where=where)


def _text(container: dict[str, Any], key: str, longest: int, *, where: str,
          empty: bool = False) -> str:
    """A string field; with ``empty``, a missing or null one reads as ``""``."""
    value = container.get(key)
    if empty and value is None:
        return ""
    shortest = 0 if empty else 1
    if not isinstance(value, str) or not shortest <= len(value) <= longest:
        article = "a" if empty else "a non-empty"
        _refuse(f"'{key}' in {where} must be {article} string of at most {longest} characters.")
    return value


def _optional_text(container: dict[str, Any], key: str, longest: int, *,
                   where: str) -> str | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        _refuse(f"'{key}' in {where} must be a non-empty string of at most {longest} "
                "characters, or null.")
    return value


def _choice(container: dict[str, Any], key: str, allowed: tuple[str, ...], *, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or value not in allowed:
        _refuse(f"'{key}' in {where} must be {' or '.join(map(repr, allowed))}, "
                f"not {wire_checks.show(value)}.")
    return value


def _priority(case: dict[str, Any]) -> str | None:
    value = case.get("priority")
    if value is not None and value not in PRIORITIES:
        _refuse(f"'priority' in 'case' must be one of P1, P2, P3, P4 or null, "
                f"not {wire_checks.show(value)}.")
    return cast(str | None, value)


def _remarks(container: dict[str, Any], *, where: str) -> tuple[str, ...]:
    value = container.get("remarks")
    if value is None:
        return ()
    if (not isinstance(value, list) or len(value) > MAX_REMARKS
            or not all(isinstance(r, str) and 1 <= len(r) <= MAX_REMARK for r in value)):
        _refuse(f"'remarks' in {where} must be a list of at most {MAX_REMARKS} non-empty strings "
                f"of at most {MAX_REMARK} characters each.")
    return tuple(value)


def _degrees(location: dict[str, Any], key: str, limit: int) -> float:
    value: Any = location.get(key)
    # Compare before converting: a huge int would overflow float().
    if not wire_checks.is_number(value) or not -limit <= value <= limit:
        _refuse(f"'{key}' in 'location' must be a number from {-limit} to {limit}.")
    return float(value)


def _instant(container: dict[str, Any], key: str, *, where: str) -> datetime:
    value = container.get(key)
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        _refuse(f"'{key}' in {where} must be an ISO 8601 time with its UTC offset, "
                "e.g. 2026-11-27T11:02:10+08:00.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        _refuse(f"'{key}' in {where} must carry its UTC offset (e.g. +08:00 or Z).")
    return moment


def _refuse(message: str, code: ProtocolErrorCode = "bad_message") -> NoReturn:
    raise ProtocolError(code, message)


# --- encoding -------------------------------------------------------------------------------


def to_wire(message: HandOff | AckMsg) -> dict[str, Any]:
    """The JSON object of ``message`` as the interface document shows it (times ISO 8601).

    Optional fields that are unset are left out, except ``police_case_no`` of a case, which is
    ``null`` on an escalation.
    """
    if isinstance(message, IncidentMsg):
        return {"type": "incident", "id": message.id, "case": _case_to_wire(message.case)}
    if isinstance(message, AcknowledgementMsg):
        built: dict[str, Any] = {"type": "acknowledgement", "id": message.id,
                                 "shared_id": message.shared_id, "status": message.status}
        if message.cause is not None:
            built["cause"] = message.cause
        if message.police_case_no is not None:
            built["police_case_no"] = message.police_case_no
        return built
    if isinstance(message, CompletionMsg):
        return {"type": "completion", "id": message.id, "shared_id": message.shared_id,
                "status": message.status, "completed_at": _iso(message.completed_at),
                "disposition": message.disposition}
    if isinstance(message, UpdateMsg):
        built = {"type": "update", "id": message.id, "shared_id": message.shared_id}
        if message.remarks:
            built["remarks"] = list(message.remarks)
        if message.summary is not None:
            built["summary"] = message.summary
        return built
    if isinstance(message, CancelMsg):
        return {"type": "cancel", "id": message.id, "shared_id": message.shared_id,
                "cause": message.cause}
    if isinstance(message, AckMsg):
        built = {"type": "ack", "id": message.id}
        if message.incident is not None:
            built["incident"] = message.incident
        return built
    raise TypeError(f"Not a police message: {message!r}")


def encode(message: HandOff | AckMsg) -> str:
    """Compact JSON text of ``message``, Chinese kept as it is."""
    return protocol.encode(to_wire(message))


def _case_to_wire(case: Case) -> dict[str, Any]:
    built: dict[str, Any] = {
        "shared_id": case.shared_id, "police_case_no": case.police_case_no,
        "sent_at": _iso(case.sent_at),
        "location": {"lat": case.location.lat, "lon": case.location.lon,
                     "address": case.location.address},
        "classification": case.classification,
    }
    if case.priority is not None:
        built["priority"] = case.priority
    built["summary"] = case.summary
    if case.reporter != Reporter("", ""):
        built["reporter"] = {"name": case.reporter.name, "phone": case.reporter.phone}
    if case.remarks:
        built["remarks"] = list(case.remarks)
    return built


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"A time on the wire must carry its zone: {moment!r}.")
    return moment.isoformat()
