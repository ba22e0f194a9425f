"""The unit roster model: grouping, columns and roles, narrow signals, filters, live time."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from console.domain.model import UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.units import Position, Unit
from console.views.roster_columns import Column, UnitFilter
from console.views.unit_model import (
    CountRole,
    GroupRole,
    IncidentIdRole,
    StatusRole,
    StatusSinceRole,
    UnitRosterModel,
)
from tests.views.conftest import (
    T0,
    Feed,
    new_incident,
    new_unit,
    reading,
    reads_after,
    shown,
    then,
    unit_then,
)

NOW = T0 + timedelta(minutes=10)
MZW, SQZ = "street.mengzhuiwan", "street.shuangqiaozi"


def roster_units() -> list[Unit]:
    alpha = new_unit("U1", name="Alpha")
    bravo = unit_then(new_unit("U2", name="Bravo"), "assignment.dispatched",
                      T0 + timedelta(minutes=5), assignment="A9")
    charlie = new_unit("U3", name="Charlie", type="patrol", street=SQZ, tier=None)
    delta = new_unit("U4", name="Delta", type="urban_management", street=None,
                     status="off_duty", tier=None)
    echo = new_unit("U5", name="echo", street=SQZ, status="busy", tier=2)
    return [alpha, bravo, charlie, delta, echo]


def make_roster(feed: Feed, rules: Rules, units: list[Unit] | None = None,
                **kwargs: Any) -> UnitRosterModel:
    incident = then(new_incident(1), "assignment.dispatched", assignment="A9", unit="U2")
    feed.send([incident], roster_units() if units is None else units, reset=True)
    model = UnitRosterModel(feed.replica, language="en", rules=rules, clock=lambda: NOW,
                            **kwargs)
    feed.models.append(model)
    return model


def tree(model: UnitRosterModel, parent: QModelIndex | None = None) -> list[Any]:
    """Group rows as (label, children), unit rows as their first cell."""
    parent = parent or QModelIndex()
    rows: list[Any] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data(GroupRole) is not None:
            rows.append((index.data(), tree(model, index)))
        else:
            rows.append(index.data())
    return rows


def units_shown(model: UnitRosterModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    found: list[str] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        unit = index.data(Qt.ItemDataRole.UserRole)
        found.extend([unit.id] if unit is not None else units_shown(model, index))
    return found


class TreeRecorder:
    """Signals with their parent named by its label (``root`` for the top level)."""

    def __init__(self, model: UnitRosterModel) -> None:
        self.log: list[tuple[Any, ...]] = []

        def name(parent: QModelIndex) -> str:
            return str(parent.data()) if parent.isValid() else "root"

        model.rowsInserted.connect(lambda p, a, b: self.log.append(("inserted", name(p), a, b)))
        model.rowsRemoved.connect(lambda p, a, b: self.log.append(("removed", name(p), a, b)))
        model.rowsMoved.connect(lambda p, a, b, d, r: self.log.append(
            ("moved", name(p), a, b, name(d), r)))
        model.dataChanged.connect(lambda tl, br, roles=(): self.log.append(
            ("changed", name(tl.parent()), tl.row(), tl.column(), br.row(), br.column())))
        model.modelReset.connect(lambda: self.log.append(("reset",)))
        model.layoutChanged.connect(lambda *args: self.log.append(("layout",)))

    def take(self) -> list[tuple[Any, ...]]:
        log, self.log = self.log, []
        return log


ALL = len(Column) - 1
EXPECTED_TREE = [
    ("Grid worker (3)", [("Mengzhuiwan (2)", ["Alpha (U1)", "Bravo (U2)"]),
                         ("Shuangqiaozi (1)", ["echo (U5)"])]),
    ("Urban management (1)", [("No street (1)", ["Delta (U4)"])]),
    ("Patrol (1)", [("Shuangqiaozi (1)", ["Charlie (U3)"])]),
]


# -- contents ------------------------------------------------------------------------------------


def test_units_are_grouped_by_type_then_street(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    assert tree(model) == EXPECTED_TREE
    assert model.unit_count() == 5
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        "Unit", "Type", "Tier", "Street", "Status", "Time in status", "Incident"]


def test_a_unit_row_and_its_roles(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    bravo = model.index_of("U2")
    assert [bravo.siblingAtColumn(c).data() for c in Column] == [
        "Bravo (U2)", "Grid worker", "1", "Mengzhuiwan", "Dispatched", "05:00",
        "CH-20261125-000001"]
    unit = feed.replica.units["U2"]
    assert bravo.data(Qt.ItemDataRole.UserRole) == unit
    assert bravo.data(StatusRole) == UnitStatus.DISPATCHED
    assert bravo.data(StatusSinceRole) == T0 + timedelta(minutes=5)
    assert bravo.data(IncidentIdRole) == "CH-20261125-000001"
    assert bravo.data(GroupRole) is None
    group = bravo.parent()
    assert (group.data(GroupRole), group.data(CountRole)) == (("street", MZW), 2)
    assert group.parent().data(GroupRole) == ("type", UnitType.GRID_WORKER)
    assert group.data(Qt.ItemDataRole.UserRole) is None
    assert model.flags(bravo) & Qt.ItemFlag.ItemNeverHasChildren
    assert not model.flags(group) & Qt.ItemFlag.ItemNeverHasChildren


def test_street_names_follow_the_language(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules, grouping=("street",))
    model.set_language("zh")
    assert [label for label, _ in tree(model)] == ["双桥子 (2)", "猛追湾 (2)", "No street (1)"]
    assert model.index_of("U1", Column.STREET).data() == "猛追湾"


@pytest.mark.parametrize(("grouping", "expected"), [
    ((), ["Alpha (U1)", "Bravo (U2)", "Charlie (U3)", "Delta (U4)", "echo (U5)"]),
    (("street",), [("Mengzhuiwan (2)", ["Alpha (U1)", "Bravo (U2)"]),
                   ("Shuangqiaozi (2)", ["Charlie (U3)", "echo (U5)"]),
                   ("No street (1)", ["Delta (U4)"])]),
    (("street", "type"), [
        ("Mengzhuiwan (2)", [("Grid worker (2)", ["Alpha (U1)", "Bravo (U2)"])]),
        ("Shuangqiaozi (2)", [("Grid worker (1)", ["echo (U5)"]),
                              ("Patrol (1)", ["Charlie (U3)"])]),
        ("No street (1)", [("Urban management (1)", ["Delta (U4)"])])]),
])
def test_grouping(feed: Feed, rules: Rules, grouping: tuple[str, ...],
                  expected: list[Any], qtbot: Any) -> None:
    model = make_roster(feed, rules)
    with qtbot.waitSignal(model.modelReset):
        model.set_grouping(grouping)
    assert model.grouping == grouping
    assert tree(model) == expected


def test_an_unknown_grouping_is_refused(feed: Feed, rules: Rules) -> None:
    with pytest.raises(ValueError, match="grouping"):
        make_roster(feed, rules, grouping=("community",))


# -- the model contract --------------------------------------------------------------------------


@pytest.mark.parametrize("grouping", [("type", "street"), ("street",), ()])
def test_model_tester_with_data_and_through_every_kind_of_update(
        feed: Feed, rules: Rules, qtmodeltester: Any, grouping: tuple[str, ...]) -> None:
    units = roster_units()
    model = make_roster(feed, rules, units, grouping=grouping)
    qtmodeltester.check(model)
    later = T0 + timedelta(minutes=7)
    feed.send(units=[unit_then(units[0], "unit.status_changed", later, status="busy")])
    feed.send(units=[new_unit("U6", name="Foxtrot", type="mediator", street=SQZ)])
    feed.send(units=[new_unit("U7", name="Aardvark")])
    feed.send(units=[new_unit("U3", name="Zulu", type="patrol", street=MZW)])  # moves
    model.set_filter(UnitFilter(statuses={"available", "busy"}))
    feed.send(units=[unit_then(units[4], "unit.status_changed", later, status="off_duty")])
    model.tick(NOW + timedelta(seconds=1))
    model.BATCH_LIMIT = 1
    feed.send(units=[new_unit("U8"), unit_then(units[0], "unit.status_changed", later,
                                                status="available")])
    model.set_language("zh")
    feed.send(units=units, reset=True)
    qtmodeltester.check(model)
    assert model.unit_count() == 3  # the filter still holds


# -- narrow signals ------------------------------------------------------------------------------


def test_a_status_change_repaints_only_that_unit(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(units=[unit_then(feed.replica.units["U1"], "unit.status_changed",
                               T0 + timedelta(minutes=8), status="busy")])
    assert signals.take() == [("changed", "Mengzhuiwan (2)", 0, 0, 0, ALL)]
    assert model.index_of("U1", Column.STATUS).data() == "Busy"
    assert model.index_of("U1", Column.TIME_IN_STATUS).data() == "02:00"


def test_positions_change_nothing(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(positions={"U1": Position(30.66, 104.09, 90.0, 1.2, NOW)})
    assert signals.take() == []


def test_a_new_unit_in_an_existing_group(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U7", name="Axel")])
    assert signals.take() == [
        ("inserted", "Mengzhuiwan (3)", 1, 1),
        ("changed", "Grid worker (4)", 0, 0, 0, 0),  # the counts above it
        ("changed", "root", 0, 0, 0, 0),
    ]
    assert tree(model)[0][1][0] == ("Mengzhuiwan (3)", ["Alpha (U1)", "Axel (U7)", "Bravo (U2)"])


def test_a_unit_opening_a_street_group_inserts_the_group(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U7", name="Golf", type="patrol", street=MZW)])
    assert signals.take() == [("inserted", "Patrol (2)", 0, 0), ("changed", "root", 2, 0, 2, 0)]
    assert tree(model)[2] == ("Patrol (2)", [("Mengzhuiwan (1)", ["Golf (U7)"]),
                                             ("Shuangqiaozi (1)", ["Charlie (U3)"])])


def test_a_unit_opening_a_type_group_inserts_the_branch(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U7", name="Hotel", type="community_police", street=SQZ)])
    assert signals.take() == [("inserted", "root", 1, 1)]
    assert tree(model)[1] == ("Community police (1)", [("Shuangqiaozi (1)", ["Hotel (U7)"])])


def test_a_unit_leaving_the_filter_is_removed(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    model.set_filter(UnitFilter(statuses={UnitStatus.AVAILABLE, UnitStatus.DISPATCHED}))
    assert units_shown(model) == ["U1", "U2", "U3"]
    signals = TreeRecorder(model)
    later = T0 + timedelta(minutes=8)
    feed.send(units=[unit_then(feed.replica.units["U1"], "unit.status_changed", later,
                               status="busy")])
    assert signals.take() == [("removed", "Mengzhuiwan (1)", 0, 0),
                              ("changed", "Grid worker (1)", 0, 0, 0, 0),
                              ("changed", "root", 0, 0, 0, 0)]
    # The last unit of a type goes with its groups, in one signal.
    feed.send(units=[unit_then(feed.replica.units["U3"], "unit.status_changed", later,
                               status="busy")])
    assert signals.take() == [("removed", "root", 1, 1)]
    assert tree(model) == [("Grid worker (1)", [("Mengzhuiwan (1)", ["Bravo (U2)"])])]


def test_a_renamed_unit_moves_within_its_group(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    held = QPersistentModelIndex(model.index_of("U1", Column.STATUS))
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U1", name="Zed")])
    assert signals.take() == [("moved", "Mengzhuiwan (2)", 0, 0, "Mengzhuiwan (2)", 2),
                              ("changed", "Mengzhuiwan (2)", 1, 0, 1, ALL)]
    assert (held.row(), held.data()) == (1, "Available")


def test_a_unit_changing_street_is_removed_and_inserted(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U1", name="Alpha", street=SQZ)])
    assert signals.take() == [
        ("removed", "Mengzhuiwan (1)", 0, 0), ("changed", "Grid worker (2)", 0, 0, 0, 0),
        ("changed", "root", 0, 0, 0, 0),
        ("inserted", "Shuangqiaozi (2)", 0, 0), ("changed", "Grid worker (3)", 1, 0, 1, 0),
        ("changed", "root", 0, 0, 0, 0),
    ]


def test_an_incident_naming_a_units_assignment_repaints_its_incident_cell(
        feed: Feed, rules: Rules) -> None:
    later = T0 + timedelta(minutes=6)
    units = [*roster_units(), unit_then(new_unit("U6", name="Kilo"), "assignment.dispatched",
                                        later, assignment="A10")]
    model = make_roster(feed, rules, units)
    assert model.index_of("U6", Column.INCIDENT).data() == ""
    signals = TreeRecorder(model)
    feed.send([then(new_incident(2), "assignment.dispatched", assignment="A10", unit="U6")])
    assert signals.take() == [("changed", "Mengzhuiwan (3)", 2, Column.INCIDENT, 2,
                               Column.INCIDENT)]
    assert model.index_of("U6", Column.INCIDENT).data() == "CH-20261125-000002"


def test_a_snapshot_resets_and_a_big_batch_is_one_layout_change(
        feed: Feed, rules: Rules, qtbot: Any) -> None:
    model = make_roster(feed, rules)
    model.BATCH_LIMIT = 1
    group = QPersistentModelIndex(model.index(1, 0, model.index(0, 0)))  # Grid / Shuangqiaozi
    signals = TreeRecorder(model)
    feed.send(units=[new_unit("U8", name="Lima", type="volunteer"), new_unit("U9", name="Mike")])
    assert signals.take() == [("layout",)]
    assert group.data() == "Shuangqiaozi (1)" and group.parent().data() == "Grid worker (4)"
    with qtbot.waitSignal(model.modelReset):
        feed.send(units=roster_units()[:2], reset=True)
    assert units_shown(model) == ["U1", "U2"]


# -- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("unit_filter", "expected"), [
    (UnitFilter(), ["U1", "U2", "U5", "U4", "U3"]),
    (UnitFilter(types={UnitType.GRID_WORKER}), ["U1", "U2", "U5"]),
    (UnitFilter(types={"patrol", "urban_management"}), ["U4", "U3"]),
    (UnitFilter(streets={SQZ}), ["U5", "U3"]),
    (UnitFilter(statuses={"available"}), ["U1", "U3"]),
    (UnitFilter(text="ECHO"), ["U5"]),  # name, any case
    (UnitFilter(text="u4"), ["U4"]),  # id
    (UnitFilter(types={"grid_worker"}, statuses={"available", "busy"}), ["U1", "U5"]),
])
def test_filter(feed: Feed, rules: Rules, unit_filter: UnitFilter,
                expected: list[str]) -> None:
    model = make_roster(feed, rules)
    model.set_filter(unit_filter)
    assert model.filter == unit_filter
    assert units_shown(model) == expected
    assert model.unit_count() == len(expected)


def test_an_expanded_group_stays_expanded_through_a_filter_change(
        feed: Feed, rules: Rules, qtbot: Any) -> None:
    from PySide6.QtWidgets import QTreeView

    model = make_roster(feed, rules)
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    patrol = model.index(2, 0)
    view.expand(patrol)
    model.set_filter(UnitFilter(types={"patrol"}))
    assert view.isExpanded(model.index(0, 0))
    assert model.index(0, 0).data() == "Patrol (1)"


# -- live time in status -------------------------------------------------------------------------


def test_a_tick_is_one_signal_per_group_of_units(feed: Feed, rules: Rules) -> None:
    model = make_roster(feed, rules)
    model.ack_limit = timedelta(days=1)  # the feed's dispatched unit is not late here
    signals = TreeRecorder(model)
    model.tick(NOW + timedelta(minutes=1))
    col, inc = Column.TIME_IN_STATUS, Column.INCIDENT
    assert sorted(signals.take()) == sorted([
        ("changed", "Mengzhuiwan (2)", 0, col, 1, col),
        ("changed", "Shuangqiaozi (1)", 0, col, 0, col),
        ("changed", "No street (1)", 0, col, 0, col),
        ("changed", "Shuangqiaozi (1)", 0, col, 0, col),
        # The dispatched unit's device has not had its task for a minute: that cell turns red.
        ("changed", "Mengzhuiwan (2)", 1, inc, 1, inc),
    ])
    assert model.index_of("U2", col).data() == "06:00"
    assert model.index_of("U1", col).data() == "11:00"
    model.tick(NOW + timedelta(minutes=2))  # and only once
    assert len(signals.take()) == 4


# -- 20,000 units --------------------------------------------------------------------------------


@pytest.mark.timing
def test_20k_units_build_filter_and_update_quickly(feed: Feed, rules: Rules) -> None:
    rnd = random.Random(5)
    types = list(UnitType)
    streets = [MZW, SQZ, *(f"street.s{n}" for n in range(12))]
    units = [new_unit(f"U{n:05d}", name=f"Unit {rnd.randrange(10**6)}",
                      type=rnd.choice(types), street=rnd.choice(streets),
                      status=rnd.choice(["available", "busy", "off_duty"]))
             for n in range(20_000)]
    started = time.perf_counter()
    model = make_roster(feed, rules, units)
    built = time.perf_counter() - started
    started = time.perf_counter()
    model.set_filter(UnitFilter(statuses={"available", "busy"}))
    filtered = time.perf_counter() - started
    signals = TreeRecorder(model)
    samples = []
    for _ in range(3):
        later = NOW + timedelta(minutes=1)
        changed = [unit_then(u, "unit.status_changed", later,
                             status=rnd.choice(["available", "busy", "off_duty"]))
                   for u in rnd.sample(list(feed.replica.units.values()), 20)]
        change = feed.change(units=changed)
        feed.replica.apply(change)
        started = time.perf_counter()
        model.apply(change)
        samples.append(time.perf_counter() - started)
    assert "layout" not in [s[0] for s in signals.take()]
    started = time.perf_counter()
    model.tick(NOW + timedelta(minutes=2))
    ticked = time.perf_counter() - started
    print(f"20k units: build {built * 1000:.0f} ms, filter {filtered * 1000:.0f} ms, "
          f"apply 20 {[round(s * 1000, 2) for s in samples]} ms, tick {ticked * 1000:.1f} ms")
    assert built < 1.0 and filtered < 1.0
    assert statistics.median(samples) * 1000 <= 10
    assert ticked < 0.05


def test_a_tick_repaints_the_time_column_of_the_roster_only(feed: Feed, rules: Rules,
                                                            qtbot: Any) -> None:
    from console.views.roster_dock import RosterTree

    feed.send([], roster_units(), reset=True)
    counting, read = reading(UnitRosterModel)
    model = counting(feed.replica, language="en", rules=rules, clock=lambda: NOW)
    feed.models.append(model)
    view = RosterTree()
    shown(qtbot, view, model, 900)
    view.expandAll()
    qtbot.wait(50)
    cells = reads_after(qtbot, read, lambda: model.tick(NOW + timedelta(minutes=1)))
    assert {column for _, column in cells} == {Column.TIME_IN_STATUS}
    # A change to a unit (a whole row) still repaints the row.
    cells = reads_after(qtbot, read, lambda: model.dataChanged.emit(
        model.index_of("U1", 0), model.index_of("U1", len(Column) - 1)))
    assert len({column for _, column in cells}) > 1
