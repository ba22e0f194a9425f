"""The dashboard dock (值班看板): the duty leader's figures as charts, each with its numbers.

Seven panels, each a pyqtgraph chart over a small table of the same numbers (for screen readers
and for reading exact values): incidents per hour over the last 24 hours by source; open
incidents by category and by street; the on-time rate per SLA stage; overdue open incidents by
lead department; units by type and status; and police hand-offs both ways. What each figure
counts is defined in :mod:`console.domain.figures`; this module only draws them.

The figures come from the replica, never from the hub. Each change set marks what it changed;
the figures are recomputed at most once a second (and every few seconds anyway, because overdue
counts and the hourly window move with the clock). What the figures need of each changed
incident is worked out once per version (:class:`IncidentFacts`) into a running :class:`Tally`,
so a recompute costs the changed incidents and a few hundred look-ups, not a pass over every
incident; after a snapshot, the catch-up runs in slices of ~10 ms so the GUI never stalls on it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain.figures import Figures, IncidentFacts, Tally
from console.domain.model import Source, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.sla import Stage
from console.ui.names import (
    DisplayNames,
    source_name,
    stage_name,
    ui_language,
    unit_type_name,
)
from console.ui.times import local, time_text

CONTEXT = "Dashboard"
translate = QCoreApplication.translate

#: Panels in the order they are laid out, with how many grid columns each spans at most.
PANELS: dict[str, tuple[object, int]] = {
    "per_hour": (QT_TRANSLATE_NOOP("Dashboard", "Incidents per hour, last 24 hours, by source"), 2),
    "police": (QT_TRANSLATE_NOOP("Dashboard", "Police hand-offs"), 1),
    "category": (QT_TRANSLATE_NOOP("Dashboard", "Open incidents by category"), 1),
    "street": (QT_TRANSLATE_NOOP("Dashboard", "Open incidents by street"), 1),
    "overdue": (QT_TRANSLATE_NOOP("Dashboard", "Overdue open incidents by lead department"), 1),
    "on_time": (QT_TRANSLATE_NOOP("Dashboard", "On time per SLA stage, last 24 hours"), 1),
    "units": (QT_TRANSLATE_NOOP("Dashboard", "Units by type and status"), 2),
}
_NO_STREET = QT_TRANSLATE_NOOP("Dashboard", "No street")
_NO_DEPARTMENT = QT_TRANSLATE_NOOP("Dashboard", "Center (no lead department)")
_OTHERS = QT_TRANSLATE_NOOP("Dashboard", "{n} others")
_STATUS_LINE = QT_TRANSLATE_NOOP("Dashboard", "{start} – {end} · updated {time}")
_CATCHING_UP = QT_TRANSLATE_NOOP("Dashboard", "Counting…")
_HEAD = {
    "source": QT_TRANSLATE_NOOP("Dashboard", "Source"),
    "last_24h": QT_TRANSLATE_NOOP("Dashboard", "Last 24 h"),
    "this_hour": QT_TRANSLATE_NOOP("Dashboard", "This hour"),
    "category": QT_TRANSLATE_NOOP("Dashboard", "Category"),
    "street": QT_TRANSLATE_NOOP("Dashboard", "Street"),
    "open": QT_TRANSLATE_NOOP("Dashboard", "Open"),
    "department": QT_TRANSLATE_NOOP("Dashboard", "Lead department"),
    "overdue": QT_TRANSLATE_NOOP("Dashboard", "Overdue"),
    "stage": QT_TRANSLATE_NOOP("Dashboard", "Stage"),
    "on_time": QT_TRANSLATE_NOOP("Dashboard", "On time"),
    "stopped": QT_TRANSLATE_NOOP("Dashboard", "Stopped"),
    "rate": QT_TRANSLATE_NOOP("Dashboard", "Rate"),
    "type": QT_TRANSLATE_NOOP("Dashboard", "Unit type"),
    "total": QT_TRANSLATE_NOOP("Dashboard", "Total"),
    "handoff": QT_TRANSLATE_NOOP("Dashboard", "Hand-off"),
    "in_period": QT_TRANSLATE_NOOP("Dashboard", "Last 24 h"),
    "open_now": QT_TRANSLATE_NOOP("Dashboard", "Open now"),
}
_DIVERTED = QT_TRANSLATE_NOOP("Dashboard", "Diverted in")
_ESCALATED = QT_TRANSLATE_NOOP("Dashboard", "Escalated out")
#: Unit statuses grouped as the duty leader reads them: free, committed, held, away.
_UNIT_GROUPS: tuple[tuple[object, tuple[UnitStatus, ...], str], ...] = (
    (QT_TRANSLATE_NOOP("Dashboard", "Available"), (UnitStatus.AVAILABLE,), "#2e9d4f"),
    (QT_TRANSLATE_NOOP("Dashboard", "On an assignment"),
     (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE), "#2f6fd0"),
    (QT_TRANSLATE_NOOP("Dashboard", "Busy"), (UnitStatus.BUSY,), "#e0a21a"),
    (QT_TRANSLATE_NOOP("Dashboard", "Off duty"), (UnitStatus.OFF_DUTY,), "#9aa0a6"),
    (QT_TRANSLATE_NOOP("Dashboard", "Out of service"), (UnitStatus.OUT_OF_SERVICE,), "#c5221f"),
)
_SOURCE_COLOURS = dict(zip(Source, ("#2f6fd0", "#c5221f", "#2e9d4f", "#8e44ad", "#e07b1a",
                                    "#16a2b8", "#795548", "#9aa0a6"), strict=True))
_TOP = 10  # bars per ranked chart; the table lists them all
_INTERVAL_MS = 1000  # at most one recompute a second
_CLOCK_MS = 5000  # recompute this often anyway: overdue and the hourly window move with time
_SLICE_S = 0.010  # catching up after a snapshot: this much work per turn of the event loop
_PANEL_WIDTH = 430
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class DashboardDock(QWidget):
    """The dashboard: charts of :class:`~console.domain.figures.Figures` over the replica.

    Attributes:
        figures: the latest figures (None until the first count is done).
        figures_seq: the replica's seq those figures reflect.
        compute_ms: how long the latest recompute took (facts of changed incidents plus the
            count), in milliseconds.

    Signals:
        updated(Figures): new figures were computed and drawn.
    """

    updated = Signal(object)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.bridge = bridge
        self.rules = rules
        self.figures: Figures | None = None
        self.figures_seq = -1
        self.compute_ms = 0.0
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        self.tally = Tally()
        self._dirty: set[str] = set()
        self._last_run = 0.0
        self._drawn: dict[str, Any] = {}
        self._columns = 0

        self.status = QLabel(self)
        self.status.setObjectName("dashboardStatus")
        self.panels = {key: _Panel(key, self) for key in PANELS}
        self._grid = QGridLayout()
        self._grid.setContentsMargins(2, 2, 2, 2)
        content = QWidget(self)
        content.setLayout(self._grid)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.status)
        layout.addWidget(self._scroll)
        self._reflow(3)

        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._recompute)
        self._clock = QTimer(self, interval=_CLOCK_MS)
        self._clock.timeout.connect(self._schedule)
        self._clock.start()
        bridge.changed.connect(self._changed)
        self._reset()
        self.retranslate()

    # -- keeping up with the replica -----------------------------------------------------------

    def _changed(self, change: ChangeSet) -> None:
        if change.taxonomy is not None:
            self._names = DisplayNames(ui_language(), self.rules, change.taxonomy)
            self._drawn.clear()
        if change.reset:
            self._reset()
            return
        if not (change.incidents or change.units):
            return  # positions only: nothing the figures count
        self._dirty.update(change.incidents)
        for unit in change.units.values():
            self.tally.put_unit(unit)
        self._schedule()

    def _reset(self) -> None:
        replica = self.bridge.replica
        self.tally = Tally()
        self.tally.set_units(replica.units.values())
        self._dirty = set(replica.incidents)
        self._schedule()

    def _schedule(self) -> None:
        # Working out 100,000 incidents' facts is seconds of the GUI thread: done while the
        # dashboard can be seen. Hidden (closed, or a tab behind another) the changed ids only
        # pile up, and showing it catches up.
        if not self.isVisible():
            return
        if not self._timer.isActive():
            wait = _INTERVAL_MS - (time.monotonic() - self._last_run) * 1000
            self._timer.start(max(0, int(wait)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._schedule()

    def _recompute(self) -> None:
        if not self.isVisible():
            return  # showEvent schedules the rest
        started = time.perf_counter()
        if not self._catch_up(started + _SLICE_S):
            self.status.setText(_tr(_CATCHING_UP))
            self._timer.start(0)  # the rest in the next turn of the event loop
            return
        self.recompute()
        self.compute_ms = (time.perf_counter() - started) * 1000

    def _catch_up(self, deadline: float | None = None) -> bool:
        """Work out the facts of changed incidents, until ``deadline`` (perf_counter); True
        when none is left."""
        incidents = self.bridge.replica.incidents
        while self._dirty:
            incident_id = self._dirty.pop()
            inc = incidents.get(incident_id)
            if inc is None:
                self.tally.discard(incident_id)
            else:
                self.tally.put(IncidentFacts.of(inc, self.rules))
            if deadline is not None and time.perf_counter() > deadline:
                return not self._dirty
        return True

    def recompute(self) -> Figures:
        """Count now, all at once (the timer does this in slices), draw, and return the figures."""
        self._catch_up()
        self._last_run = time.monotonic()
        self.figures = self.tally.figures(hub_clock.now())
        self.figures_seq = self.bridge.replica.seq
        self._draw(self.figures)
        self.updated.emit(self.figures)
        return self.figures

    # -- drawing -------------------------------------------------------------------------------

    def _draw(self, fig: Figures) -> None:
        start, end = local(fig.period.start), local(fig.now)
        self.status.setText(_tr(_STATUS_LINE).format(
            start=start.strftime("%m-%d %H:%M"), end=end.strftime("%m-%d %H:%M"),
            time=end.strftime("%H:%M:%S")))
        for key, data, draw in (
                ("per_hour", (fig.period.start, fig.per_hour), self._draw_per_hour),
                ("police", fig.police, self._draw_police),
                ("category", fig.open_by_category, self._draw_category),
                ("street", fig.open_by_street, self._draw_street),
                ("overdue", fig.overdue_by_department, self._draw_overdue),
                ("on_time", fig.on_time, self._draw_on_time),
                ("units", fig.units, self._draw_units)):
            if self._drawn.get(key) != data:  # redraw only what changed
                draw(fig)
                self._drawn[key] = data

    def _draw_per_hour(self, fig: Figures) -> None:
        panel = self.panels["per_hour"]
        sources = [s for s in Source if any(fig.per_hour[s])]
        hours = fig.period.hours
        ticks = [(n, time_text(hours[n], "%H:00")) for n in range(0, 24, 3)]
        panel.bars([(fig.per_hour[s], _SOURCE_COLOURS[s], _source(s)) for s in sources], ticks,
                   horizontal=False, count=len(hours))
        panel.table([_tr(_HEAD["source"]), _tr(_HEAD["last_24h"]), _tr(_HEAD["this_hour"])],
                    [[_source(s), sum(fig.per_hour[s]),
                      fig.per_hour[s][-1]] for s in sources])

    def _draw_police(self, fig: Figures) -> None:
        p = fig.police
        rows = [(_tr(_DIVERTED), p.diverted_in_period, p.diverted_open),
                (_tr(_ESCALATED), p.escalated_in_period, p.escalated_open)]
        self.panels["police"].bars(
            [([r[1] for r in rows], "#2f6fd0", _tr(_HEAD["in_period"])),
             ([r[2] for r in rows], "#e07b1a", _tr(_HEAD["open_now"]))],
            [(n, r[0]) for n, r in enumerate(rows)], horizontal=True, grouped=True)
        self.panels["police"].table(
            [_tr(_HEAD["handoff"]), _tr(_HEAD["in_period"]), _tr(_HEAD["open_now"])],
            [list(r) for r in rows])

    def _ranked(self, key: str, counts: dict[Any, int], name: Any, head: object, value: object,
                colour: str) -> None:
        ranked = sorted(((name(code), n) for code, n in counts.items()),
                        key=lambda r: (-r[1], r[0]))
        shown = ranked[:_TOP]
        if len(ranked) > _TOP:
            rest = ranked[_TOP:]
            shown.append((_tr(_OTHERS).format(n=len(rest)), sum(n for _, n in rest)))
        panel = self.panels[key]
        panel.bars([([n for _, n in shown], colour, _tr(value))],
                   [(i, label) for i, (label, _) in enumerate(shown)], horizontal=True)
        panel.table([_tr(head), _tr(value)], [list(r) for r in ranked])

    def _draw_category(self, fig: Figures) -> None:
        self._ranked("category", dict(fig.open_by_category), self._names.category,
                     _HEAD["category"], _HEAD["open"], "#2f6fd0")

    def _draw_street(self, fig: Figures) -> None:
        self._ranked("street", dict(fig.open_by_street),
                     lambda code: self._names.street(code) if code else _tr(_NO_STREET),
                     _HEAD["street"], _HEAD["open"], "#16a2b8")

    def _draw_overdue(self, fig: Figures) -> None:
        self._ranked("overdue", dict(fig.overdue_by_department),
                     lambda code: self._names.department(code) if code else _tr(_NO_DEPARTMENT),
                     _HEAD["department"], _HEAD["overdue"], "#d93a3a")

    def _draw_on_time(self, fig: Figures) -> None:
        stages = list(Stage)
        rates = [fig.on_time[s].rate for s in stages]
        colours = ["#2e9d4f" if r is None or r >= 0.9 else "#e0a21a" if r >= 0.7 else "#d93a3a"
                   for r in rates]
        panel = self.panels["on_time"]
        panel.bars([([round(100 * r) if r is not None else 0 for r in rates], colours, "%")],
                   [(n, stage_name(s)) for n, s in enumerate(stages)],
                   horizontal=False, y_max=100,
                   notes=[f"{round(100 * r)} %" if r is not None else "–" for r in rates])
        panel.table([_tr(_HEAD["stage"]), _tr(_HEAD["on_time"]), _tr(_HEAD["stopped"]),
                     _tr(_HEAD["rate"])],
                    [[stage_name(s), fig.on_time[s].met,
                      fig.on_time[s].stopped, f"{round(100 * r)} %" if r is not None else "–"]
                     for s, r in zip(stages, rates, strict=True)])

    def _draw_units(self, fig: Figures) -> None:
        kinds = [k for k in UnitType if fig.units_total(k)]
        groups = [([sum(fig.units[k][s] for s in statuses) for k in kinds], colour, _tr(label))
                  for label, statuses, colour in _UNIT_GROUPS]
        labels = [unit_type_name(k) for k in kinds]
        self.panels["units"].bars(groups, list(enumerate(labels)), horizontal=True)
        self.panels["units"].table(
            [_tr(_HEAD["type"]), *(_tr(label) for label, _, _ in _UNIT_GROUPS),
             _tr(_HEAD["total"])],
            [[label, *(g[0][n] for g in groups), fig.units_total(k)]
             for n, (k, label) in enumerate(zip(kinds, labels, strict=True))])

    # -- layout and language -------------------------------------------------------------------

    def _reflow(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for panel in self.panels.values():
            self._grid.removeWidget(panel)
        row = column = 0
        for key, (_, span) in PANELS.items():
            span = min(span, columns)
            if column + span > columns:
                row, column = row + 1, 0
            self._grid.addWidget(self.panels[key], row, column, 1, span)
            column += span
        for c in range(3):
            self._grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._reflow(max(1, min(3, event.size().width() // _PANEL_WIDTH)))
        super().resizeEvent(event)

    def retranslate(self) -> None:
        for key, (title, _) in PANELS.items():
            self.panels[key].setTitle(_tr(title))
        self._names = DisplayNames(ui_language(), self.rules, self.bridge.replica.taxonomy)
        self._drawn.clear()
        if self.figures is not None:
            self._draw(self.figures)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _tr(text: object, context: str = CONTEXT) -> str:
    """``text`` (a ``QT_TRANSLATE_NOOP`` source string) through the installed translators."""
    return translate(context, str(text))


def _source(source: Source) -> str:
    return source_name(source)


def _elide(text: str, longest: int = 22) -> str:
    return text if len(text) <= longest else text[:longest - 1] + "…"


class _Panel(QGroupBox):
    """One figure: a bar chart over a table of its numbers."""

    def __init__(self, key: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"dashboard_{key}")
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setObjectName(f"dashboardChart_{key}")
        self.plot.setMinimumHeight(130)
        item = self.plot.getPlotItem()
        item.setMouseEnabled(False, False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=False, y=True, alpha=0.2)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen("#5f6368"))
            axis.setTextPen(pg.mkPen("#202124"))
        self.grid = QTableWidget(self)
        self.grid.setObjectName(f"dashboardTable_{key}")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.verticalHeader().hide()
        self.grid.verticalHeader().setDefaultSectionSize(20)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.grid.setMaximumHeight(100)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # The legend sits under the chart, not in it, so it never hides a bar.
        self.key = QLabel(self)
        self.key.setObjectName(f"dashboardKey_{key}")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.hide()
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.key)
        layout.addWidget(self.grid, 2)
        self._bars: list[pg.BarGraphItem] = []
        self._legend: tuple[tuple[str, str], ...] = ()
        self._notes: list[pg.TextItem] = []
        self._ticks: tuple[object, bool] | None = None

    def bars(self, series: Sequence[tuple[Sequence[float], str | Sequence[str], str]],
             ticks: Sequence[tuple[int, str]], *, horizontal: bool, grouped: bool = False,
             y_max: float | None = None, count: int | None = None,
             notes: Sequence[str] = ()) -> None:
        """Draw ``series`` (values, colour or colour per bar, name) as bars at 0, 1, 2 …
        (``count`` positions: by default one per tick), stacked unless ``grouped``; ``ticks``
        label the positions, ``notes`` are written at the end of each (vertical) bar.

        The bar items and the legend are kept and only given new values: creating pyqtgraph
        items is slow enough that a redraw every second must not do it.
        """
        item = self.plot.getPlotItem()
        if count is None:
            count = max([len(ticks), *(len(v) for v, _, _ in series)])
        base = [0.0] * count
        thickness = 0.8 / len(series) if grouped and series else 0.7
        while len(self._bars) > len(series):
            item.removeItem(self._bars.pop())
        for n, (values, colour, _) in enumerate(series):
            positions = [i + (n - (len(series) - 1) / 2) * thickness if grouped else i
                         for i in range(len(values))]
            offsets = base[:len(values)] if not grouped else [0.0] * len(values)
            options: dict[str, Any] = {"pen": pg.mkPen(None)}
            if isinstance(colour, str):
                options["brush"] = pg.mkBrush(QColor(colour))
            else:
                options["brushes"] = [pg.mkBrush(QColor(c)) for c in colour]
            if horizontal:
                options.update(x0=offsets, y=positions, height=thickness, width=list(values))
            else:
                options.update(x=positions, y0=offsets, width=thickness, height=list(values))
            if n < len(self._bars):
                self._bars[n].setOpts(**options)
            else:
                self._bars.append(pg.BarGraphItem(**options))
                item.addItem(self._bars[-1])
            if not grouped:
                base = [b + v for b, v in zip(base, values, strict=False)]
        legend = tuple((name, colour) for values, colour, name in series
                       if isinstance(colour, str) and any(values)) if len(series) > 1 else ()
        if legend != self._legend:
            self.key.setText(" &nbsp; ".join(
                f'<span style="color:{colour}">■</span>&nbsp;{html.escape(name)}'
                for name, colour in legend))
            self.key.setVisible(bool(legend))
            self._legend = legend
        labels = [[(i, _elide(text)) for i, text in ticks]]
        most = max(base + [v for values, _, _ in series for v in values], default=0)
        top = y_max if y_max is not None else max(1.0, most * 1.15)
        across = (-0.6, max(count, 1) - 0.4)
        value_axis, label_axis = ("bottom", "left") if horizontal else ("left", "bottom")
        if (labels, horizontal) != self._ticks:
            item.getAxis(label_axis).setTicks(labels)
            item.getAxis(value_axis).setTicks(None)
            item.getViewBox().invertY(horizontal)
            self._ticks = (labels, horizontal)
        if horizontal:
            item.setRange(xRange=(0, top), yRange=across, padding=0)
        else:
            item.setRange(xRange=across, yRange=(0, top * (1.2 if notes else 1)), padding=0)
        while len(self._notes) < len(notes):
            self._notes.append(pg.TextItem(color="#202124", anchor=(0.5, 1.0)))
            item.addItem(self._notes[-1])
        for n, note in enumerate(self._notes):
            note.setText(notes[n] if n < len(notes) else "")
            if n < len(notes):
                note.setPos(n, base[n] if n < len(base) else 0)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Show ``rows`` under ``headers``, reusing the cells there are (creating a cell costs
        far more than changing its text)."""
        grid = self.grid
        if grid.columnCount() != len(headers):
            grid.setColumnCount(len(headers))
        for c, text in enumerate(headers):
            head = grid.horizontalHeaderItem(c)
            if head is None or head.text() != text:
                grid.setHorizontalHeaderItem(c, QTableWidgetItem(text))
        if grid.rowCount() != len(rows):
            grid.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                text = str(value)
                cell = grid.item(r, c)
                if cell is None:
                    cell = QTableWidgetItem(text)
                    if c:
                        cell.setTextAlignment(_RIGHT)
                    grid.setItem(r, c, cell)
                elif cell.text() != text:
                    cell.setText(text)
