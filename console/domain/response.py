"""Response plans: which field units a kind of case needs (``resources/response_plans.toml``).

A plan is a list of :class:`Need` — a unit type, optionally a skill the unit must carry, and how
many such units — keyed by a category code (``safety.gas_leak``) or a prefix of codes ending at
a dot (``safety``). :meth:`ResponsePlans.plan_for` answers with the most specific key that
matches, else the default plan, so every category has a plan. The console ranks units by it
(``console/map/recommend.py``); nothing here knows where units are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from console.domain.model import UnitStatus, UnitType
from console.domain.resources import RESOURCES, load_toml

DEFAULT_PATH = RESOURCES / "response_plans.toml"

#: The statuses a unit can be dispatched from: the hub refuses every other one
#: (``incident.dispatch`` in console/domain/lifecycle.py).
DISPATCHABLE = frozenset({UnitStatus.AVAILABLE})

_MAX_COUNT = 10
#: How long a dispatched unit may take to acknowledge when the file does not say.
DEFAULT_ACK_LIMIT = timedelta(minutes=2)


@dataclass(frozen=True)
class Need:
    """Units of ``type`` (carrying ``skill``, when one is named); ``count`` of them."""

    type: UnitType
    skill: str | None = None
    count: int = 1

    def fits(self, kind: UnitType, skills: Iterable[str]) -> bool:
        return kind is self.type and (self.skill is None or self.skill in skills)


@dataclass(frozen=True)
class ResponsePlan:
    """What one category needs; ``key`` is the entry it came from (``""``: the default)."""

    key: str
    needs: tuple[Need, ...]

    @property
    def types(self) -> frozenset[UnitType]:
        return frozenset(need.type for need in self.needs)

    def fits(self, kind: UnitType, skills: Iterable[str]) -> bool:
        """Whether a unit of this type with these skills meets one of the plan's needs."""
        held = tuple(skills)
        return any(need.fits(kind, held) for need in self.needs)


class ResponsePlans:
    """Every plan, by key, and the default one; how long a unit has to acknowledge."""

    def __init__(self, default: ResponsePlan, plans: Mapping[str, ResponsePlan],
                 ack_limit: timedelta = DEFAULT_ACK_LIMIT) -> None:
        self.default = default
        self.plans = dict(plans)
        self.ack_limit = ack_limit

    def plan_for(self, category: str) -> ResponsePlan:
        """The plan of the most specific key matching ``category``, else the default."""
        code = category
        while code:
            plan = self.plans.get(code)
            if plan is not None:
                return plan
            code = code.rpartition(".")[0]
        return self.default

    def unknown_keys(self, categories: Iterable[str]) -> list[str]:
        """Keys that name neither one of ``categories`` nor a prefix of one (a typo's sign)."""
        codes = set(categories)
        prefixes = {code.rsplit(".", n)[0] for code in codes for n in range(code.count(".") + 1)}
        return sorted(key for key in self.plans if key not in codes | prefixes)

    @classmethod
    def load(cls, path: Path | None = None) -> ResponsePlans:
        """Raises: ValueError naming the file and the entry that is wrong."""
        return load_toml(path or DEFAULT_PATH, cls.from_dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResponsePlans:
        unknown = set(data) - {"default", "plans", "acknowledge_within_minutes"}
        if unknown:
            raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
        if not isinstance(data.get("default"), Mapping):
            raise ValueError("[default] is missing: the plan of every category no key matches")
        plans = data.get("plans", {})
        if not isinstance(plans, Mapping):
            raise ValueError("[plans] must be a table of plans")
        built = {}
        for key, entry in plans.items():
            if not key or key.startswith(".") or key.endswith(".") or ".." in key:
                raise ValueError(f"[plans] '{key}' is not a category code or prefix")
            built[key] = _plan(key, entry)
        minutes = data.get("acknowledge_within_minutes", DEFAULT_ACK_LIMIT.total_seconds() / 60)
        if (not isinstance(minutes, (int, float)) or isinstance(minutes, bool)
                or not 0.25 <= minutes <= 60):
            raise ValueError("acknowledge_within_minutes must be a number from 0.25 to 60")
        return cls(_plan("", data["default"]), built, timedelta(minutes=minutes))


def _plan(key: str, entry: Any) -> ResponsePlan:
    where = f"[plans.\"{key}\"]" if key else "[default]"
    if not isinstance(entry, Mapping) or set(entry) != {"needs"}:
        raise ValueError(f"{where} must hold exactly 'needs'")
    needs = entry["needs"]
    if not isinstance(needs, list) or not needs:
        raise ValueError(f"{where} needs must be a non-empty list")
    built = tuple(_need(where, n, item) for n, item in enumerate(needs, start=1))
    if len(set(built)) != len(built):
        raise ValueError(f"{where} names the same need twice")
    return ResponsePlan(key, built)


def _need(where: str, n: int, item: Any) -> Need:
    here = f"{where} need {n}"
    if not isinstance(item, Mapping):
        raise ValueError(f"{here} must be a table like {{ type = \"emergency\" }}")
    extra = set(item) - {"type", "skill", "count"}
    if extra:
        raise ValueError(f"{here} has unknown keys: {', '.join(sorted(extra))}")
    try:
        kind = UnitType(str(item.get("type")))
    except ValueError:
        raise ValueError(f"{here}: type must be one of "
                         f"{', '.join(t.value for t in UnitType)}") from None
    skill = item.get("skill")
    if skill is not None and (not isinstance(skill, str) or not skill.strip()):
        raise ValueError(f"{here}: skill must be a non-empty word")
    count = item.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= _MAX_COUNT:
        raise ValueError(f"{here}: count must be a whole number from 1 to {_MAX_COUNT}")
    return Need(kind, skill.strip() if skill else None, count)
