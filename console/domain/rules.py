"""The loaded rule data one process works with, and the context a command is decided in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from console.domain.calendar import WorkCalendar
from console.domain.geography import Geography
from console.domain.model import Actor
from console.domain.permissions import RoleMatrix
from console.domain.police_codes import PoliceCodes
from console.domain.sla import SlaTable
from console.domain.taxonomy import Taxonomy


@dataclass(frozen=True)
class Rules:
    """Taxonomy, SLA limits, working calendar, roles, the police's classification codes and (when
    loaded) the district's geography.

    All of it is data from ``resources/``, validated when loaded: changing a time limit needs no
    code change.
    """

    taxonomy: Taxonomy
    sla: SlaTable
    calendar: WorkCalendar
    roles: RoleMatrix
    police_codes: PoliceCodes
    geography: Geography | None = None

    @classmethod
    def load(cls, resources: Path | None = None, *, geography: Geography | None = None) -> Rules:
        def at(name: str) -> Path | None:
            return resources / name if resources else None

        taxonomy = Taxonomy.load(at("taxonomy.json"))
        return cls(
            taxonomy=taxonomy,
            sla=SlaTable.load(at("sla.toml")),
            calendar=WorkCalendar.load(at("calendar.toml")),
            roles=RoleMatrix.load(at("roles.toml")),
            police_codes=PoliceCodes.load(taxonomy, at("police_codes.toml")),
            geography=geography,
        )


@dataclass(frozen=True)
class Context:
    """Everything a decision may depend on besides the aggregates: rules, who, and when."""

    rules: Rules
    actor: Actor
    now: datetime
