"""Personal data: who may see a reporter's name and phone, and how others see them masked.

Three things decide what a user sees of a case's reporter (docs/security.md "Personal data:
who sees what"):

- **the feed** (snapshot, events, timeline) carries the reporter in full only to call takers —
  the intake, whose caller history runs on their replica; duty leaders, controllers and liaison
  officers get it masked, every other role not at all (:func:`personal_view`, :func:`shown`);
- **a confidential case** (保密件) hides its reporter from all but the intake and the duty
  leader, in the feed and on request;
- **an unmasked read** by anyone else is an explicit request with a reason that the hub checks
  (:func:`may_unmask`: role, the department desk's own cases, the confidential flag) and puts on
  the audit trail.

Phone and ID-card numbers typed into free text are masked wherever the reporter is not shown in
full (:func:`mask_free_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import Actor, Role

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
    """``张先生`` → ``张**``; a one-character name → ``*`` (its one character is the name)."""
    if len(name) <= 1:
        return "*" * len(name)
    return name[:1] + "*" * (len(name) - 1)


def mask_reporter(reporter: Mapping[str, Any]) -> dict[str, Any]:
    return {**reporter, "name": mask_name(str(reporter.get("name") or "")),
            "phone": mask_phone(str(reporter.get("phone") or ""))}


def masked(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """An incident document or event data with any reporter masked (others untouched)."""
    reporter = document.get("reporter")
    if not isinstance(reporter, Mapping):
        return document
    return {**document, "reporter": mask_reporter(reporter)}


#: What the feed carries of a reporter for a role with no need: the shape stays, nothing in it.
WITHHELD: Mapping[str, Any] = {"name": "", "phone": "", "withheld": True}


class PersonalView(StrEnum):
    """How a session's feed shows reporters and the numbers in free text."""

    FULL = "full"  # the intake: in full, confidential cases too
    LEADER = "leader"  # masked, confidential cases too
    MASKED = "masked"  # masked; a confidential case's reporter withheld
    NONE = "none"  # withheld


def personal_view(roles: Iterable[Role]) -> PersonalView:
    """The most a user with ``roles`` is shown in the feed (the most of any of its roles)."""
    held = set(roles)
    if Role.CALL_TAKER in held:
        return PersonalView.FULL
    if Role.DUTY_LEADER in held:
        return PersonalView.LEADER
    if held & {Role.CONTROLLER, Role.POLICE_LIAISON}:
        return PersonalView.MASKED
    return PersonalView.NONE


# Mainland numbers inside free text. A digit right before or after is another number (an
# incident id's date, a sum), so none is matched inside a longer run of digits.
_ID_CARD = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_MOBILE = r"(?P<country>\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"
_LANDLINE = r"(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{6,7}"
_NUMBERS = re.compile(rf"(?<![\dA-Za-z])(?:{_ID_CARD}|{_MOBILE}|{_LANDLINE})(?![\dXx])")


def _mask_number(match: re.Match[str]) -> str:
    # The country code is not the number's: its first three digits are what is kept.
    text = match.group(0)[len(match.group("country") or ""):]
    digits = [i for i, c in enumerate(text) if c.isdigit() or c in "Xx"]
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 11 else set(digits[-4:])
    return (match.group("country") or "") + "".join(
        c if i in keep or i not in digits else "*" for i, c in enumerate(text))


def mask_free_text(text: str) -> str:
    """Phone (mobile, landline with its area code) and 18-character ID-card numbers in ``text``
    masked: ``13812345678`` → ``138****5678``, ``110101199003071234`` →
    ``110***********1234``, ``010-62345678`` → ``010-****5678`` (last four, and the first
    three digits of a long number, kept: enough to tell two apart, not to call or use)."""
    return _NUMBERS.sub(_mask_number, text)


#: Free-text fields of incident documents and incident events: what people type.
FREE_TEXT_FIELDS = ("description", "text", "note", "reason", "result", "answer", "resolution",
                    "cause", "disposition", "summary")


def _free_text_masked(document: Mapping[str, Any]) -> Mapping[str, Any]:
    changed: dict[str, Any] = {key: mask_free_text(value) for key in FREE_TEXT_FIELDS
               if isinstance(value := document.get(key), str) and _NUMBERS.search(value)}
    remarks = document.get("remarks")
    if isinstance(remarks, list) and any(isinstance(r, str) and _NUMBERS.search(r)
                                         for r in remarks):
        changed["remarks"] = [mask_free_text(r) if isinstance(r, str) else r for r in remarks]
    return {**document, **changed} if changed else document


def shown(document: Mapping[str, Any], view: PersonalView, *, event: str | None = None,
          confidential: bool | None = None) -> Mapping[str, Any]:
    """An incident document or an incident event's data as the feed shows it in ``view``.

    Args:
        event: the event's name, when ``document`` is an event's data; events other than an
            incident's (a major incident's broadcast, a unit's) are left as they are.
        confidential: whether the case is confidential now, when the document is older than that
            (an ``incident.created`` in a timeline); otherwise the document's own flag.
    """
    if view is PersonalView.FULL or (event is not None and not event.startswith("incident.")):
        return document
    document = _free_text_masked(document)
    reporter = document.get("reporter")
    if not isinstance(reporter, Mapping):
        return document
    secret = bool(document.get("confidential")) if confidential is None else confidential
    if view is PersonalView.NONE or (secret and view is PersonalView.MASKED):
        return {**document, "reporter": dict(WITHHELD)}
    return {**document, "reporter": mask_reporter(reporter)}


def may_unmask(actor: Actor, incident: Incident) -> Refused | None:
    """None if ``actor`` may read ``incident``'s reporter unmasked (on request, with a reason),
    else why not: the intake and the duty leader always; controllers and liaison officers unless
    the case is confidential; a department desk on the cases its department leads or co-handles,
    unless confidential; nobody else."""
    if actor.roles & {Role.CALL_TAKER, Role.DUTY_LEADER}:
        return None
    needs = actor.roles & {Role.CONTROLLER, Role.POLICE_LIAISON}
    desk = (Role.DEPARTMENT in actor.roles and actor.department is not None
            and actor.department in (incident.lead_department, *incident.co_handlers))
    if not needs and not desk:
        if Role.DEPARTMENT in actor.roles:
            return Refused("forbidden", "{id} is not a case your department leads or "
                           "co-handles; its reporter is not shown to you.", id=incident.id)
        return Refused("forbidden", "Your role does not need the reporter of {id}.",
                       id=incident.id)
    if incident.confidential:
        return Refused("forbidden", "{id} is confidential: only the intake and the duty leader "
                       "see its reporter.", id=incident.id)
    return None


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
