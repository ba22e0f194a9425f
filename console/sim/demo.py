"""The demo district as one bundle, its accounts, and a store seeded with it.

``python main.py`` (the embedded default) and ``main.py admin seed-demo`` seed a store with
:func:`seed_store`, through its :class:`~console.sim.ledger.Ledger`: an account for every role
(all with the password ``demo``), the district's forces as registered units standing at home, and
its cameras. Units are registered through the store's one write path, as an administrator would,
so the log holds every unit's registration.
Seeding is idempotent: each registration has a fixed command id, and existing accounts are kept,
so a seed that was interrupted simply runs again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.geography import DEFAULT_DIRECTORY, Geography
from console.domain.model import Actor, Role
from console.domain.taxonomy import Taxonomy
from console.sim.calls import Place
from console.sim.forces import UnitSpec, district_forces
from console.sim.ledger import Account, Entry, Ledger

__all__ = [
    "DEMO_PASSWORD",
    "FORCES_SEED",
    "Account",
    "District",
    "people_accounts",
    "seed_store",
    "simulator_accounts",
]

log = logging.getLogger(__name__)

#: Every demo account's password. The demo is for trying the software, never for production.
DEMO_PASSWORD = "demo"

#: The seed the demo district's forces are drawn from (the hotline's number).
FORCES_SEED = 96966

#: The simulator's field gateway, its virtual colleague and its liaison officer.
FIELD_GATEWAY = "field"
SIM_DISPATCH = "sim.dispatch"
SIM_LIAISON = "sim.liaison"
#: The police 110 center's account: the police simulator's (``main.py simulate-police``), which
#: like every police account may use only ``/police``.
POLICE_CENTER = "police"


def people_accounts() -> tuple[Account, ...]:
    """The accounts people log in with, one per role."""
    return (
        Account("demo", ("controller",), "演示调度员",
                "dispatch controller (the console opens as it)"),
        Account("leader", ("duty_leader",), "值班领导", "duty leader: supervision, extensions"),
        Account("taker", ("call_taker",), "96966话务员", "hotline call taker"),
        Account("liaison", ("police_liaison",), "公安联络员", "police liaison officer"),
        Account("desk", ("department",), "区城管局值班", "department desk (urban management)",
                department="urban_mgmt"),
        Account("viewer", ("viewer",), "大屏展示", "wall display, read only"),
        Account("admin", ("admin",), "系统管理员", "administrator: registers units"),
    )


def simulator_accounts(taxonomy: Taxonomy) -> tuple[Account, ...]:
    """The accounts the simulators act through: the field platform, a colleague at the
    controller desks, a liaison officer and one desk per department (``simulate``), and the
    police center (``simulate-police``)."""
    fixed = (
        Account(FIELD_GATEWAY, ("field",), "移动巡查平台", "field platform gateway (simulator)"),
        Account(POLICE_CENTER, ("police",), "110指挥中心",
                "police 110 center (police simulator, /police only)"),
        Account(SIM_DISPATCH, ("controller",), "值班调度（模拟）",
                "a colleague at the controller desks (simulator)"),
        Account(SIM_LIAISON, ("police_liaison",), "公安联络（模拟）",
                "a colleague at the liaison desk (simulator)"),
    )
    desks = tuple(Account(desk_account(d.code), ("department",), d.zh,
                          "department desk (simulator)", department=d.code)
                  for d in taxonomy.departments)
    return fixed + desks


def desk_account(department: str) -> str:
    """The simulator's desk account of a department."""
    return f"desk.{department}"


@dataclass(frozen=True)
class District:
    """Everything the demo district is: its geography, forces, places, checkpoints, cameras."""

    geography: Geography
    forces: tuple[UnitSpec, ...]
    places: tuple[Place, ...]
    checkpoints: tuple[dict[str, Any], ...]
    cameras: tuple[dict[str, Any], ...]

    @classmethod
    def load(cls, directory: Path | None = None, *, seed: int = FORCES_SEED) -> District:
        """Read ``resources/geography`` (or ``directory``) and draw the forces from ``seed``.

        Raises:
            OSError, ValueError: a file is missing or invalid.
        """
        folder = directory or DEFAULT_DIRECTORY
        geography = Geography.from_files(folder)

        def read(name: str) -> list[dict[str, Any]]:
            with (folder / name).open(encoding="utf-8") as stream:
                data = json.load(stream)
            if not isinstance(data, list):
                raise ValueError(f"{folder / name}: expected a list")
            return data

        places = tuple(Place(str(a["zh"]), float(a["lat"]), float(a["lon"]))
                       for a in read("gazetteer.json"))
        return cls(geography, district_forces(geography, seed), places,
                   tuple(read("checkpoints.json")), tuple(read("cameras.json")))


def camera_url(base: str, camera_id: str) -> str:
    """Where the simulator serves a camera's stream (``base`` like ``http://127.0.0.1:8766``)."""
    return f"{base.rstrip('/')}/cameras/{camera_id}.mjpg"


def seed_store(ledger: Ledger, district: District, *, now: datetime, camera_base: str,
               progress: Callable[[str], None] = log.info) -> dict[str, int]:
    """Put the demo district into a store, through its ``ledger``.

    Returns counts of what was added: ``accounts``, ``units``, ``positions``, ``cameras``.

    Raises:
        RuntimeError: a registration the store refused (the district data is broken).
    """
    added = {"accounts": 0, "units": 0, "positions": 0, "cameras": 0}
    accounts = (*people_accounts(), *simulator_accounts(ledger.rules.taxonomy))
    added["accounts"] = ledger.add_users(accounts, DEMO_PASSWORD, now=now)

    admin = Actor("admin", frozenset({Role.ADMIN}))
    registered = ledger.unit_ids()
    missing = [u for u in district.forces if u.id not in registered]
    if missing:
        progress(f"registering {len(missing)} units")
    for start in range(0, len(missing), 2000):
        chunk = missing[start:start + 2000]
        results = ledger.execute(
            [Entry(f"seed.unit.{u.id}", "unit.register", u.register_args(), admin)
             for u in chunk])
        refused = [r for r in results if not r.ok]
        if refused:
            raise RuntimeError(f"the store refused a demo unit: {refused[0].error}")
        added["units"] += len(chunk)
    if missing:
        added["positions"] = ledger.add_positions(
            [(u.id, u.home[0], u.home[1], 0.0, 0.0, now) for u in missing])
    added["cameras"] = ledger.put_cameras(
        [{**c, "stream_url": camera_url(camera_base, str(c["id"]))} for c in district.cameras])
    added["checkpoints"] = ledger.put_checkpoints(district.checkpoints)
    return added


def describe_accounts(accounts: Sequence[Account]) -> str:
    """One line per account, for the console output and the README."""
    return "\n".join(f"  {a.username:<10} {', '.join(a.roles):<16} {a.purpose}" for a in accounts)
