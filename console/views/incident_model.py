"""The incident queue as a Qt table model, filtered and sorted in Python, updated narrowly.

:class:`IncidentQueueModel` reads the GUI thread's :class:`~console.comms.replica.Replica` and
keeps only the *visible ordered list* of incident ids. Filtering
(:class:`~console.views.queue_filter.QueueFilter`) and sorting (the keys of
:mod:`console.views.queue_columns`, which also says what each column shows) happen here
rather than in a ``QSortFilterProxyModel``: a proxy calls Python ``lessThan``/``filterAcceptsRow``
through the C++ boundary ~2 million times to sort 100,000 rows, while ``list.sort`` with
precomputed keys does it in C.

How the order is kept: every visible id has a *primary key* for the current sort column (a float
or a string, cached in ``_row_key``); ties are broken by the id, ascending. Rows are found and
placed by binary search on that order, so one changed incident costs O(log n) plus one signal.

The countdown. The deadline column changes every second, but the model never walks the rows for
it: :meth:`IncidentQueueModel.tick` (called once a second by the timer of
:meth:`~IncidentQueueModel.start_ticking`, or by the dock) only moves the model's notion of *now*
and emits **one** ``dataChanged`` spanning the deadline column. A view repaints only what it
shows, so only the rows on screen are read again (a test checks which rows a view reads), and
``data()`` is cheap: a dict lookup and one
subtraction. Emitting "only rows whose text changed" would mean formatting every running
countdown every second — all of them change each second — which at 100,000 rows is the very work
this avoids. A signal rather than a bare ``viewport().update()`` so that every view of the model
(a second window, the wall) follows without a timer of its own; views never poll. Do not give the
deadline column ``ResizeToContents``: that would measure every row.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet, Replica
from console.domain.incident import Incident
from console.domain.rules import Rules
from console.domain.sla import ClockLevel
from console.ui.names import DisplayNames, ui_language
from console.ui.text import countdown_text
from console.ui.times import time_text
from console.views.queue_columns import LABEL_SORTED, MAX_TEXT, Column, QueueColumns
from console.views.queue_filter import Predicate, QueueFilter, compile_filter

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
#: ``Qt.UserRole``: the :class:`Incident` of the row.
IncidentRole = int(Qt.ItemDataRole.UserRole)
#: The due time (aware ``datetime``) of the running clock, or None.
DueRole = IncidentRole + 1
#: Share of the running clock's limit used: 0.0 … 1.0, above 1.0 when overdue; None without clock.
FractionRole = IncidentRole + 2
#: The running clock's :class:`~console.domain.sla.ClockLevel` (ok/half/amber/overdue), or None.
LevelRole = IncidentRole + 3
#: The running :class:`~console.domain.sla.SlaClock` itself (its stage, limit, extensions), or None.
ClockRole = IncidentRole + 4

_ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)


def _utcnow() -> datetime:
    return hub_clock.now()


class IncidentQueueModel(QAbstractTableModel):
    """The incident queue: one row per visible incident, in the chosen order.

    Args:
        replica: the GUI thread's replica; the model reads it and never writes it.
        language: ``"zh…"`` for Chinese names, anything else English; None follows ``QLocale()``.
        rules: the locally loaded rules, for department, street and community names (optional).
        clock: where *now* comes from when :meth:`tick` is called without one.
        parent: the QObject parent.

    Call :meth:`apply` with each change set *after* the replica applied it.
    """

    IncidentRole = IncidentRole
    DueRole = DueRole
    FractionRole = FractionRole
    LevelRole = LevelRole
    ClockRole = ClockRole
    #: Above this many changed incidents in one change set, one layout change beats row signals.
    BATCH_LIMIT = 2_000

    def __init__(self, replica: Replica, *, language: str | None = None,
                 rules: Rules | None = None, clock: Callable[[], datetime] = _utcnow,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._replica = replica
        self._rules = rules
        self._clock = clock
        self._now = clock()
        self._timer: QTimer | None = None
        self._language = ui_language(language)
        # No language given: names follow the one installed, also after a live switch.
        self._follows_locale = language is None
        self._columns = QueueColumns(DisplayNames(self._language, rules, replica.taxonomy))
        # Caches over all incidents of the replica (changed in place, never replaced).
        self._known: set[str] = set()
        self._by_id: list[str] = []  # every incident id, sorted: the tie order of every sort
        self._due_ts: dict[str, float] = {}  # due time of the running clock, as a timestamp
        self._haystack: dict[str, str] = {}  # casefolded id/description/address for text search
        self._due_index: list[tuple[float, str]] | None = None  # (due, id), while overdue_only
        self._filter = QueueFilter()
        self._predicate: Predicate | None = None
        self._sort_column = Column.DEADLINE
        self._descending = False
        self._primary = self._primary_fn()
        # The visible rows.
        self._rows: list[str] = []
        self._row_key: dict[str, Any] = {}
        #: The whole row's background, from its id and its clock's level (None: no colour);
        #: the queue dock sets it (levels and alerts, console/views/shift_alerts.py).
        self.row_background: Callable[[str, ClockLevel | None], Any] | None = None
        self._rebuild_all()

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Asked for every cell at every repaint: a constant, not an enum expression.
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            headers = self._columns.headers
            return headers[section] if 0 <= section < len(headers) else None
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role not in _ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        iid = self._rows[row]
        inc = self._replica.incidents[iid]
        column = index.column()
        if role == DISPLAY:
            if column != Column.DEADLINE:
                return self._columns.text(column, inc)
            clock = self._replica.deadlines.get(iid)
            if clock is None:
                return ""
            return countdown_text(clock.due_at - self._now, self._columns.days_format)
        if role == IncidentRole:
            return inc
        if role == ALIGNMENT:
            return _RIGHT if column == Column.DEADLINE else None
        clock = self._replica.deadlines.get(iid)
        if role == BACKGROUND:
            if self.row_background is None:
                return None
            return self.row_background(iid, clock.level(self._now) if clock else None)
        if clock is None:
            return None
        if role == DueRole:
            return clock.due_at
        if role == FractionRole:
            return clock.fraction(self._now)
        if role == LevelRole:
            return clock.level(self._now)
        if role == ClockRole:
            return clock
        if role == TOOLTIP and column == Column.DEADLINE:
            due = time_text(clock.due_at, "%Y-%m-%d %H:%M")
            return f"{self._columns.stages[clock.stage]}: {due}"
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role, name in ((IncidentRole, b"incident"), (DueRole, b"due"),
                           (FractionRole, b"fraction"), (LevelRole, b"level"),
                           (ClockRole, b"clock")):
            names[role] = QByteArray(name)
        return names

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column``; rows without a value (no running clock, no street, no
        assignee) come last in either order. A column outside the table sorts by id."""
        self._sort_column = Column(column) if 0 <= column < len(Column) else Column.ID
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._primary = self._primary_fn()
        # The filter did not change: re-key the rows shown (in id order, the tie order) rather
        # than filter every incident again — half the time at 100,000 rows.
        self._relayout(sorted(self._rows))

    # -- public API ---------------------------------------------------------------------------

    @property
    def filter(self) -> QueueFilter:
        return self._filter

    @property
    def sort_column(self) -> Column:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    @property
    def language(self) -> str:
        return self._language

    @property
    def now(self) -> datetime:
        """The time countdowns and the overdue filter are computed at (set by :meth:`tick`)."""
        return self._now

    def set_filter(self, queue_filter: QueueFilter) -> None:
        """Show only incidents passing ``queue_filter``; rows still shown keep their selection.

        ``mine`` reads ``replica.user`` on every check, so set the filter again only if the
        filter itself changes.
        """
        self._filter = queue_filter
        self._predicate = compile_filter(queue_filter, self._replica, lambda: self._now,
                                         self._haystack)
        if queue_filter.overdue_only:
            self._due_index = sorted((ts, iid) for iid, ts in self._due_ts.items())
        else:
            self._due_index = None
        if not queue_filter.text:
            self._haystack.clear()
        self._relayout()

    def incident_ids(self) -> list[str]:
        """The visible incident ids, top to bottom (a copy)."""
        return list(self._rows)

    def ids_between(self, first: int, last: int) -> list[str]:
        """The incident ids of rows ``first`` to ``last``, both included."""
        return self._rows[first:last + 1]

    def incident_at(self, row: int) -> Incident:
        return self._replica.incidents[self._rows[row]]

    def row_of(self, incident_id: str) -> int:
        """The row showing ``incident_id``, or -1 when it is filtered out or unknown."""
        key = self._row_key.get(incident_id)
        return -1 if key is None else self._search(key, incident_id)

    def refresh_rows(self, incident_ids: list[str]) -> None:
        """Repaint the whole rows of these incidents (those shown): their look changed."""
        last = len(Column) - 1
        for iid in incident_ids:
            row = self.row_of(iid)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last), [BACKGROUND])

    def apply(self, change: ChangeSet) -> None:
        """Follow a change set the replica has just applied, with the narrowest signals.

        A snapshot resets the model; a batch of more than :attr:`BATCH_LIMIT` incidents is one
        layout change; otherwise each changed incident is one ``rowsInserted``, ``rowsRemoved``,
        ``rowsMoved`` + ``dataChanged``, or ``dataChanged`` of its own row — or nothing if it is
        neither shown nor to be shown.
        """
        if change.reset:
            self.beginResetModel()
            self._columns.names = DisplayNames(self._language, self._rules, self._replica.taxonomy)
            self._primary = self._primary_fn()
            self._rebuild_all()
            self.endResetModel()
            return
        renamed = change.taxonomy is not None
        if renamed:
            self._columns.names = DisplayNames(self._language, self._rules, self._replica.taxonomy)
        if len(change.incidents) > self.BATCH_LIMIT or (
                renamed and self._sort_column == Column.CATEGORY):
            for iid in change.incidents:
                self._update_caches(iid)
            self._relayout()
        else:
            for iid in change.incidents:
                self._update_caches(iid)
                self._update_row(iid)
            if renamed:
                self._labels_changed(Column.CATEGORY)

    def tick(self, now: datetime | None = None) -> None:
        """Move *now* on: one ``dataChanged`` over the deadline column (see the module notes).

        With ``overdue_only`` set, incidents whose deadline passed since the last tick are
        inserted; found by bisection in a due-time index, not by a scan.
        """
        previous, self._now = self._now, now if now is not None else self._clock()
        if self._due_index is not None:
            if self._now < previous:
                self._relayout()
            else:
                self._admit_overdue(previous, self._now)
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.DEADLINE),
                                  self.index(len(self._rows) - 1, Column.DEADLINE),
                                  [DISPLAY, TOOLTIP, FractionRole, LevelRole])

    def start_ticking(self, interval_ms: int = 1_000) -> None:
        """Tick every ``interval_ms`` from now on (one timer per model, however many views)."""
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self.tick)
        self._timer.start(interval_ms)

    def stop_ticking(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def set_language(self, language: str | None) -> None:
        self._follows_locale = language is None
        """Switch category/place names and labels to ``language`` (None: follow ``QLocale``)."""
        self._language = ui_language(language)
        self._columns.names = DisplayNames(self._language, self._rules, self._replica.taxonomy)
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every label through the installed translators (after a LanguageChange)."""
        if self._follows_locale and self._language != ui_language():
            self._language = ui_language()
            self._columns.names = DisplayNames(self._language, self._rules, self._replica.taxonomy)
        self._columns.retranslate()
        self._primary = self._primary_fn()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._labels_changed(None)

    # -- derivation ---------------------------------------------------------------------------

    def _rebuild_all(self) -> None:
        replica = self._replica
        self._known = set(replica.incidents)
        self._by_id = sorted(self._known)
        self._due_ts.clear()
        self._due_ts.update((iid, clock.due_at.timestamp())
                            for iid, clock in replica.deadlines.items()
                            if clock is not None and iid in self._known)
        self._haystack.clear()
        if self._due_index is not None:
            self._due_index = sorted((ts, iid) for iid, ts in self._due_ts.items())
        self._rows, self._row_key = self._derive()

    def _derive(self, base: list[str] | None = None) -> tuple[list[str], dict[str, Any]]:
        """The visible rows in order and their keys; ``base``: the ids passing the filter, in
        id order, if already known."""
        passes = self._predicate
        if base is not None:
            pass  # already filtered
        elif passes is None:
            base = self._by_id
        else:
            incidents, deadlines = self._replica.incidents, self._replica.deadlines
            base = [iid for iid in self._by_id if passes(incidents[iid], deadlines.get(iid))]
        primary = self._primary
        keys = {iid: primary(iid) for iid in base}
        # Stable, also in reverse: equal keys stay in id order.
        return sorted(base, key=keys.__getitem__, reverse=self._descending), keys

    def _relayout(self, base: list[str] | None = None) -> None:
        """Re-derive the visible rows; persistent indexes (selection, current) follow their ids.

        (PySide6 emits the layout signals without their parents/hint arguments.)
        """
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._rows[p.row()] if 0 <= p.row() < len(self._rows) else None, p.column())
                for p in persistent]
        self._rows, self._row_key = self._derive(base)
        if persistent:
            moved = []
            for iid, column in held:
                key = self._row_key.get(iid, _ABSENT) if iid is not None else _ABSENT
                moved.append(QModelIndex() if iid is None or key is _ABSENT
                             else self.index(self._search(key, iid), column))
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _update_caches(self, iid: str) -> None:
        clock = self._replica.deadlines.get(iid)
        if iid not in self._known:
            self._known.add(iid)
            if not self._by_id or iid > self._by_id[-1]:
                self._by_id.append(iid)  # the usual case: ids grow with time
            else:
                bisect.insort(self._by_id, iid)
        old_ts = self._due_ts.get(iid)
        new_ts = clock.due_at.timestamp() if clock is not None else None
        if new_ts is None:
            self._due_ts.pop(iid, None)
        else:
            self._due_ts[iid] = new_ts
        if self._due_index is not None and old_ts != new_ts:
            if old_ts is not None:
                at = bisect.bisect_left(self._due_index, (old_ts, iid))
                if at < len(self._due_index) and self._due_index[at] == (old_ts, iid):
                    del self._due_index[at]
            if new_ts is not None:
                bisect.insort(self._due_index, (new_ts, iid))
        self._haystack.pop(iid, None)

    def _update_row(self, iid: str) -> None:
        inc = self._replica.incidents[iid]
        passes = self._predicate is None or self._predicate(inc, self._replica.deadlines.get(iid))
        old_key = self._row_key.get(iid, _ABSENT)
        if old_key is _ABSENT:
            if passes:
                self._insert(iid)
            return
        row = self._search(old_key, iid)
        if not passes:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._row_key[iid]
            self.endRemoveRows()
            return
        key = self._primary(iid)
        if key != old_key:
            dest = self._search(key, iid)  # insertion point in the list as it stands
            if dest not in (row, row + 1):
                self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
                del self._rows[row]
                row = dest - 1 if dest > row else dest
                self._rows.insert(row, iid)
                self._row_key[iid] = key
                self.endMoveRows()
            else:
                self._row_key[iid] = key
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def _insert(self, iid: str) -> None:
        key = self._primary(iid)
        row = self._search(key, iid)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, iid)
        self._row_key[iid] = key
        self.endInsertRows()

    def _search(self, key: Any, iid: str) -> int:
        """Where (key, iid) is or belongs in the visible order (binary search)."""
        rows, keys = self._rows, self._row_key
        lo, hi = 0, len(rows)
        if self._descending:
            while lo < hi:
                mid = (lo + hi) // 2
                other = rows[mid]
                k = keys[other]
                if k > key or (k == key and other < iid):
                    lo = mid + 1
                else:
                    hi = mid
        else:
            while lo < hi:
                mid = (lo + hi) // 2
                other = rows[mid]
                k = keys[other]
                if k < key or (k == key and other < iid):
                    lo = mid + 1
                else:
                    hi = mid
        return lo

    def _admit_overdue(self, since: datetime, now: datetime) -> None:
        index = self._due_index
        assert index is not None
        # A millisecond of slack either side: float timestamps may round; the predicate decides.
        lo = bisect.bisect_left(index, (since.timestamp() - 1e-3, ""))
        hi = bisect.bisect_right(index, (now.timestamp() + 1e-3, MAX_TEXT))
        passes = self._predicate
        incidents, deadlines = self._replica.incidents, self._replica.deadlines
        for _, iid in index[lo:hi]:
            if iid not in self._row_key and (
                    passes is None or passes(incidents[iid], deadlines.get(iid))):
                self._insert(iid)

    def _labels_changed(self, column: Column | None) -> None:
        """Names or labels changed: re-sort if the order depends on them, else repaint them."""
        if self._sort_column in LABEL_SORTED and column in (None, self._sort_column):
            self._relayout()
        elif self._rows:
            first = 0 if column is None else column
            last = len(Column) - 1 if column is None else column
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, last))

    def _primary_fn(self) -> Callable[[str], Any]:
        return self._columns.sort_key(self._sort_column, self._descending, self._replica,
                                      self._due_ts)


_ABSENT = object()
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROLES = frozenset({DISPLAY, TOOLTIP, ALIGNMENT, IncidentRole, DueRole, FractionRole, LevelRole,
                   ClockRole, BACKGROUND})
