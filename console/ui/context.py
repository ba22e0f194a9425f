"""The logged-in user as the domain sees them: the actor, and the context a button's state is
computed in (the rules themselves live in :mod:`console.domain`)."""

from __future__ import annotations

from datetime import datetime

from console.comms.clock import hub_clock
from console.comms.replica import UserInfo
from console.domain.model import Actor, Role
from console.domain.rules import Context, Rules


def actor_of(user: UserInfo | None) -> Actor | None:
    """The domain's actor for the logged-in user (None before login)."""
    if user is None:
        return None
    roles = frozenset(Role(r) for r in user.roles if r in Role._value2member_map_)
    return Actor(user.username, roles, department=user.department, unit=user.unit)


def context_of(rules: Rules, user: UserInfo | None, now: datetime | None = None
               ) -> Context | None:
    """The domain context a button's state is computed in (None before login)."""
    actor = actor_of(user)
    if actor is None:
        return None
    return Context(rules, actor, now or hub_clock.now())
