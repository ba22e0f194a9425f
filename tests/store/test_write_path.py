"""The one write path, on SQLite and PostgreSQL: commands in, events and current state out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.model import Actor, IncidentState, Role, UnitStatus
from console.domain.sla import Stage
from console.store.store import Store
from console.store.writer import Command
from tests.store.conftest import ADMIN, CONTROLLER, Clock, command, new_incident_args

ENV_DESK = Actor("desk-env", frozenset({Role.DEPARTMENT}), department="environment")


def create(store: Store, **overrides: object) -> str:
    result = store.execute(command("incident.create", **new_incident_args(**overrides)),
                           CONTROLLER)
    assert result.ok, result.error
    return str(result.data["id"])


def test_create_answers_after_commit_with_id_version_and_seq(store: Store) -> None:
    result = store.execute(command("incident.create", **new_incident_args()), CONTROLLER)
    assert result.ok
    # 09:00 in Chengdu on 25 November: the day of the id is the local day.
    assert result.data == {"id": "CH-20261125-000001", "version": 1}
    assert result.seq == 1
    [logged] = store.events_after(0)
    assert logged.seq == 1
    assert logged.event.name == "incident.created"
    assert logged.event.data["location"]["street"] == "street.shuangqiaozi"
    row = store.open_incidents()[0]
    assert (row["id"], row["state"], row["grid"], row["community"]) == (
        "CH-20261125-000001", "new", "g111", "c11")
    assert row["next_due_stage"] == "accept"


def test_incident_ids_count_per_local_day(store: Store, clock: Clock) -> None:
    assert create(store) == "CH-20261125-000001"
    assert create(store) == "CH-20261125-000002"
    clock.advance(hours=15)  # 00:00 in Chengdu: a new day, a new count
    assert create(store) == "CH-20261126-000001"


def test_the_whole_lifecycle_through_the_store(store: Store, clock: Clock) -> None:
    incident = create(store)
    steps = [
        (CONTROLLER, "incident.accept", {}),
        (CONTROLLER, "incident.assign", {"department": "environment"}),
        (ENV_DESK, "incident.sign", {}),
        (ENV_DESK, "incident.resolve", {"result": "已责令夜间停工"}),
        (CONTROLLER, "incident.verify", {"method": "callback", "satisfied": True}),
        (CONTROLLER, "incident.close", {}),
    ]
    for version, (actor, name, args) in enumerate(steps, start=2):
        clock.advance(minutes=7)
        result = store.execute(command(name, id=incident, **args), actor)
        assert result.ok, result.error
        assert result.data == {"id": incident, "version": version}
    closed = store.incident(incident)
    assert closed is not None
    assert closed.state is IncidentState.CLOSED
    assert [e.event.name for e in store.timeline(incident)] == [
        "incident.created", "incident.accepted", "incident.assigned", "incident.signed",
        "incident.resolved", "incident.verified", "incident.closed"]
    assert [e.seq for e in store.timeline(incident)] == list(range(1, 8))
    assert store.open_incidents() == []


def test_a_repeated_command_id_writes_nothing_and_returns_the_first_result(store: Store,
                                                                            clock: Clock) -> None:
    first_command = command("incident.create", **new_incident_args())
    first = store.execute(first_command, CONTROLLER)
    head, events = store.last_seq(), store.count("events")
    clock.advance(minutes=1)
    again = store.execute(first_command, CONTROLLER)
    assert (again.ok, again.data, again.seq) == (first.ok, first.data, first.seq)
    assert again.replayed
    # Even with other arguments, the id decides: the first result, nothing written.
    changed = Command(first_command.id, "incident.create",
                      new_incident_args(description="另一件事"))
    assert store.execute(changed, CONTROLLER).data == first.data
    assert (store.last_seq(), store.count("events"), store.count("incidents")) == (head, events, 1)


def test_the_same_id_twice_in_one_batch_is_applied_once(store: Store) -> None:
    c = command("incident.create", **new_incident_args())
    results, logged = store.execute_batch([(c, CONTROLLER), (c, CONTROLLER)])
    assert [r.data for r in results] == [results[0].data, results[0].data]
    assert len(logged) == 1
    assert store.count("incidents") == 1


def test_refused_commands_write_nothing(store: Store) -> None:
    incident = create(store)
    head = store.last_seq()
    viewer = Actor("viewer", frozenset({Role.VIEWER}))
    refusals = [
        (viewer, command("incident.accept", id=incident), "forbidden"),
        (CONTROLLER, command("incident.close", id=incident), "conflict"),
        (CONTROLLER, command("incident.accept", id="CH-19990101-000001"), "not_found"),
        (CONTROLLER, command("incident.create", category="nonsense"), "invalid"),
        (CONTROLLER, Command("c-1", "incident.accept", "not an object"), "invalid"),
        (CONTROLLER, Command("c-2", "incident.accept", {"id": incident}, expected_version=7),
         "conflict"),
    ]
    for actor, cmd, code in refusals:
        result = store.execute(cmd, actor)
        assert not result.ok
        assert result.error is not None
        assert result.error["code"] == code, result.error
        assert result.error["message"]
    assert store.last_seq() == head
    assert store.count("events") == head
    assert store.count("commands") == 1
    # A refused id is not burnt: once the command makes sense it can still be applied.
    assert store.execute(Command("c-2", "incident.accept", {"id": incident}, expected_version=1),
                         CONTROLLER).ok


def test_a_batch_mixes_refusals_and_successes_in_order(store: Store) -> None:
    incident = create(store)
    batch = [
        (command("incident.accept", id=incident), CONTROLLER),
        (command("incident.accept", id=incident), CONTROLLER),  # already accepted by then
        (command("incident.note", id=incident, text="回访电话无人接听"), CONTROLLER),
    ]
    results, logged = store.execute_batch(batch)
    assert [r.ok for r in results] == [True, False, True]
    assert [r.data.get("version") for r in results if r.ok] == [2, 3]
    assert [e.seq for e in logged] == [2, 3]
    assert [r.seq for r in results] == [2, None, 3]


def test_dispatch_moves_the_unit_and_the_assignment_is_queryable(store: Store,
                                                                 clock: Clock) -> None:
    assert store.execute(command("unit.register", id="U45", name="网格员 45", type="grid_worker",
                                 status="available", street="street.shuangqiaozi"), ADMIN).ok
    incident = create(store, priority="P1")
    result = store.execute(command("incident.dispatch", id=incident, unit="U45"), CONTROLLER)
    assert result.ok
    assert result.data["assignment"] == f"{incident}/1"
    unit = store.unit("U45")
    assert unit is not None
    assert unit.status is UnitStatus.DISPATCHED
    assert unit.assignment == f"{incident}/1"
    field = Actor("field-U45", frozenset({Role.FIELD}), unit="U45")
    clock.advance(minutes=4)
    assert store.execute(command("assignment.update", id=incident, assignment=f"{incident}/1",
                                 status="on_scene"), field).ok
    unit = store.unit("U45")
    assert unit is not None
    assert unit.status is UnitStatus.ON_SCENE
    assert unit.status_since == clock.now
    # The unit is busy: a second incident cannot have it.
    other = create(store)
    refused = store.execute(command("incident.dispatch", id=other, unit="U45"), CONTROLLER)
    assert refused.error is not None
    assert "only available units" in refused.error["message"]


def test_merge_puts_the_event_on_both_timelines(store: Store) -> None:
    first, second = create(store), create(store)
    assert store.execute(command("incident.merge", id=second, into=first), CONTROLLER).ok
    assert store.timeline(first)[-1].event.name == "incident.merged"
    assert store.timeline(second)[-1].event.name == "incident.merged"
    assert [row["id"] for row in store.open_incidents()] == [first]


def test_queue_orders_open_incidents_by_next_deadline(store: Store, clock: Clock) -> None:
    routine = create(store, category="city.streetlight", priority="P4")
    clock.advance(minutes=1)
    urgent = create(store, category="safety.gas_leak", priority="P1")
    elsewhere = create(store, location={"lat": 30.6625, "lon": 104.0925})
    queue = store.open_incidents()
    assert queue[0]["id"] == urgent
    dues = [row["next_due_at"] for row in queue]
    assert dues == sorted(dues)
    assert {row["id"] for row in store.open_incidents(street="street.mengzhuiwan")} == {elsewhere}
    # By lead department, once assigned.
    store.execute(command("incident.accept", id=routine), CONTROLLER)
    store.execute(command("incident.assign", id=routine, department="urban_mgmt"), CONTROLLER)
    assert [row["id"] for row in store.open_incidents(department="urban_mgmt")] == [routine]


def test_caller_history_newest_first(store: Store, clock: Clock) -> None:
    first = create(store)
    clock.advance(hours=2)
    second = create(store)
    create(store, reporter={"name": "李女士", "phone": "13900000002"})
    history = store.caller_history("13800000001")
    assert [row["id"] for row in history] == [second, first]


def test_stored_deadline_matches_the_domain(store: Store, clock: Clock) -> None:
    incident = create(store)
    row = store.open_incidents()[0]
    limit = store.rules.sla.limit("standard", "P3", Stage.ACCEPT)
    assert row["id"] == incident
    assert row["next_due_at"] == clock.now + timedelta(**{limit.unit: limit.value})


def test_cameras_are_put_and_replaced_and_reach_the_snapshot(store: Store) -> None:
    camera = {"id": "cam.001", "name": "建设路与府青路口", "lat": 30.67, "lon": 104.10,
              "stream_url": "http://127.0.0.1:8766/cameras/cam.001.mjpg",
              "grid": "g000", "street": "street.mengzhuiwan"}
    assert store.put_cameras([camera, {**camera, "id": "cam.002"}]) == 2
    assert store.put_cameras([{**camera, "name": "建设路口"}]) == 1
    cameras = store.snapshot().cameras
    assert [(c["id"], c["name"]) for c in cameras] == [("cam.001", "建设路口"),
                                                        ("cam.002", "建设路与府青路口")]
    assert cameras[0]["stream_url"] == camera["stream_url"]
    for bad, message in (({**camera, "lat": 130}, "out of range"), ({"id": "x"}, "KeyError")):
        with pytest.raises(ValueError, match=message):
            store.put_cameras([bad])
    assert len(store.snapshot().cameras) == 2


def test_last_event_at_is_the_newest_events_time(store: Store, clock: Clock) -> None:
    assert store.last_event_at() is None
    create(store)
    assert store.last_event_at() == clock()


def test_a_units_wire_form_is_its_domain_form_with_its_position(store: Store,
                                                                 clock: Clock) -> None:
    from console.store.positions import PositionFix

    for unit_id, extra in (("U1", {"tier": 1, "street": "street.mengzhuiwan", "grid": "g000",
                                   "skills": ["first_aid"]}), ("U2", {})):
        assert store.execute(command("unit.register", id=unit_id, name=f"网格员{unit_id}",
                                     type="grid_worker", status="available", **extra),
                             ADMIN).ok
    fixed_at = clock() + timedelta(microseconds=250)  # one time with a fraction, one without
    store.positions.append([PositionFix("U1", 30.66, 104.1, 90.0, 1.5, fixed_at)])
    with store.db.reader.connect() as conn:  # the query a snapshot runs, not a second one
        wires = {w["id"]: w for w in store._units(conn)}
    assert wires == {w["id"]: w for w in store.units()}
    for unit_id in ("U1", "U2"):
        unit = store.unit(unit_id)
        assert unit is not None
        assert {k: v for k, v in wires[unit_id].items() if k != "position"} == unit.to_dict()
    assert wires["U1"]["position"] == {"lat": 30.66, "lon": 104.1, "heading": 90.0,
                                       "speed": 1.5, "at": fixed_at.isoformat()}
    assert clock().microsecond == 0 and wires["U1"]["status_since"] == clock().isoformat()
    assert wires["U2"]["position"] is None
