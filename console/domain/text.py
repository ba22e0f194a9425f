"""Which characters text may hold, and the rule that cleans a police message's text.

Text enters the log from consoles and field devices (command arguments) and from police
centers (hand-off messages). Two kinds of character never belong in it (docs/security.md,
"Input"):

- control characters, C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F): NUL cannot be
  stored at all by PostgreSQL (in text or JSON), the others are invisible and garble a display
  or a log file. Free text (a description, a note, a reason) may hold line feed and tab;
  single-line text (a name, an address, a code) holds none;
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what
  follows them on screen, so ``CH-…-123`` can read as something else. The implicit marks
  U+200E/U+200F cannot reorder anything and are left alone.

A console's command with either is refused (:func:`problem` says why, for ``invalid``); a police
message is never bounced for them (DESIGN §5b), so :func:`clean` removes them instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["FREE_TEXT_POLICE_FIELDS", "clean", "clean_police", "problem"]

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # every C0, DEL and C1 but tab and line feed
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FREE_BAD = re.compile(f"[{_CONTROLS}{_BIDI}]")
_LINE_BAD = re.compile(f"[\t\n{_CONTROLS}{_BIDI}]")
#: In a police message's single-line field, layout controls become a space rather than vanish,
#: so two words a line break separated stay two words.
_LINE_SPACE = re.compile("[\t\n\v\f\r]+")

#: The police interface's free-text fields (docs/police-interface.md): everywhere else a police
#: message holds single-line text.
FREE_TEXT_POLICE_FIELDS = frozenset({"summary", "remarks", "cause", "disposition"})


def problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` may not be stored, as a short description of its first bad character
    (``"U+0000"``), or None when it may."""
    found = (_FREE_BAD if multiline else _LINE_BAD).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def clean(value: str, *, multiline: bool = False) -> str:
    """``value`` with every character :func:`problem` objects to removed.

    Free text keeps tab and line feed, and a carriage return (alone or before a line feed)
    becomes a line feed; single-line text turns tab, line breaks, vertical tab and form feed
    into one space. Everything else refused is dropped.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _FREE_BAD.sub("", value)
    return _LINE_BAD.sub("", _LINE_SPACE.sub(" ", value))


def clean_police(value: Any, key: str | None = None) -> Any:
    """A police message (any JSON value) with :func:`clean` applied to every string in it: free
    text under the keys of :data:`FREE_TEXT_POLICE_FIELDS`, single-line text elsewhere. Object
    keys are cleaned as single-line text."""
    if isinstance(value, str):
        return clean(value, multiline=key in FREE_TEXT_POLICE_FIELDS)
    if isinstance(value, Mapping):
        return {clean(str(k)): clean_police(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_police(v, key) for v in value]
    return value
