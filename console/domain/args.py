"""Reading a command's arguments: each reader returns a typed value or refuses with `invalid`.

Bad input never reaches the rules: every field is checked for presence, type, size and
characters here (no control characters, no bidirectional overrides: :mod:`console.domain.text`),
and the refusal names the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from console.domain import text as characters
from console.domain.errors import Refused

E = TypeVar("E", bound=StrEnum)

MAX_TEXT = 4000
MAX_ID = 64


def text(args: Mapping[str, Any], key: str, *, required: bool = True,
         max_len: int = MAX_TEXT, multiline: bool = False) -> str:
    """A text field, stripped of surrounding white space.

    Args:
        multiline: free text (a description, a note, a reason), which may hold line feeds and
            tabs; otherwise one line (a name, an address, a code).
    """
    value = args.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refused("invalid", "'{field}' is required.", field=key)
        return ""
    if not isinstance(value, str):
        raise Refused("invalid", "'{field}' must be text.", field=key)
    if len(value) > max_len:
        raise Refused("invalid", "'{field}' is longer than {limit} characters.",
                      field=key, limit=max_len)
    _check_characters(key, value, multiline=multiline)
    return value.strip()


def _check_characters(key: str, value: str, *, multiline: bool) -> None:
    if (bad := characters.problem(value, multiline=multiline)) is not None:
        raise Refused("invalid", "'{field}' holds a character that text may not hold "
                      "({character}).", field=key, character=bad)


def ident(args: Mapping[str, Any], key: str) -> str:
    return text(args, key, max_len=MAX_ID)


def choice(args: Mapping[str, Any], key: str, enum: type[E], *,
           default: E | None = None) -> E:
    value = args.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, str) and value in enum._value2member_map_:
        return enum(value)
    allowed = ", ".join(m.value for m in enum)
    raise Refused("invalid", "'{field}' must be one of: {allowed}.", field=key, allowed=allowed)


def number(args: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused("invalid", "'{field}' must be a number.", field=key)
    if not low <= value <= high:
        raise Refused("invalid", "'{field}' must be between {low} and {high}.",
                      field=key, low=low, high=high)
    return float(value)


def integer(args: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused("invalid", "'{field}' must be a whole number.", field=key)
    if not low <= value <= high:
        raise Refused("invalid", "'{field}' must be between {low} and {high}.",
                      field=key, low=low, high=high)
    return value


def flag(args: Mapping[str, Any], key: str) -> bool:
    value = args.get(key)
    if not isinstance(value, bool):
        raise Refused("invalid", "'{field}' must be true or false.", field=key)
    return value


def mapping(args: Mapping[str, Any], key: str, *, required: bool = True) -> Mapping[str, Any]:
    value = args.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise Refused("invalid", "'{field}' must be an object.", field=key)
    return value


def idents(args: Mapping[str, Any], key: str, *, max_items: int = 20) -> tuple[str, ...]:
    value = args.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and 0 < len(v) <= MAX_ID for v in value
    ):
        raise Refused("invalid", "'{field}' must be a list of codes.", field=key)
    if len(value) > max_items:
        raise Refused("invalid", "'{field}' has more than {limit} entries.",
                      field=key, limit=max_items)
    for v in value:
        _check_characters(key, v, multiline=False)
    return tuple(value)
