"""The incident queue model: contents, custom roles, narrow signals, filters, sorting, countdown."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QPersistentModelIndex,
    Qt,
    QTranslator,
)

from console.comms.replica import ChangeSet, Replica, UserInfo
from console.domain.incident import Incident
from console.domain.model import IncidentState, Priority, Source, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.sla import ClockLevel, Limit, SlaClock, Stage
from console.ui.text import countdown_text
from console.views.incident_model import (
    ClockRole,
    DueRole,
    FractionRole,
    IncidentQueueModel,
    LevelRole,
)
from console.views.queue_columns import Column
from console.views.queue_filter import QueueFilter
from tests.views.conftest import (
    T0,
    Feed,
    Recorder,
    assigned,
    new_incident,
    reading,
    reads_after,
    shown,
    then,
)

NOW = T0 + timedelta(minutes=10)
ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def make_model(feed: Feed, rules: Rules, incidents: list[Incident], *,
               language: str = "en", **kwargs: Any) -> IncidentQueueModel:
    feed.send(incidents, reset=True, taxonomy=tuple(rules.taxonomy.to_wire()))
    model = IncidentQueueModel(feed.replica, language=language, rules=rules,
                               clock=lambda: NOW, **kwargs)
    feed.models.append(model)
    return model


def column(model: IncidentQueueModel, col: Column) -> list[Any]:
    return [model.index(row, col).data() for row in range(model.rowCount())]


def ids(model: IncidentQueueModel) -> list[str]:
    return [n[-6:].lstrip("0") for n in column(model, Column.ID)]


def numbered(*numbers: int, spacing: int = 1) -> list[Incident]:
    """Incidents 1, 2, … created ``spacing`` minutes apart, so their accept clocks fall due in
    that order."""
    return [new_incident(n, at=T0 + timedelta(minutes=spacing * n)) for n in numbers]


# -- contents ------------------------------------------------------------------------------------


def test_a_row_shows_the_incident_in_every_column(feed: Feed, rules: Rules) -> None:
    inc = new_incident(7, source="police", priority="P2", category="city.illegal_parking")
    inc = assigned(inc, "urban_mgmt")
    inc = then(inc, "assignment.dispatched", assignment="A1", unit="U45")
    inc = then(inc, "assignment.dispatched", assignment="A2", unit="U46")
    inc = then(inc, "assignment.updated", assignment="A2", status="cleared")
    inc = then(inc, "incident.supervised")
    model = make_model(feed, rules, [inc])
    row = [model.index(0, c).data() for c in Column]
    clock = feed.replica.deadlines[inc.id]
    assert clock is not None
    assert row == [
        "CH-20261125-000007", "P2", "Illegal parking", "Mengzhuiwan / Community c01",
        "Police 110", "Assigned", "Urban Management Bureau · U45",
        countdown_text(clock.due_at - NOW), "Supervised",
    ]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        "ID", "Priority", "Category", "Street / community", "Source", "State", "Assignee",
        "Next deadline", "Supervised"]


def test_category_and_place_names_follow_the_language(feed: Feed, rules: Rules,
                                                      qtbot: Any) -> None:
    model = make_model(feed, rules, [new_incident(1)], language="zh_CN")
    assert model.language == "zh"
    assert model.index(0, Column.CATEGORY).data() == "施工噪声"
    assert model.index(0, Column.PLACE).data() == "猛追湾 / 社区c01"
    with qtbot.waitSignal(model.headerDataChanged), qtbot.waitSignal(model.dataChanged):
        model.set_language("en_GB")
    assert model.index(0, Column.CATEGORY).data() == "Construction noise"


def test_every_label_goes_through_the_translator(feed: Feed, rules: Rules, qapp: Any) -> None:
    class Shouting(QTranslator):
        def translate(self, context: str, source: str, disambiguation: Any = None,
                      n: int = -1) -> str:
            return source.upper() if context == "IncidentQueueModel" else ""

    model = make_model(feed, rules, [then(new_incident(1), "incident.supervised")])
    translator = Shouting()
    QCoreApplication.installTranslator(translator)
    try:
        model.retranslate()
        assert model.headerData(Column.DEADLINE, Qt.Orientation.Horizontal) == "NEXT DEADLINE"
        assert [model.index(0, c).data() for c in
                (Column.SOURCE, Column.STATE, Column.SUPERVISED)] == ["HOTLINE", "NEW",
                                                                      "SUPERVISED"]
    finally:
        QCoreApplication.removeTranslator(translator)
        model.retranslate()
    assert model.index(0, Column.STATE).data() == "New"


@pytest.mark.parametrize(("seconds", "text"), [
    (12 * 60 + 34, "12:34"), (0, "00:00"), (-(3 * 60 + 10), "-03:10"),
    (3 * 3600 + 5 * 60 + 9, "3:05:09"), (2 * 86400 + 4 * 3600 + 59, "2d 04h"),
    (-(26 * 3600), "-1d 02h"),
])
def test_countdown_text(seconds: int, text: str) -> None:
    assert countdown_text(timedelta(seconds=seconds)) == text


def test_deadline_roles_give_due_time_fraction_and_level(feed: Feed, rules: Rules) -> None:
    inc = new_incident(1)  # standard P3: accept within 30 minutes
    model = make_model(feed, rules, [inc, assigned(new_incident(2)),
                                     then(new_incident(3), "incident.rejected", reason="x")])
    model.sort(Column.ID)
    clock = feed.replica.deadlines[inc.id]
    assert isinstance(clock, SlaClock)
    first = model.index(0, Column.DEADLINE)
    assert first.data(Qt.ItemDataRole.UserRole) == inc
    assert first.data(DueRole) == clock.due_at == T0 + timedelta(minutes=30)
    assert first.data(ClockRole) == clock
    assert first.data() == "20:00"
    for minutes, fraction, level in [(10, 1 / 3, ClockLevel.OK), (24, 0.8, ClockLevel.AMBER),
                                     (33, 1.1, ClockLevel.OVERDUE)]:
        model.tick(T0 + timedelta(minutes=minutes))
        assert first.data(FractionRole) == pytest.approx(fraction)
        assert first.data(LevelRole) == level
    assert first.data() == "-03:00"
    rejected = model.index(2, Column.DEADLINE)  # no clock runs
    assert (rejected.data(), rejected.data(DueRole), rejected.data(FractionRole)) == ("", None,
                                                                                     None)


# -- the model contract --------------------------------------------------------------------------


def test_model_tester_with_data_and_through_every_kind_of_update(
        feed: Feed, rules: Rules, qtmodeltester: Any) -> None:
    incs = numbered(1, 2, 3, 4, 5)
    model = make_model(feed, rules, incs)
    qtmodeltester.check(model)
    feed.send([new_incident(9, at=T0 + timedelta(minutes=2, seconds=30))])  # insert
    feed.send([then(incs[0], "incident.note", text="x")])  # in place
    feed.send([assigned(incs[1])])  # moves (its next deadline is later)
    model.set_filter(QueueFilter(states={"new"}))
    feed.send([assigned(incs[2])])  # filtered out: removed
    model.sort(Column.PRIORITY, DESC)
    model.tick(NOW + timedelta(seconds=1))
    model.BATCH_LIMIT = 1
    feed.send([assigned(incs[3]), new_incident(10)])  # a "big" batch: layout change
    feed.send(incs, reset=True)
    qtmodeltester.check(model)
    assert model.rowCount() == 5


# -- narrow signals from change sets ---------------------------------------------------------------


def test_a_new_incident_is_inserted_at_its_sorted_position(feed: Feed, rules: Rules) -> None:
    model = make_model(feed, rules, numbered(1, 2, 4))
    assert ids(model) == ["1", "2", "4"]
    signals = Recorder(model)
    feed.send([new_incident(3, at=T0 + timedelta(minutes=3))])
    assert signals.take() == [("inserted", 2, 2)]
    assert ids(model) == ["1", "2", "3", "4"]


def test_a_change_in_place_repaints_only_its_row(feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2, 3)
    model = make_model(feed, rules, incs)
    signals = Recorder(model)
    feed.send([then(incs[1], "incident.supervised")])
    assert signals.take() == [("changed", 1, 0, 1, len(Column) - 1)]
    assert model.index(1, Column.SUPERVISED).data() == "Supervised"


def test_a_change_that_leaves_the_filter_removes_the_row(feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2, 3)
    model = make_model(feed, rules, incs)
    model.set_filter(QueueFilter.open_cases())
    signals = Recorder(model)
    feed.send([then(incs[1], "incident.rejected", reason="duplicate call")])
    assert signals.take() == [("removed", 1, 1)]
    assert ids(model) == ["1", "3"]


def test_a_change_that_moves_the_sort_key_moves_the_row(feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2, 3, 4)
    model = make_model(feed, rules, incs)
    persistent = QPersistentModelIndex(model.index(0, Column.STATE))
    signals = Recorder(model)
    # Accepting no. 1 stops its 30-minute accept clock; the 2-hour assign clock is next: last.
    feed.send([then(incs[0], "incident.accepted")])
    assert signals.take() == [("moved", 0, 0, 4), ("changed", 3, 0, 3, len(Column) - 1)]
    assert ids(model) == ["2", "3", "4", "1"]
    assert persistent.row() == 3 and persistent.data() == "Accepted"


def test_a_change_to_a_hidden_incident_emits_nothing(feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2)
    model = make_model(feed, rules, incs)
    model.set_filter(QueueFilter(priorities={"P1"}))
    signals = Recorder(model)
    feed.send([then(incs[0], "incident.note", text="x")])
    assert signals.take() == []
    assert model.rowCount() == 0


def test_a_snapshot_resets_the_model(feed: Feed, rules: Rules, qtbot: Any) -> None:
    model = make_model(feed, rules, numbered(1, 2))
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        feed.send(numbered(5, 6, 7), reset=True)
    assert ids(model) == ["5", "6", "7"]


def test_a_big_batch_is_one_layout_change_that_keeps_the_selection(
        feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2, 3, 4, 5)
    model = make_model(feed, rules, incs)
    model.BATCH_LIMIT = 2
    selection = QItemSelectionModel(model)
    selection.select(model.index(4, 0), QItemSelectionModel.SelectionFlag.Select)
    signals = Recorder(model)
    feed.send([then(incs[0], "incident.accepted"), then(incs[1], "incident.rejected", reason="x"),
               new_incident(6, at=T0)])
    assert signals.take() == [("layout",)]
    assert ids(model) == ["6", "3", "4", "5", "1", "2"]
    assert [i.row() for i in selection.selectedIndexes()] == [3]  # still no. 5


def test_a_new_taxonomy_renames_categories(feed: Feed, rules: Rules) -> None:
    model = make_model(feed, rules, numbered(1, 2))
    signals = Recorder(model)
    renamed = [dict(c, en="Building-site noise") if c["code"] == "env.noise_construction"
               else c for c in rules.taxonomy.to_wire()]
    feed.send(taxonomy=tuple(renamed))
    assert signals.take() == [("changed", 0, Column.CATEGORY, 1, Column.CATEGORY)]
    assert column(model, Column.CATEGORY) == ["Building-site noise"] * 2


# -- filters -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(feed: Feed, rules: Rules) -> IncidentQueueModel:
    """Six incidents that differ in one way each from no. 1."""
    one = new_incident(1)
    two = new_incident(2, priority="P1", source="police", description="Water pipe burst",
                       location={"lat": 30.66, "lon": 104.105, "address": "人民路 9 号",
                                 "street": "street.shuangqiaozi", "community": "c10"})
    three = assigned(new_incident(3, category="city.illegal_parking"), "urban_mgmt",
                     co_handlers=("environment",))
    four = then(new_incident(4, at=T0 - timedelta(hours=1)), "incident.supervised")  # overdue
    five = then(new_incident(5, actor="taker"), "incident.rejected", reason="not ours")
    six = assigned(new_incident(6, source="grid"), "environment")
    model = make_model(feed, rules, [one, two, three, four, five, six])
    model.sort(Column.ID)
    return model


@pytest.mark.parametrize(("queue_filter", "expected"), [
    (QueueFilter(), ["1", "2", "3", "4", "5", "6"]),
    (QueueFilter(states={IncidentState.ASSIGNED}), ["3", "6"]),
    (QueueFilter.open_cases(), ["1", "2", "3", "4", "6"]),
    (QueueFilter(priorities={Priority.P1}), ["2"]),
    (QueueFilter(sources={Source.POLICE, "grid"}), ["2", "6"]),
    (QueueFilter(categories={"city.illegal_parking"}), ["3"]),
    (QueueFilter(streets={"street.shuangqiaozi"}), ["2"]),
    (QueueFilter(departments={"environment"}), ["3", "6"]),  # lead or co-handler
    (QueueFilter(overdue_only=True), ["2", "4"]),  # P1 accept: 5 minutes
    (QueueFilter(supervised_only=True), ["4"]),
    (QueueFilter(text="WATER"), ["2"]),  # description, any case
    (QueueFilter(text="人民路"), ["2"]),  # address
    (QueueFilter(text="000005"), ["5"]),  # id
    (QueueFilter(states={"new"}, priorities={"P3"}, text="噪声"), ["1", "4"]),
])
def test_filter(mixed: IncidentQueueModel, queue_filter: QueueFilter,
                expected: list[str]) -> None:
    mixed.set_filter(queue_filter)
    assert ids(mixed) == expected


@pytest.mark.parametrize(("department", "expected"), [
    ("environment", ["3", "5", "6"]), (None, ["5"]), ("police", ["5"]),
])
def test_mine_is_my_department_or_what_i_created(
        mixed: IncidentQueueModel, feed: Feed, department: str | None,
        expected: list[str]) -> None:
    feed.replica.user = UserInfo("taker", "Taker", ("call_taker",), department=department)
    mixed.set_filter(QueueFilter(mine=True))
    assert ids(mixed) == expected


def test_unknown_filter_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="'opened'"):
        QueueFilter(states={"opened"})


def test_an_incident_going_overdue_enters_the_overdue_filter_on_the_tick(
        feed: Feed, rules: Rules) -> None:
    model = make_model(feed, rules, numbered(1, 2, 3, spacing=10))  # due at 40, 50, 60 min
    model.set_filter(QueueFilter(overdue_only=True))
    assert model.rowCount() == 0
    signals = Recorder(model)
    model.tick(T0 + timedelta(minutes=50))
    assert signals.take() == [("inserted", 0, 0), ("inserted", 1, 1),
                              ("changed", 0, Column.DEADLINE, 1, Column.DEADLINE)]
    assert ids(model) == ["1", "2"]


def test_the_selection_survives_a_filter_change(mixed: IncidentQueueModel) -> None:
    selection = QItemSelectionModel(mixed)
    selection.setCurrentIndex(mixed.index(5, Column.STATE),
                              QItemSelectionModel.SelectionFlag.ClearAndSelect)
    mixed.set_filter(QueueFilter(states={"assigned"}))
    assert (selection.currentIndex().row(), selection.currentIndex().column()) == (1, 5)
    mixed.set_filter(QueueFilter(states={"new"}))
    assert not selection.currentIndex().isValid()


# -- sorting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("col", "order", "expected"), [
    (Column.DEADLINE, ASC, ["4", "2", "1", "3", "6", "5"]),  # 5 has no running clock: last
    (Column.DEADLINE, DESC, ["3", "6", "1", "2", "4", "5"]),  # … in either order; ties by id
    (Column.ID, DESC, ["6", "5", "4", "3", "2", "1"]),
    (Column.PRIORITY, ASC, ["2", "4", "1", "3", "6", "5"]),  # then by deadline
    (Column.STATE, ASC, ["1", "2", "4", "3", "6", "5"]),  # lifecycle order, then id
    (Column.SOURCE, ASC, ["6", "1", "3", "4", "5", "2"]),  # by label: Grid, Hotline, Police
    (Column.CATEGORY, ASC, ["1", "2", "4", "5", "6", "3"]),  # Construction noise < Illegal…
    (Column.PLACE, DESC, ["2", "1", "3", "4", "5", "6"]),  # Shuangqiaozi > Mengzhuiwan
    (Column.ASSIGNEE, ASC, ["6", "3", "1", "2", "4", "5"]),  # Ecology < Urban; none last
    (Column.SUPERVISED, ASC, ["4", "1", "2", "3", "5", "6"]),
])
def test_sort(mixed: IncidentQueueModel, col: Column, order: Qt.SortOrder,
              expected: list[str]) -> None:
    mixed.sort(col, order)
    assert (mixed.sort_column, mixed.sort_order) == (col, order)
    assert ids(mixed) == expected


def test_inserts_and_moves_keep_a_descending_order(feed: Feed, rules: Rules) -> None:
    incs = numbered(1, 2, 3, 4)
    model = make_model(feed, rules, incs)
    model.sort(Column.DEADLINE, DESC)
    feed.send([new_incident(5, at=T0 + timedelta(minutes=2, seconds=30)),
               then(incs[3], "incident.rejected", reason="x"), assigned(incs[0])])
    assert ids(model) == ["1", "3", "5", "2", "4"]
    model.sort(Column.DEADLINE, DESC)  # a fresh sort agrees
    assert ids(model) == ["1", "3", "5", "2", "4"]


# -- the live countdown --------------------------------------------------------------------------


def test_a_tick_is_one_signal_over_the_deadline_column(feed: Feed, rules: Rules) -> None:
    model = make_model(feed, rules, numbered(1, 2, 3))
    before = column(model, Column.DEADLINE)
    signals = Recorder(model)
    model.tick(NOW + timedelta(seconds=61))
    assert signals.take() == [("changed", 0, Column.DEADLINE, 2, Column.DEADLINE)]
    assert model.now == NOW + timedelta(seconds=61)
    assert before == ["21:00", "22:00", "23:00"]
    assert column(model, Column.DEADLINE) == ["19:59", "20:59", "21:59"]


def test_a_tick_repaints_the_countdown_of_the_visible_rows_only(feed: Feed, rules: Rules,
                                                                qtbot: Any) -> None:
    from console.views.queue_dock import QueueTable

    feed.send([new_incident(n, at=T0 + timedelta(seconds=n)) for n in range(1, 2_001)],
              reset=True)
    counting, read = reading(IncidentQueueModel)
    model = counting(feed.replica, language="en", clock=lambda: NOW)
    view = QueueTable()
    shown(qtbot, view, model, 1000)
    cells = reads_after(qtbot, read, lambda: model.tick(NOW + timedelta(seconds=1)))
    assert max(row for row, _ in cells) < 100  # only rows on screen are read
    assert {column for _, column in cells} == {Column.DEADLINE}  # of the countdown alone
    # The countdown moved to third place, as the queue dock puts it: the strip follows.
    header = view.horizontalHeader()
    header.moveSection(header.visualIndex(Column.DEADLINE), 2)
    qtbot.wait(50)
    cells = reads_after(qtbot, read, lambda: model.tick(NOW + timedelta(seconds=2)))
    assert {column for _, column in cells} == {Column.DEADLINE}


def test_a_rows_new_colour_repaints_that_row_only(feed: Feed, rules: Rules, qtbot: Any) -> None:
    """An alert's flash changes one row's colour: its cells are read again, no other row's
    (Qt itself repaints the whole viewport for a change wider than one cell)."""
    from console.views.queue_dock import QueueTable

    feed.send([new_incident(n, at=T0 + timedelta(seconds=n)) for n in range(1, 201)], reset=True)
    counting, read = reading(IncidentQueueModel)
    model = counting(feed.replica, language="en", clock=lambda: NOW)
    view = QueueTable()
    shown(qtbot, view, model, 1000)
    third = model.ids_between(2, 2)
    cells = reads_after(qtbot, read, lambda: model.refresh_rows(third))
    assert {row for row, _ in cells} == {2}
    assert {column for _, column in cells} == set(range(len(Column)))
    assert model.ids_between(0, 1) == [model.incident_at(0).id, model.incident_at(1).id]


def test_pyside_lupdate_finds_every_label(tmp_path: Path) -> None:
    from console.ui import names
    from console.views import queue_columns, roster_columns

    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    ts = tmp_path / "views.ts"
    done = subprocess.run([str(lupdate), names.__file__, queue_columns.__file__,
                           roster_columns.__file__, "-ts", str(ts)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = {(c.findtext("name"), m.findtext("source"))
             for c in ElementTree.parse(ts).getroot().iter("context")
             for m in c.iter("message")}
    tables = {
        ("IncidentQueueModel", names): ("PRIORITY_LABELS", "SOURCE_LABELS", "STATE_LABELS",
                                        "STAGE_LABELS"),
        ("IncidentQueueModel", queue_columns): ("_HEADERS", "_SUPERVISED", "_DAYS_FORMAT"),
        ("UnitRosterModel", names): ("UNIT_TYPE_LABELS", "UNIT_STATUS_LABELS"),
        ("UnitRosterModel", roster_columns): ("_HEADERS", "_NO_STREET", "_GROUP_FORMAT",
                                              "_DAYS_FORMAT"),
    }
    for (context, module), table_names in tables.items():
        labels: set[str] = set()
        for name in table_names:
            table = getattr(module, name)
            labels |= set(table.values()) if isinstance(table, dict) else {table}
        assert labels and {(context, text) for text in labels} <= found
    # … and every code has its label.
    assert set(names.STATE_LABELS) == set(IncidentState)
    assert set(names.SOURCE_LABELS) == set(Source)
    assert set(names.PRIORITY_LABELS) == set(Priority)
    assert set(names.STAGE_LABELS) == set(Stage)
    assert set(names.UNIT_TYPE_LABELS) == set(UnitType)
    assert set(names.UNIT_STATUS_LABELS) == set(UnitStatus)


def test_the_model_clock_ticks_every_second(feed: Feed, rules: Rules, qtbot: Any) -> None:
    model = make_model(feed, rules, numbered(1))
    model.start_ticking(interval_ms=20)
    try:
        with qtbot.waitSignal(model.dataChanged, timeout=2_000):
            pass
    finally:
        model.stop_ticking()


# -- speed at 100,000 incidents ------------------------------------------------------------------

BIG = 100_000


@pytest.fixture(scope="module")
def big_snapshot() -> ChangeSet:
    """A snapshot of 100,000 incidents (every tenth without a running clock), built in ~2 s.

    Made by copying one created incident (``dataclasses.replace``) and giving each an accept clock
    directly: computing 100,000 clocks through the calendar would take longer than the test.
    """
    template = new_incident(0)
    rnd = random.Random(7)
    limit = Limit(30, "minutes")
    incidents: dict[str, Incident] = {}
    clocks: dict[str, SlaClock | None] = {}
    for n in range(1, BIG + 1):
        at = T0 + timedelta(seconds=rnd.randrange(86_400))
        inc = replace(template, id=f"CH-20261125-{n:06d}", created_at=at,
                      priority=Priority(f"P{1 + n % 4}"))
        incidents[inc.id] = inc
        clocks[inc.id] = None if n % 10 == 0 else SlaClock(
            Stage.ACCEPT, at, at + timedelta(minutes=30), None, limit)
    return ChangeSet(seq=1, reset=True, incidents=incidents, deadlines=clocks)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


@pytest.mark.timing
def test_sorting_100k_incidents_by_deadline_takes_under_200_ms(big_snapshot: ChangeSet) -> None:
    replica = Replica()
    replica.apply(big_snapshot)
    model = IncidentQueueModel(replica, language="en", clock=lambda: NOW)
    samples = []
    for order in (ASC, DESC, ASC):
        model.sort(Column.ID)
        started = time.perf_counter()
        model.sort(Column.DEADLINE, order)
        samples.append(time.perf_counter() - started)
    print(f"sort 100k by deadline: {[round(s * 1000, 1) for s in samples]} ms")
    assert model.rowCount() == BIG
    due = [model.index(row, 0).data(DueRole) for row in range(0, BIG, 97)]
    running = [d for d in due if d is not None]
    assert running == sorted(running) and due[-1] is None  # no clock: last
    assert _median_ms(samples) <= 200


@pytest.mark.timing
def test_applying_a_20_event_change_set_to_100k_rows_takes_under_10_ms(
        big_snapshot: ChangeSet) -> None:
    replica = Replica()
    replica.apply(big_snapshot)
    model = IncidentQueueModel(replica, language="en", clock=lambda: NOW)
    model.set_filter(QueueFilter.open_cases())
    signals = Recorder(model)
    rnd = random.Random(11)
    samples = []
    for seq in range(2, 5):
        picked = rnd.sample(sorted(replica.incidents), 18)
        changed: dict[str, Incident] = {}
        clocks: dict[str, SlaClock | None] = {}
        for n, iid in enumerate(picked):
            inc = replica.incidents[iid]
            at = inc.created_at + timedelta(minutes=3)
            if n < 3:  # rejected: leaves the open-cases filter
                changed[iid] = then(inc, "incident.rejected", at=at, reason="duplicate")
                clocks[iid] = None
            else:  # accepted: the assign clock (2 h) is next, so the row moves down
                changed[iid] = then(inc, "incident.accepted", at=at)
                clocks[iid] = SlaClock(Stage.ASSIGN, at, at + timedelta(hours=2), None,
                                       Limit(2, "hours"))
        for n in range(2):  # and two new ones
            fresh = new_incident(BIG + seq * 10 + n, at=T0 + timedelta(hours=n))
            changed[fresh.id] = fresh
            clocks[fresh.id] = SlaClock(Stage.ACCEPT, fresh.created_at,
                                        fresh.created_at + timedelta(minutes=30), None,
                                        Limit(30, "minutes"))
        change = ChangeSet(seq=seq, incidents=changed, deadlines=clocks)
        replica.apply(change)
        signals.take()
        started = time.perf_counter()
        model.apply(change)
        samples.append(time.perf_counter() - started)
        kinds = [s[0] for s in signals.take()]
        assert (kinds.count("removed"), kinds.count("inserted")) == (3, 2)
        assert "layout" not in kinds and "reset" not in kinds
    print(f"apply 20 changes at 100k rows: {[round(s * 1000, 2) for s in samples]} ms")
    assert _median_ms(samples) <= 10
    # Still in order after the narrow updates: a fresh sort gives the same rows.
    before = model.incident_ids()
    model.sort(Column.DEADLINE)
    assert model.incident_ids() == before

