"""The checks of one frame of the wire protocol (console.comms.protocol, console.comms.police_wire):
parsing the JSON of a frame within a size, the fields' types and characters, and the error they
raise. Whatever the input, they raise nothing but :class:`ProtocolError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, NoReturn

from console.domain import text as characters

#: The largest whole number accepted for a sequence number or a version (a signed 64-bit column).
MAX_WHOLE = 2**63 - 1

ProtocolErrorCode = Literal["bad_frame", "bad_message", "unsupported_protocol", "too_large"]

_SHOWN = 40  # characters of a client's value quoted back in an error message


class ProtocolError(Exception):
    """A frame the codec refuses.

    Args:
        code: ``bad_frame`` (not UTF-8 or not JSON), ``bad_message`` (JSON, but not a valid
            message), ``unsupported_protocol`` or ``too_large``.
        message: an English sentence naming the problem and, where relevant, the field.
        ref: the ``id`` of the offending command, when one could be read.
    """

    def __init__(self, code: ProtocolErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code: ProtocolErrorCode = code
        self.message = message
        self.ref = ref

    def to_message(self) -> dict[str, Any]:
        """The ``error`` message the hub sends back for this refusal."""
        return error(self.code, self.message, self.ref)


def error(code: str, message: str, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    """An ``error``; ``ref`` (omitted when None) names the command it answers."""
    built: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        built["ref"] = ref
    built.update(extra)
    return built


# --- helpers --------------------------------------------------------------------------------


class _NotFinite(ValueError):
    pass


def _refuse_constant(literal: str) -> NoReturn:
    raise _NotFinite(f"{literal} is not a number JSON allows")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _NotFinite(f"{show(literal)} is too large a number")
    return number


def parse_frame(text: str | bytes, limit: int | None) -> dict[str, Any]:
    """The JSON object in one frame; ``limit`` is the most characters allowed, if any."""
    if isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        # A UTF-8 character takes at most 4 bytes: skip decoding what is too large anyway.
        if limit is not None and len(raw) > 4 * limit:
            too_large(limit)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            refuse(f"The frame is not valid UTF-8 text (byte {exc.start}).", "bad_frame")
    if limit is not None and len(text) > limit:
        too_large(limit)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        refuse(f"The frame is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                "bad_frame")
    except _NotFinite as exc:
        refuse(f"The frame is not JSON: {exc}.", "bad_frame")
    except RecursionError:
        refuse("The frame is not JSON this hub can read: it is nested too deeply.", "bad_frame")
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        refuse(f"The frame is not JSON this hub can read: {exc}.", "bad_frame")
    if not isinstance(value, dict):
        refuse(f"A message must be a JSON object, not {json_kind(value)}.")
    if not is_unicode(value):
        refuse("The message holds a lone surrogate escape (such as \\ud800), "
                "which is not valid text.")
    return value


def type_of(message: dict[str, Any], known: Sequence[str], expected: str) -> str:
    kind = message.get("type")
    if kind is None:
        refuse(f"The message has no 'type'; expected {expected}.")
    if not isinstance(kind, str):
        refuse(f"'type' must be a string; expected {expected}.")
    if kind not in known:
        refuse(f"Unknown message type {show(kind)}; expected {expected}.")
    return kind


def is_unicode(value: Any) -> bool:
    """Whether every string in a parsed JSON value is encodable text (no lone surrogates, which
    JSON escapes allow but UTF-8, the database and the other clients do not)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def text_field(container: dict[str, Any], key: str, longest: int, *, where: str,
          plain: bool = True) -> str:
    """A non-empty string; ``plain`` (all but secrets) also holds no control character or
    bidirectional override (:func:`check_plain`)."""
    value = container.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        refuse(f"'{key}' in {where} must be a non-empty string of at most {longest} characters.")
    if plain:
        check_plain(value, f"'{key}' in {where}")
    return value


def check_plain(value: str, what: str) -> None:
    """Refuse an id or a name holding a character text may not hold (docs/security.md): it would
    be looked up or stored as it is, and PostgreSQL cannot take a NUL at all."""
    if (bad := characters.problem(value)) is not None:
        refuse(f"{what} holds a character it may not hold ({bad}).")


def optional_whole(message: dict[str, Any], key: str) -> int | None:
    value = message.get(key)
    if value is None:
        return None
    if not is_int(value) or not 0 <= value <= MAX_WHOLE:
        refuse(f"'{key}' must be a whole number or null.")
    return int(value)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    return "a number"


def show(value: Any) -> str:
    """A client's value quoted back in an error, cut short."""
    shown = repr(value)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"


def instant(value: Any, what: str) -> datetime:
    """An ISO 8601 time with its UTC offset; ``what`` names the field in the refusal."""
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        refuse(f"{what} must be an ISO 8601 time with its UTC offset, "
               "e.g. 2026-11-27T08:00:00+08:00.")
    if moment.tzinfo is None:
        refuse(f"{what} must carry its UTC offset (e.g. +08:00 or Z).")
    return moment


def too_large(limit: int) -> NoReturn:
    refuse(f"The frame is larger than {limit} characters.", "too_large")


def refuse(message: str, code: ProtocolErrorCode = "bad_message") -> NoReturn:
    raise ProtocolError(code, message)
