"""The district's field units as the simulator plays them: shifts, patrols, checkpoints, dispatches.

Units clock in and out by their shifts, a shift change spread over minutes; on duty they walk,
cycle or drive about their grid, community or street (:class:`Movement`: arrays, so one pass
moves them all), pass patrol checkpoints and report their positions through the field gateway.

The gateway plays the units' devices (一指通, DESIGN §5c): a unit learns of its dispatch from the
task the hub sends it on ``/field`` (not from the consoles' event stream), which the gateway
acknowledges once the unit has it. A dispatched unit then acknowledges, drives to the scene,
sends a photo now and then, works there and clears; one sent to verify (核查) reports on site
whether the handler's result holds; a recalled one goes back on patrol. Now and then a unit on
duty presses SOS, which the colleague at the controller desks clears after a while.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import math
import random
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from console.comms.client import CommandResult
from console.comms.clock import Clock
from console.comms.replica import ChangeSet
from console.domain.incident import Incident
from console.domain.model import IncidentState, UnitStatus, UnitType
from console.sim.demo import FIELD_GATEWAY, SIM_DISPATCH, District
from console.sim.forces import Mode, UnitSpec
from console.sim.sessions import Sessions

__all__ = ["FieldUnit", "FieldUnits", "Movement"]

LOCAL = ZoneInfo("Asia/Shanghai")

#: Metres per degree of latitude.
_M_PER_DEG = 111_320.0

#: Speeds on patrol and on the way to an incident, metres per second, by how a unit moves.
_PATROL_SPEED = {Mode.WALK: 1.2, Mode.BICYCLE: 3.5, Mode.VEHICLE: 7.0}
_RESPONSE_SPEED = {Mode.WALK: 4.0, Mode.BICYCLE: 5.0, Mode.VEHICLE: 10.0}
#: Task ids remembered, so that one sent again after a reconnect is not taken twice.
_SEEN_TASKS = 20_000
_SOS_TEXTS = ("现场有人情绪激动，请求支援", "被围堵，请求增援", "身体不适，需要帮助", None)
_VERIFY_NOTES = ("问题依旧，未见整改。", "整改不到位。")


@dataclass
class FieldUnit:
    """A unit as the simulator plays it."""

    spec: UnitSpec
    index: int
    status: UnitStatus = UnitStatus.OFF_DUTY
    assignment: str | None = None
    incident: str | None = None
    #: A clock-in or clock-out sent and not answered yet.
    pending: bool = False
    #: Minutes this person is early (negative) or late for a shift change.
    offset_min: float = 0.0

    def release(self, _result: CommandResult) -> None:
        """The dispatch was refused: the unit is free again."""
        self.incident = None

    def shift_answered(self, _result: CommandResult) -> None:
        self.pending = False


class FieldUnits:
    """Every unit of the district, where it is, and what it does in the field.

    Args:
        district: the forces, their areas and checkpoints.
        rng: the simulator's behaviour stream (one seed, one district).
        clock: the world clock.
        sessions: the simulator's sessions; units act through the field gateway's.
        after: runs a step after so many world seconds.
        incident: an incident as the hub last said it is.
        counts: where the positions sent are counted.
        report_every_s: world seconds between two position reports of a unit on duty.
        shift_changes_per_s: how many clock-ins and clock-outs go out per real second at most.
        sos_per_day: how many times a (world) day some unit on duty presses SOS.
        photo_share: the share of units on scene that send a photo of it.
    """

    def __init__(self, district: District, rng: random.Random, clock: Clock, sessions: Sessions,
                 after: Callable[..., None], incident: Callable[[str], Incident | None],
                 counts: Counter[str], *, report_every_s: float,
                 shift_changes_per_s: float, sos_per_day: float = 6.0,
                 photo_share: float = 0.3) -> None:
        self.rng = rng
        self.clock = clock
        self.sessions = sessions
        self.counts = counts
        self.report_every_s = report_every_s
        self.shift_changes_per_s = shift_changes_per_s
        self.sos_per_day = sos_per_day
        self.photo_share = photo_share
        self._seen_tasks: dict[str, None] = {}  # in arrival order, the oldest forgotten
        self._after = after
        self._incident = incident
        self.movement = Movement(district, rng)
        self.units: dict[str, FieldUnit] = {}
        for i, spec in enumerate(district.forces):
            self.units[spec.id] = FieldUnit(spec, i, offset_min=rng.uniform(-8, 12))

    # -- what the hub says ---------------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        """Take the units' states and positions from a change of the log."""
        if change.reset:
            for unit in self.units.values():
                unit.status, unit.assignment = UnitStatus.OFF_DUTY, None
        for unit_id, replica_unit in change.units.items():
            known = self.units.get(unit_id)
            if known is not None:
                known.status = replica_unit.status
                known.assignment = replica_unit.assignment
        for unit_id, position in change.positions.items():
            known = self.units.get(unit_id)
            if known is not None:
                self.movement.place(known.index, position.lat, position.lon)

    def cleared(self, data: Mapping[str, Any]) -> None:
        """An assignment was cleared or cancelled: its unit goes back on patrol."""
        unit = self.units.get(str(data.get("unit")))
        if unit is not None:
            unit.incident = None
            self.movement.patrol(unit.index)

    def resume(self, incident: Incident) -> None:
        """After a (re)connect: pick up the incident's active assignments where they stand."""
        for assignment in incident.assignments:
            unit = self.units.get(assignment.unit)
            if assignment.active and unit is not None:
                unit.incident = incident.id
                self._after(self.rng.uniform(20, 120), self._advance_assignment, incident.id,
                            assignment.id)

    def on_duty(self) -> int:
        return sum(u.status is not UnitStatus.OFF_DUTY for u in self.units.values())

    # -- dispatches ----------------------------------------------------------------------------

    def nearest_available(self, inc: Incident, types: tuple[UnitType, ...]) -> FieldUnit | None:
        lat, lon = inc.location.lat, inc.location.lon
        for unit_type in types:
            candidates = [u for u in self.units.values()
                          if u.spec.type is unit_type and u.status is UnitStatus.AVAILABLE
                          and u.incident is None and not u.pending]
            if candidates:
                index = np.fromiter((u.index for u in candidates), dtype=np.int64)
                distance = self.movement.distance(index, lat, lon)
                best = int(np.argmin(distance))
                if distance[best] < 6000:
                    return candidates[best]
        return None

    def task(self, task: Mapping[str, Any]) -> None:
        """A task the hub sent a unit's device (DESIGN §5c), taken once."""
        task_id = str(task.get("id"))
        if task_id in self._seen_tasks:
            return  # sent again after a reconnect: its ack was lost with the connection
        self._seen_tasks[task_id] = None
        if len(self._seen_tasks) > _SEEN_TASKS:
            del self._seen_tasks[next(iter(self._seen_tasks))]
        kind = str(task.get("kind"))
        self.counts[f"task.{kind}"] += 1
        incident = task.get("incident")
        if kind in ("dispatch", "verify") and isinstance(incident, Mapping) \
                and task.get("assignment"):
            self.dispatched({"unit": task.get("unit"), "id": incident.get("id"),
                             "assignment": task["assignment"]})
        elif kind == "recall":
            unit = self.units.get(str(task.get("unit")))
            if unit is not None and unit.assignment in (task.get("assignment"), None):
                self.cleared({"unit": unit.spec.id})

    def dispatched(self, data: Mapping[str, Any]) -> None:
        unit = self.units.get(str(data.get("unit")))
        if unit is None:
            return
        unit.incident = str(data["id"])
        unit.assignment = str(data["assignment"])
        self._after(self.rng.uniform(20, 90), self._advance_assignment, unit.incident,
                    unit.assignment)

    def _advance_assignment(self, incident_id: str, assignment_id: str) -> None:
        inc = self._incident(incident_id)
        assignment = inc.assignment(assignment_id) if inc is not None else None
        if inc is None or assignment is None or not assignment.active:
            return
        unit = self.units.get(assignment.unit)
        if unit is None:
            return
        state = assignment.state.value
        if state == "dispatched":
            self._update(inc.id, assignment_id, "acknowledged")
            self._after(self.rng.uniform(10, 40), self._advance_assignment, inc.id, assignment_id)
        elif state == "acknowledged":
            self._update(inc.id, assignment_id, "en_route")
            self.movement.respond(unit.index, inc.location.lat, inc.location.lon,
                                  lambda: self._arrived(inc.id, assignment_id))
        elif state == "en_route":
            self.movement.respond(unit.index, inc.location.lat, inc.location.lon,
                                  lambda: self._arrived(inc.id, assignment_id))
        elif state == "on_scene":
            self._after(self.rng.uniform(300, 1500), self._clear, inc.id, assignment_id)

    def _arrived(self, incident_id: str, assignment_id: str) -> None:
        self._update(incident_id, assignment_id, "on_scene")
        inc = self._incident(incident_id)
        assignment = inc.assignment(assignment_id) if inc is not None else None
        if inc is not None and assignment is not None and assignment.purpose == "verify":
            self._after(self.rng.uniform(120, 600), self._verify_on_site, incident_id,
                        assignment_id)
            return
        if self.rng.random() < self.photo_share:
            self._after(self.rng.uniform(30, 240), self._photo, incident_id)
        self._after(self.rng.uniform(300, 1500), self._clear, incident_id, assignment_id)

    def _verify_on_site(self, incident_id: str, assignment_id: str) -> None:
        """The unit's finding on site. The gateway may not verify for a unit (only a device
        bound to it may, docs/protocol.md), so the unit reports it to the controller desk and
        the colleague there records it, as a worker without the app would phone it in."""
        inc = self._incident(incident_id)
        assignment = inc.assignment(assignment_id) if inc is not None else None
        if inc is not None and assignment is not None \
                and inc.state is IncidentState.RESOLVED:
            unit = self.units.get(assignment.unit)
            who = unit.spec.name if unit is not None else assignment.unit
            satisfied = self.rng.random() < 0.85
            finding = "整改到位" if satisfied else self.rng.choice(_VERIFY_NOTES)
            self.sessions.send(SIM_DISPATCH, "incident.verify", {
                "id": incident_id, "method": "site", "satisfied": satisfied,
                "note": f"{who}现场核查：{finding}"})
        self._after(self.rng.uniform(30, 120), self._clear, incident_id, assignment_id)

    def _photo(self, incident_id: str) -> None:
        """A photo of the scene, as the device takes it (a small picture of its own)."""
        self.sessions.send(FIELD_GATEWAY, "attachment.add", {
            "incident": incident_id, "filename": f"现场-{self.rng.randrange(10**6):06d}.png",
            "content_type": "image/png",
            "data_b64": base64.b64encode(_picture(self.rng)).decode("ascii")})

    def _clear(self, incident_id: str, assignment_id: str) -> None:
        self._update(incident_id, assignment_id, "cleared")

    def _update(self, incident_id: str, assignment_id: str, status: str) -> None:
        self.sessions.send(FIELD_GATEWAY, "assignment.update",
                           {"id": incident_id, "assignment": assignment_id, "status": status})

    # -- on duty -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Move every unit on duty, report positions, pass checkpoints."""
        gateway = self.sessions.client(FIELD_GATEWAY)
        every = self.report_every_s
        next_report = np.array([self.rng.uniform(0, every) for _ in self.units])
        ids = [u.spec.id for u in self.units.values()]
        units = list(self.units.values())
        last = asyncio.get_running_loop().time()
        world = 0.0
        while True:
            await asyncio.sleep(0.25)
            now = asyncio.get_running_loop().time()
            step = (now - last) * self.clock.speed
            last = now
            world += step
            on_duty = np.fromiter((u.status is not UnitStatus.OFF_DUTY for u in units), bool,
                                  len(units))
            for index in self.movement.advance(step, on_duty):
                self._at_checkpoint(units[index])
            due = np.flatnonzero(on_duty & (next_report <= world))
            if len(due):
                next_report[due] = world + every * np.array(
                    [self.rng.uniform(0.8, 1.2) for _ in range(len(due))])
                rows = self.movement.rows(due, ids)
                for start in range(0, len(rows), 4000):
                    if gateway.send_positions(rows[start:start + 4000]):
                        self.counts["positions"] += len(rows[start:start + 4000])

    async def sos(self) -> None:
        """Now and then a unit on duty presses SOS where it stands; the colleague at the
        controller desks clears it after a while, if nobody at a console has."""
        if self.sos_per_day <= 0:
            return
        while True:
            await asyncio.sleep(self.rng.expovariate(self.sos_per_day / 86_400)
                                / self.clock.speed)
            on_duty = [u for u in self.units.values() if u.status is not UnitStatus.OFF_DUTY]
            if not on_duty:
                continue
            unit = self.rng.choice(on_duty)
            lat = round(float(self.movement.lat[unit.index]), 6)
            lon = round(float(self.movement.lon[unit.index]), 6)
            args: dict[str, Any] = {"id": unit.spec.id, "lat": lat, "lon": lon}
            text = self.rng.choice(_SOS_TEXTS)
            if text is not None:
                args["text"] = text
            self.sessions.send(FIELD_GATEWAY, "unit.sos", args)
            self._after(self.rng.uniform(300, 900), self.sessions.send, SIM_DISPATCH,
                        "unit.sos_clear", {"id": unit.spec.id})

    def _at_checkpoint(self, unit: FieldUnit) -> None:
        checkpoint = self.movement.checkpoint_of(unit.index)
        if checkpoint is not None and unit.status is UnitStatus.AVAILABLE and not unit.pending:
            # The hub checks the pass against the unit's last fix: report where it is first.
            self.sessions.client(FIELD_GATEWAY).send_positions(self.movement.rows(
                np.array([unit.index]), {unit.index: unit.spec.id}))  # type: ignore[arg-type]
            self.sessions.send(FIELD_GATEWAY, "unit.checkpoint",
                               {"id": unit.spec.id, "checkpoint": checkpoint})

    async def shifts(self) -> None:
        """Clock units in and out as their shifts say, a shift change spread over minutes.

        Each second looks at a fifth of the units, in turn, and changes at most
        ``shift_changes_per_s`` of them: the hub's writer keeps room for everything else.
        """
        units = list(self.units.values())
        share = max(1, len(units) // 5)
        start = 0
        while True:
            now = self.clock.now().astimezone(LOCAL)
            budget = self.shift_changes_per_s
            for unit in itertools.islice(itertools.cycle(units), start, start + share):
                if budget < 1:
                    break
                if unit.pending or unit.incident is not None or unit.assignment is not None:
                    continue
                wanted = unit.spec.shift.on_duty(now - timedelta(minutes=unit.offset_min))
                off = unit.status is UnitStatus.OFF_DUTY
                if wanted == off:
                    if not wanted and unit.status not in (UnitStatus.AVAILABLE, UnitStatus.BUSY,
                                                          UnitStatus.OUT_OF_SERVICE):
                        continue
                    budget -= 1
                    unit.pending = True
                    self.sessions.send(FIELD_GATEWAY,
                                       "unit.clock_in" if wanted else "unit.clock_out",
                                       {"id": unit.spec.id}, on_done=unit.shift_answered)
            start = (start + share) % len(units)
            await asyncio.sleep(1.0)



class Movement:
    """Where every unit is and where it is going, as arrays (one pass moves them all)."""

    def __init__(self, district: District, rng: random.Random) -> None:
        self.rng = rng
        forces = district.forces
        n = len(forces)
        self.lat = np.array([u.home[0] for u in forces])
        self.lon = np.array([u.home[1] for u in forces])
        self.heading = np.zeros(n)
        self.target_lat = self.lat.copy()
        self.target_lon = self.lon.copy()
        self.patrol_speed = np.array([_PATROL_SPEED[u.mode] for u in forces])
        self.response_speed = np.array([_RESPONSE_SPEED[u.mode] for u in forces])
        self.speed = np.zeros(n)
        self.pause = np.array([rng.uniform(0, 600) for _ in range(n)])
        self.responding = np.zeros(n, dtype=bool)
        self._arrival: dict[int, Callable[[], None]] = {}
        self._checkpoint_target: dict[int, str] = {}
        self._reached_checkpoint: dict[int, str] = {}
        self._areas = _Areas(district, rng)
        self._area_of = [self._areas.key(u) for u in forces]

    def place(self, index: int, lat: float, lon: float) -> None:
        """Where the hub last saw the unit (on a (re)connect)."""
        if not self.responding[index]:
            self.lat[index], self.lon[index] = lat, lon
            self.target_lat[index], self.target_lon[index] = lat, lon

    def distance(self, index: np.ndarray, lat: float, lon: float) -> np.ndarray:
        """Straight-line metres from units ``index`` to a point."""
        dy = (self.lat[index] - lat) * _M_PER_DEG
        dx = (self.lon[index] - lon) * _M_PER_DEG * math.cos(math.radians(lat))
        distance: np.ndarray = np.hypot(dx, dy)
        return distance

    def respond(self, index: int, lat: float, lon: float, arrived: Callable[[], None]) -> None:
        self.responding[index] = True
        self.target_lat[index], self.target_lon[index] = lat, lon
        self.pause[index] = 0
        self._arrival[index] = arrived
        self._checkpoint_target.pop(index, None)

    def patrol(self, index: int) -> None:
        self.responding[index] = False
        self._arrival.pop(index, None)
        self.pause[index] = self.rng.uniform(60, 300)

    def checkpoint_of(self, index: int) -> str | None:
        return self._reached_checkpoint.pop(index, None)

    def advance(self, seconds: float, on_duty: np.ndarray) -> list[int]:
        """Move every unit on duty by ``seconds`` of world time; returns the units that just
        reached a patrol checkpoint."""
        moving = on_duty | self.responding
        self.pause[moving] -= seconds
        go = moving & (self.pause <= 0)
        speed = np.where(self.responding, self.response_speed, self.patrol_speed)
        dy = (self.target_lat - self.lat) * _M_PER_DEG
        dx = (self.target_lon - self.lon) * _M_PER_DEG * np.cos(np.radians(self.lat))
        left = np.hypot(dx, dy)
        reach = speed * seconds
        arrive = go & (left <= reach)
        move = go & ~arrive
        ratio = np.divide(reach, left, out=np.zeros_like(left), where=left > 0)
        self.lat[move] += (self.target_lat[move] - self.lat[move]) * ratio[move]
        self.lon[move] += (self.target_lon[move] - self.lon[move]) * ratio[move]
        self.heading[move] = (np.degrees(np.arctan2(dx[move], dy[move])) + 360) % 360
        self.speed[:] = np.where(move, speed, 0.0)
        reached: list[int] = []
        for index in np.flatnonzero(arrive):
            i = int(index)
            self.lat[i], self.lon[i] = self.target_lat[i], self.target_lon[i]
            if self.responding[i]:
                callback = self._arrival.pop(i, None)
                self.pause[i] = 10**9  # stays on scene until cleared
                if callback is not None:
                    callback()
                continue
            checkpoint = self._checkpoint_target.pop(i, None)
            if checkpoint is not None:
                self._reached_checkpoint[i] = checkpoint
                reached.append(i)
            self._next_target(i)
        return reached

    def _next_target(self, i: int) -> None:
        self.pause[i] = self.rng.uniform(30, 400)
        key = self._area_of[i]
        checkpoint = self._areas.checkpoint(key) if self.rng.random() < 0.35 else None
        if checkpoint is not None:
            code, lat, lon = checkpoint
            self._checkpoint_target[i] = code
        else:
            lat, lon = self._areas.point(key)
        self.target_lat[i], self.target_lon[i] = lat, lon

    def rows(self, index: np.ndarray, ids: list[str]) -> list[list[Any]]:
        """Position rows for units ``index``: ``[id, lat, lon, heading, speed]``."""
        return [[ids[i], round(float(self.lat[i]), 6), round(float(self.lon[i]), 6),
                 round(float(self.heading[i]), 1), round(float(self.speed[i]), 2)]
                for i in index.tolist()]


class _Areas:
    """Points to walk to in each grid cell, community and street, and their checkpoints."""

    def __init__(self, district: District, rng: random.Random) -> None:
        self.rng = rng
        geography = district.geography
        self.points: dict[str, list[tuple[float, float]]] = {}
        for cell in geography.grid_codes:
            place = geography.place_of_grid(cell)
            points = _points_in(geography, cell, 8, rng)
            for key in (f"grid:{cell}", f"community:{place.community}",
                        f"street:{place.street}", "district"):
                self.points.setdefault(key, []).extend(points)
        self.checkpoints: dict[str, list[tuple[str, float, float]]] = {}
        for checkpoint in district.checkpoints:
            grid = checkpoint.get("grid")
            if not isinstance(grid, str) or grid not in geography.grid_codes:
                continue
            place = geography.place_of_grid(grid)
            row = (str(checkpoint["id"]), float(checkpoint["lat"]), float(checkpoint["lon"]))
            for key in (f"grid:{grid}", f"community:{place.community}",
                        f"street:{place.street}"):
                self.checkpoints.setdefault(key, []).append(row)

    @staticmethod
    def key(unit: UnitSpec) -> str:
        if unit.grid:
            return f"grid:{unit.grid}"
        if unit.community:
            return f"community:{unit.community}"
        if unit.street:
            return f"street:{unit.street}"
        return "district"

    def point(self, key: str) -> tuple[float, float]:
        return self.rng.choice(self.points.get(key) or self.points["district"])

    def checkpoint(self, key: str) -> tuple[str, float, float] | None:
        found = self.checkpoints.get(key)
        return self.rng.choice(found) if found else None


def _points_in(geography: Any, cell: str, count: int,
               rng: random.Random) -> list[tuple[float, float]]:
    """``count`` random points inside a grid cell (rejection sampling in its box)."""
    polygon = geography.polygon("grid", cell)
    west, south, east, north = polygon.bounds
    found: list[tuple[float, float]] = []
    for _ in range(20):
        xs = np.array([rng.uniform(west, east) for _ in range(count * 3)])
        ys = np.array([rng.uniform(south, north) for _ in range(count * 3)])
        inside = shapely.contains_xy(polygon, xs, ys)
        found.extend((float(y), float(x)) for x, y in zip(xs[inside], ys[inside], strict=True))
        if len(found) >= count:
            return found[:count]
    lat, lon = geography.representative_point("grid", cell)
    return found or [(lat, lon)]


def _picture(rng: random.Random, size: int = 32) -> bytes:
    """A small PNG of a few coloured bands: what the hub checks an image by is real."""
    bands = [bytes(rng.randrange(256) for _ in range(3)) for _ in range(4)]
    rows = b"".join(b"\x00" + bands[y * len(bands) // size] * size for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
