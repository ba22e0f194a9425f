"""Personal data: who may see a reporter's name and phone, and how others see them masked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from console.domain.model import Role

#: Roles whose work needs the reporter's identity: they call back, verify and hand over.
PERSONAL_DATA_ROLES = frozenset({Role.CALL_TAKER, Role.CONTROLLER, Role.DUTY_LEADER,
                                 Role.POLICE_LIAISON, Role.DEPARTMENT})


def sees_personal_data(roles: Iterable[Role]) -> bool:
    return any(role in PERSONAL_DATA_ROLES for role in roles)


def mask_phone(phone: str) -> str:
    """``13800000001`` → ``138****0001``: enough to tell two callers apart, not to call."""
    if len(phone) <= 4:
        return "*" * len(phone)
    keep = min(3, max(0, len(phone) - 8))  # a short number shows only its last four
    return phone[:keep] + "*" * (len(phone) - keep - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """``张先生`` → ``张**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_reporter(reporter: Mapping[str, Any]) -> dict[str, Any]:
    return {**reporter, "name": mask_name(str(reporter.get("name") or "")),
            "phone": mask_phone(str(reporter.get("phone") or ""))}


def masked(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """An incident document or event data with any reporter masked (others untouched)."""
    reporter = document.get("reporter")
    if not isinstance(reporter, Mapping):
        return document
    return {**document, "reporter": mask_reporter(reporter)}


#: Roles that see what the police told us about a case (their case number and remarks).
POLICE_DATA_ROLES = frozenset({Role.POLICE_LIAISON, Role.ADMIN})
_POLICE_FIELDS = ("police_case_no", "remarks", "summary")


def sees_police_data(roles: Iterable[Role]) -> bool:
    return any(role in POLICE_DATA_ROLES for role in roles)


#: Events whose data holds nothing of the police's, whatever its keys are called: a major
#: incident's stand-down ``summary`` is the duty leader's, not the police's.
_POLICE_FREE_EVENTS = ("major.",)


def police_masked(document: Mapping[str, Any],
                  event: str | None = None) -> Mapping[str, Any]:
    """An incident document or event data without the police's own information: their case
    number, their remarks and summaries. The hand-off's state (direction, messages waiting)
    stays: every console shows whether the police have been answered.

    Args:
        document: the incident document or the event's data.
        event: the event's name, when ``document`` is an event's data.
    """
    if event is not None and event.startswith(_POLICE_FREE_EVENTS):
        return document
    if not any(key in document for key in (*_POLICE_FIELDS, "police")):
        return document
    shown = {k: v for k, v in document.items() if k not in ("remarks", "summary")}
    if "police_case_no" in shown:
        shown["police_case_no"] = None
    link = document.get("police")
    if isinstance(link, Mapping):
        shown["police"] = {**link, "remarks": []}
    return shown
