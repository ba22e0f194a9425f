"""A search over the whole record (DESIGN §5d, docs/protocol.md "Search"): its filters, the
cursor that pages it, and who it is run for. Pure: the hub decodes, scopes and records it, the
store (console/store/search.py) runs it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, fields
from datetime import datetime

from console.domain.model import IncidentState, Priority, Role, Source
from console.domain.record import SATISFACTION

#: Rows in a page when the request names no ``limit``, and the most it may name.
PAGE = 50
MAX_PAGE = 500

#: The filters a search takes (DESIGN §5d, docs/protocol.md "Search"). ``closed_*``,
#: ``ever_overdue``, ``ever_supervised`` and ``satisfaction`` read the record's columns
#: (console/domain/record.py); ``near`` is a circle around a point (the intake's address history).
TEXT_FILTERS = ("phone", "text", "category", "department", "street", "community", "grid")
CHOICE_FILTERS = {"state": tuple(s.value for s in IncidentState),
                  "source": tuple(s.value for s in Source),
                  "priority": tuple(p.value for p in Priority),
                  "satisfaction": SATISFACTION}
TIME_FILTERS = ("created_from", "created_to", "closed_from", "closed_to")
FLAG_FILTERS = ("supervised", "ever_supervised", "ever_overdue")
FILTERS = (*TEXT_FILTERS, *CHOICE_FILTERS, *TIME_FILTERS, *FLAG_FILTERS, "near")
#: The widest circle a ``near`` filter may draw, in metres.
MAX_NEAR_M = 5000.0


def phone_key(phone: str) -> str:
    """A phone as the record indexes it: its digits alone, so ``137-0000-0007`` and
    ``13700000007`` are one caller."""
    return "".join(c for c in phone if c.isascii() and c.isdigit())


@dataclass(frozen=True)
class Near:
    """Cases within ``metres`` of (``lat``, ``lon``)."""

    lat: float
    lon: float
    metres: float

    def to_wire(self) -> dict[str, float]:
        return {"lat": self.lat, "lon": self.lon, "metres": self.metres}


@dataclass(frozen=True)
class SearchFilters:
    """What a search asks for; None is "any". ``state``, ``source`` and ``priority`` take one
    value or several (any of them). ``category`` is a category's code or a group's
    (``environment`` finds ``env.noise_construction``). ``created_to`` and ``closed_to`` are
    exclusive. ``supervised`` is the flag now; ``ever_supervised`` whether the case was ever
    supervised; ``ever_overdue`` whether any of its clocks ever ran past its deadline (a
    running one included); ``satisfaction`` the verdict of its latest verification."""

    phone: str | None = None
    text: str | None = None
    category: str | None = None
    department: str | None = None
    street: str | None = None
    community: str | None = None
    grid: str | None = None
    state: tuple[str, ...] | None = None
    source: tuple[str, ...] | None = None
    priority: tuple[str, ...] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    closed_from: datetime | None = None
    closed_to: datetime | None = None
    supervised: bool | None = None
    ever_supervised: bool | None = None
    ever_overdue: bool | None = None
    satisfaction: tuple[str, ...] | None = None
    near: Near | None = None

    @property
    def personal(self) -> bool:
        """Whether the search reads personal data: a phone, or free text that may be a name."""
        return self.phone is not None or self.text is not None

    def to_wire(self) -> dict[str, object]:
        """The filters given, as the wire has them (for the audit trail)."""
        wire: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            wire[f.name] = (value.isoformat() if isinstance(value, datetime)
                            else list(value) if isinstance(value, tuple)
                            else value.to_wire() if isinstance(value, Near) else value)
        return wire


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row created at ``created_at`` with ``id`` (rows run
    newest first, ties by id descending), so rows inserted meanwhile shift no page."""

    created_at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor ``text`` encodes, or None if it is not one this hub gave."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            at, incident = json.loads(raw)
            moment = datetime.fromisoformat(at)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        if moment.tzinfo is None or not isinstance(incident, str) or not incident:
            return None
        return cls(moment, incident)


@dataclass(frozen=True)
class SearchScope:
    """What a user's search may reach. ``department``: a department desk sees only the cases its
    department leads or co-handles; None is every case. ``names``: whether free text is matched
    against reporters' names (only for roles that see reporters: console/domain/privacy.py)."""

    department: str | None
    names: bool


#: Roles that search every case; any other role with a department searches its own.
_WHOLE_RECORD = frozenset({Role.CALL_TAKER, Role.CONTROLLER, Role.DUTY_LEADER,
                           Role.POLICE_LIAISON, Role.ADMIN, Role.VIEWER})


def scope_of(roles: frozenset[Role], department: str | None, personal_roles: frozenset[Role]
             ) -> SearchScope:
    """The scope of a user with ``roles`` (and ``department``, for a desk)."""
    own = None if roles & _WHOLE_RECORD else (department or "")
    return SearchScope(own, bool(roles & personal_roles))
