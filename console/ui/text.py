"""Values and answers as text in the user's language: countdowns, distances, refused commands.

``distance_text`` keeps the translation context ``IncidentActions`` it was written under, so the
Chinese translation filed there still applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.comms.client import CommandResult
from console.domain.errors import Refused

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for


def countdown_text(remaining: timedelta, days_format: str = "{days}d {hours:02d}h") -> str:
    """``"12:34"`` under an hour, ``"3:05:09"`` under a day, else ``"2d 04h"``; ``-`` when late."""
    seconds = remaining.total_seconds()
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(int(abs(seconds)), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return sign + days_format.format(days=days, hours=hours)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def distance_text(metres: float | None) -> str:
    """``"350 m"``, ``"1.2 km"``, or that the position is unknown (None)."""
    if metres is None:
        return translate("IncidentActions", "position unknown")
    if metres < 1_000:
        return translate("IncidentActions", "{m} m").format(m=round(metres))
    return translate("IncidentActions", "{km:.1f} km").format(km=metres / 1_000)


def result_text(result: CommandResult) -> str:
    """A refused command's message in the user's language.

    The hub sends an English sentence plus its template and parameters; when a translation of
    the template is installed (context ``Refusal``) it is filled in with the parameters, the
    parameters that are words (a state, a field, what a command does) translated too
    (context ``RefusalWord``; console/ui/refusals.py lists both).
    """
    if result.ok:
        return ""
    if result.template:
        translated = QCoreApplication.translate("Refusal", result.template)
        if translated != result.template:
            try:
                return translated.format(**_plain(result.params))
            except (KeyError, IndexError, ValueError):
                pass
    return result.message or result.code or ""


def refusal_text(refused: Refused | None) -> str | None:
    """Why the domain says no (``allowed_actions``' reasons, a button's tooltip) in the user's
    language; None when it says yes."""
    if refused is None:
        return None
    return result_text(CommandResult("", False, code=refused.code, message=refused.message,
                                     template=refused.template, params=refused.params))


#: The parameters of a refusal that hold words rather than ids, numbers or codes.
WORD_PARAMS = frozenset({"field", "state", "status", "kind", "stage", "action", "target",
                         "roles", "allowed", "wanted", "doing"})
#: How the domain lists several words in one parameter, and how the language joins them.
_LISTS = ((", ", QT_TRANSLATE_NOOP("RefusalWord", ", ")),
          (" or ", QT_TRANSLATE_NOOP("RefusalWord", " or ")))


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else word_text(v) if k in WORD_PARAMS else v)
            for k, v in params.items()}


def word_text(value: Any) -> Any:
    """A refusal's word parameter in the user's language: ``off_duty`` → ``下班``; a list
    such as ``new or accepted`` word by word. Anything without a translation stays as it is."""
    if not isinstance(value, str):
        return value
    for separator, joiner in _LISTS:
        if separator in value:
            return translate("RefusalWord", str(joiner)).join(
                str(word_text(part)) for part in value.split(separator))
    return translate("RefusalWord", value)
