"""The main window: it only assembles the docks, menus and status bar around one dock manager.

Every dock (queue, detail, intake, roster, map, video wall, command line, and any extra queue) is
a QtAds dock with a stable object name, so a layout saved by name restores onto the same docks —
floating ones included, onto whichever monitor they were on. Several main windows can share one
connection (File → New window); each has its own dock manager and layout.

The window is given what it shows (the bridge, the rules, the settings and the layout store),
never the application: what only the application can do — another window, quitting, another
language — the window asks for by a signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import PySide6QtAds as QtAds
from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.ui.message import messages
from console.views.alert_controls import AlertControls
from console.views.alerts import AlertStrips
from console.views.audit_dock import AuditDock
from console.views.command_help import CommandHelp, open_panel
from console.views.command_line import CommandLine
from console.views.common import keeping_focus
from console.views.connection import ConnectionBanner
from console.views.dashboard import DashboardDock
from console.views.dock_text import retranslate_docks
from console.views.emergency_board import EmergencyBoard
from console.views.focus import keep_focus_after_dialogs
from console.views.i18n import language_setting
from console.views.incident_detail import IncidentDetail, IncidentWindow
from console.views.intake import IntakeForm
from console.views.layouts import LAYOUT_VERSION, Layouts, WindowLayouts
from console.views.liaison_dock import LiaisonDock
from console.views.map_dock import MapDock
from console.views.queue_dock import IncidentQueue
from console.views.records_dock import RecordsDock
from console.views.reports_dock import CENTER_ROLES, ReportsDock
from console.views.roster_dock import UnitRoster
from console.views.shift_alerts import shift_alerts
from console.views.sos_alarm import SosAlarm
from console.views.status import ConsoleStatusBar, roles_text
from console.views.time_zone import TimeZoneMenu
from console.views.video_wall import VideoWallDock
from console.views.workers_dock import WorkersDock

log = logging.getLogger(__name__)



class MainWindow(WindowLayouts, QMainWindow):
    """Args:
        bridge: the console's connection and replica, shared by every window.
        rules: the rules the docks ask what a user may do.
        settings: the console's settings (the map's, the language).
        layouts: where the window saves its layout and finds saved ones.
        number: the window's number among the console's windows (1 for the first).

    Signals:
        closed(MainWindow): the window was closed.
        new_window_requested(): File → New window.
        quit_requested(): File → Quit.
        logout_requested(): File → Log out.
        language_chosen(str): a language setting was chosen in Settings → Language.
    """

    closed = Signal(object)
    new_window_requested = Signal()
    quit_requested = Signal()
    logout_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, bridge: Bridge, rules: Rules, settings: QSettings, layouts: Layouts,
                 number: int = 1) -> None:
        super().__init__()
        self.bridge = bridge
        self.rules = rules
        self.settings = settings
        self.layouts = layouts
        self.number = number
        self.setObjectName(f"mainWindow{number}")
        self.resize(1600, 950)
        self._popouts: list[IncidentWindow] = []
        self._closed = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        QtAds.CDockManager.setConfigFlag(QtAds.CDockManager.eConfigFlag.FocusHighlighting, True)
        QtAds.CDockManager.setConfigFlag(
            QtAds.CDockManager.eConfigFlag.OpaqueSplitterResize, True)
        holder = QWidget(self)
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.banner = ConnectionBanner(self.bridge, holder)
        box.addWidget(self.banner)
        self.sos = SosAlarm(self.bridge, holder)  # field units calling for help
        box.addWidget(self.sos)
        self.alerts = AlertStrips(self.bridge, holder)  # major incidents, supervision
        box.addWidget(self.alerts)
        self.dock_manager = QtAds.CDockManager(holder)
        box.addWidget(self.dock_manager)
        self.setCentralWidget(holder)
        self.status = ConsoleStatusBar(self.bridge, self)
        self.setStatusBar(self.status)

        self.queue = IncidentQueue(self.bridge, self.rules, self)
        self.detail = IncidentDetail(self.bridge, self.rules, self)
        self.intake = IntakeForm(self.bridge, self.rules, self)
        self.roster = UnitRoster(self.bridge, self.rules, self, settings=settings)
        self.command_line = CommandLine(self.bridge, self)
        self.command_help = CommandHelp(self)
        self.map = MapDock(self.bridge, self.rules, settings, self)
        self.command_line.recommender = self.map.nearest.recommend_for  # D 123 ␣: the plan
        self.video = VideoWallDock(self.bridge, self.rules, self)
        self.liaison = LiaisonDock(self.bridge, self.rules, self)
        self.dashboard = DashboardDock(self.bridge, self.rules, self)
        self.board = EmergencyBoard(self.bridge, self.rules, self)
        self.records = RecordsDock(self.bridge, self.rules, self)
        self.queues: list[IncidentQueue] = [self.queue]
        self.shift = shift_alerts(self.bridge, settings)  # new urgent cases, clocks running out
        self.queue.follow_alerts(self.shift)

        self.docks: dict[str, QtAds.CDockWidget] = {}
        # The default desk: units on the left, the queue in the middle over the map (the video
        # wall a tab behind it) and a one-line command line, the incident and the intake as tabs
        # on the right.
        areas = QtAds.DockWidgetArea
        queue_area = self._add_dock("queue", self.queue, areas.CenterDockWidgetArea)
        roster_area = self._add_dock("roster", self.roster, areas.LeftDockWidgetArea)
        self._add_dock("liaison", self.liaison, None, roster_area)
        detail_area = self._add_dock("detail", self.detail, areas.RightDockWidgetArea)
        self._add_dock("intake", self.intake, None, detail_area)
        # The command help reads beside the incident it is used on, closed until asked for.
        self._add_dock("command_help", self.command_help, areas.BottomDockWidgetArea,
                       detail_area)
        self.docks["command_help"].toggleView(False)
        self._add_dock("emergency_board", self.board, None, detail_area)
        self.audit: AuditDock | None = None
        self.workers: WorkersDock | None = None
        self.reports: ReportsDock | None = None
        self.suit_user()
        line_area = self._add_dock("command_line", self.command_line,
                                   areas.BottomDockWidgetArea, queue_area)
        self.docks["command_line"].setMinimumSizeHintMode(
            QtAds.CDockWidget.eMinimumSizeHintMode.MinimumSizeHintFromContent)
        map_area = self._add_dock("map", self.map, areas.TopDockWidgetArea, line_area)
        self._add_dock("video_wall", self.video, None, map_area)
        self._add_dock("dashboard", self.dashboard, None, map_area)
        self._add_dock("records", self.records, None, map_area)  # the whole record
        self.docks["map"].setAsCurrentTab()
        self._default_sizes = [(roster_area, [380, 760, 500]), (line_area, [360, 440, 40])]
        self._connect_dock_signals(self.queue)
        self.intake.created.connect(self.open_incident)
        self.intake.open_requested.connect(self.open_incident)
        self.command_line.open_incident.connect(self.open_incident)
        self.command_line.new_intake.connect(self.focus_intake)
        self.command_line.help_requested.connect(self.show_help)
        self.command_line.acted_on.connect(self.follow_incident)
        self.roster.open_incident.connect(self.open_incident)
        self.roster.unit_selected.connect(self.map.show_unit)
        self.map.incident_selected.connect(self.open_incident)
        self.map.unit_selected.connect(self.show_unit)
        self.map.new_incident_here.connect(self.new_incident_at)
        self.detail.cameras_requested.connect(self.cameras_near)
        self.liaison.open_incident.connect(self.open_incident)
        self.liaison.act.connect(self.act_on)
        self.liaison.alarm_changed.connect(self.status.set_police_alarm)
        self.board.open_incident.connect(self.open_incident)
        self.records.open_incident.connect(self.open_incident)
        self.alerts.open_incident.connect(self.open_incident)
        self.alerts.open_major.connect(self.show_emergency_board)
        self.sos.show_unit.connect(self.map.show_unit)
        messages().message.connect(self._message)
        self.bridge.logged_in.connect(lambda _user: self.retitle())
        self._build_menus()
        self.retranslate()
        self._default_state: QByteArray | None = None
        keep_focus_after_dialogs(self)  # the keyboard comes back here after every dialog

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._default_state is None:  # splitter sizes only hold once the window has a size
            for area, sizes in self._default_sizes:
                self.dock_manager.setSplitterSizes(area, sizes)
            self._default_state = self.dock_manager.saveState(LAYOUT_VERSION)

    # -- docks ---------------------------------------------------------------------------------

    def _add_dock(self, name: str, widget: QWidget, where: QtAds.DockWidgetArea | None,
                  area: QtAds.CDockAreaWidget | None = None) -> QtAds.CDockAreaWidget:
        """Add a dock beside ``area`` (``where``), as a tab of it (``where`` None), or on its
        own side of the window."""
        dock = QtAds.CDockWidget(self.dock_manager, name)
        dock.setObjectName(name)
        # The widgets scroll themselves where they need to; a dock-level scroll area would
        # let a wide widget push its buttons out of sight instead of fitting the dock.
        dock.setWidget(widget, QtAds.CDockWidget.eInsertMode.ForceNoScrollArea)
        dock.setFeature(QtAds.CDockWidget.DockWidgetFeature.DockWidgetFloatable, True)
        self.docks[name] = dock
        if where is None:
            assert area is not None
            return self.dock_manager.addDockWidgetTabToArea(dock, area)
        if area is not None:
            return self.dock_manager.addDockWidget(where, dock, area)
        return self.dock_manager.addDockWidget(where, dock)

    def suit_user(self) -> None:
        """Open on the docks the user's role works in. Called again once the hub has said who
        is logged in, for a window that opened while the console was still looking for it."""
        user = self.bridge.replica.user
        roles = set(user.roles) if user is not None else set()
        if hasattr(self, "alert_controls"):  # whose sound settings: known only now
            self.alert_controls.check_settings()
        # The audit trail is an administrator's alone: other roles get no dock for it at all.
        if "admin" in roles and self.audit is None:
            self.audit = AuditDock(self.bridge, self)
            self._add_dock("audit", self.audit, None, self.docks["detail"].dockAreaWidget())
            self.docks["audit"].setWindowTitle(self.tr("Audit"))
            if hasattr(self, "view_menu"):
                self._fill_view_menu()
        # The grid workers' assessment is personal data: a duty leader's and an admin's.
        if roles & {"duty_leader", "admin"} and self.workers is None:
            self.workers = WorkersDock(self.bridge, self.rules, self)
            self.workers.replay.connect(self._worker_day_on_map)
            # Beside the map, not over it: a worker's day is replayed there.
            self._add_dock("workers", self.workers, None, self.docks["detail"].dockAreaWidget())
            self.docks["workers"].setWindowTitle(self.tr("Grid workers"))
            if hasattr(self, "view_menu"):
                self._fill_view_menu()
        # Reports for the center's desks and the departments' (their own row): docs/reports.md.
        if roles & {*CENTER_ROLES, "department"} and self.reports is None:
            self.reports = ReportsDock(self.bridge, self.rules, self)
            self._add_dock("reports", self.reports, None, self.docks["detail"].dockAreaWidget())
            self.docks["reports"].setWindowTitle(self.tr("Reports"))
            if hasattr(self, "view_menu"):
                self._fill_view_menu()
        elif self.reports is not None:
            self.reports.suit_user()
        # Last: a dock added above comes in as the current tab of its area.
        # A liaison officer's desk starts on the police cases, everyone else's on the units.
        self.docks["liaison" if "police_liaison" in roles else "roster"].setAsCurrentTab()
        # A duty leader's desk starts on the emergency board, everyone else's on the incident.
        self.docks["emergency_board" if "duty_leader" in roles else "detail"].setAsCurrentTab()

    def _worker_day_on_map(self, unit: str, points: list[Any], checkpoints: list[Any]) -> None:
        self.docks["map"].toggleView(True)
        self.docks["map"].setAsCurrentTab()
        self.map.show_worker_day(unit, points, checkpoints)

    def _connect_dock_signals(self, queue: IncidentQueue) -> None:
        queue.open_incident.connect(self.open_incident)
        queue.current_incident.connect(self.detail.show_incident)
        queue.current_incident.connect(self.map.show_incident)
        queue.current_incident.connect(self.video.set_incident)
        queue.current_incident.connect(self.board.set_incident)

    def add_queue(self, name: str | None = None) -> IncidentQueue:
        """Another queue dock with its own filter (floating until placed)."""
        name = name or f"queue_{len(self.queues) + 1}"
        queue = IncidentQueue(self.bridge, self.rules, self)
        queue.follow_alerts(self.shift)
        self.queues.append(queue)
        self._connect_dock_signals(queue)
        self._add_dock(name, queue, QtAds.DockWidgetArea.CenterDockWidgetArea,
                       self.docks["queue"].dockAreaWidget())
        self.docks[name].setWindowTitle(self.tr("Queue {n}").format(n=len(self.queues)))
        self._fill_view_menu()
        return queue

    def extra_queue_names(self) -> list[str]:
        return [name for name in self.docks if name.startswith("queue_")]

    # -- incidents -------------------------------------------------------------------------------

    def open_and_select(self, incident_id: str) -> None:
        """Select the incident in the queue (when it shows there) and open it."""
        self.queue.select_incident(incident_id)
        self.open_incident(incident_id)

    def incident_in_hand(self) -> str | None:
        """The incident selected in the queue, else the one in the detail."""
        current = self.queue.table.currentIndex()
        incident = current.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        return incident.id if incident is not None else self.detail.incident_id

    def open_incident(self, incident_id: str) -> None:
        """Show the incident in the detail dock and bring the dock forward."""
        self.detail.show_incident(incident_id)
        dock = self.docks["detail"]
        dock.toggleView(True)
        dock.raise_()
        for queue in self.queues:
            queue.select_incident(incident_id)

    def pop_out_current(self) -> IncidentWindow | None:
        incident_id = self.detail.incident_id
        if not incident_id:
            messages().warning(self.tr("Open an incident first."))
            return None
        window = IncidentWindow(self.bridge, self.rules, incident_id)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._popouts.append(window)
        window.detail.cameras_requested.connect(self.cameras_near)
        window.destroyed.connect(lambda *_: self._popouts.remove(window)
                                 if window in self._popouts else None)
        window.show()
        return window

    def show_unit(self, unit_id: str) -> None:
        """Select the unit in the roster and bring the roster forward (a click on the map)."""
        dock = self.docks["roster"]
        dock.toggleView(True)
        dock.raise_()
        self.roster.select_unit(unit_id)

    def new_incident_at(self, lat: float, lon: float) -> None:
        """"New incident here" on the map: the intake, its place filled in, the phone next."""
        self.intake.prefill_location(lat, lon)
        self.focus_intake()

    def act_on(self, incident_id: str, command: str) -> None:
        """Do ``command`` on an incident from another dock: through the incident dock, whose
        buttons know what the domain allows and whose dialogs ask for a reason."""
        self.open_incident(incident_id)
        self.detail.trigger(command)

    def show_dashboard(self) -> None:
        dock = self.docks["dashboard"]
        dock.toggleView(True)
        dock.setAsCurrentTab()
        dock.raise_()

    def show_emergency_board(self, major_id: str = "") -> None:
        dock = self.docks["emergency_board"]
        dock.toggleView(True)
        dock.setAsCurrentTab()
        dock.raise_()
        if major_id:
            self.board.select_major(major_id)

    def show_liaison(self) -> None:
        dock = self.docks["liaison"]
        dock.toggleView(True)
        dock.setAsCurrentTab()
        dock.raise_()

    def show_video_wall(self) -> None:
        dock = self.docks["video_wall"]
        dock.toggleView(True)
        dock.setAsCurrentTab()
        dock.raise_()

    def cameras_near(self, incident_id: str | None = None) -> None:
        """The video wall, filled with the cameras nearest the incident (default: the detail's)."""
        incident_id = incident_id or self.detail.incident_id
        if not incident_id:
            messages().warning(self.tr("Open an incident first."))
            return
        self.show_video_wall()
        self.video.show_near_incident(incident_id)

    def focus_intake(self) -> None:
        dock = self.docks["intake"]
        dock.toggleView(True)
        dock.raise_()
        self.intake.phone.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_command_line(self, prefix: str = "") -> None:
        dock = self.docks["command_line"]
        dock.toggleView(True)
        dock.raise_()
        edit = self.command_line.edit
        if prefix:
            edit.setText(prefix)
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def follow_incident(self, incident_id: str) -> None:
        """The detail shows the incident a command line just acted on; the keyboard stays on
        the line."""
        with keeping_focus():
            if self.detail.incident_id != incident_id:
                self.open_incident(incident_id)
            else:
                self.docks["detail"].toggleView(True)
                self.docks["detail"].setAsCurrentTab()

    def show_help(self) -> None:
        """The command help beside the incident (H, F1); the keyboard stays where it was."""
        open_panel(self.dock_manager, self.docks["command_help"])

    def toggle_help(self) -> None:
        """F1: open the command help, or close it when it is open."""
        if self.docks["command_help"].isClosed():
            self.show_help()
        else:
            self.docks["command_help"].toggleView(False)

    # -- menus -----------------------------------------------------------------------------------

    def _action(self, menu: QMenu, slot: Callable[[], Any], shortcut: str | None = None,
                name: str = "") -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut
                                      if name == "quit" else Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.a_new_window = self._action(self.file_menu, self.new_window_requested.emit,
                                         "Ctrl+Shift+N", "newWindow")
        self.file_menu.addSeparator()
        self.a_logout = self._action(self.file_menu, self.logout_requested.emit,
                                     "Ctrl+Shift+X", "logout")
        self.a_quit = self._action(self.file_menu, self.quit_requested.emit, "Ctrl+Q", "quit")

        self.incident_menu = bar.addMenu("")
        self.a_new_intake = self._action(self.incident_menu, self.focus_intake, "Ctrl+N",
                                         "newIntake")
        self.a_find = self._action(self.incident_menu, lambda: self.focus_command_line("F "),
                                   "Ctrl+F", "find")
        self.a_command = self._action(self.incident_menu, self.focus_command_line, "Ctrl+L",
                                      "commandLine")
        self.a_pop_out = self._action(self.incident_menu, self.pop_out_current,
                                      "Ctrl+Shift+O", "popOut")
        self.a_cameras_near = self._action(self.incident_menu, self.cameras_near,
                                           "Ctrl+Shift+C", "camerasNear")
        self.incident_menu.addSeparator()
        self.incident_actions_menu = self.incident_menu.addMenu("")
        for action in self.detail.actions():
            self.incident_actions_menu.addAction(action)

        self.view_menu = bar.addMenu("")
        self.layouts_menu = bar.addMenu("")
        self.settings_menu = bar.addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        self.language_actions: dict[str, QAction] = {}
        for code in ("system", "zh_CN", "en"):
            action = QAction(self)
            action.setCheckable(True)
            action.setObjectName(f"language_{code}")
            action.triggered.connect(lambda _c=False, code=code: self.language_chosen.emit(code))
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.time_zone = TimeZoneMenu(self.settings_menu, self.settings, self.rules.calendar.tz)
        self.alert_controls = AlertControls(self.shift, self.status, self.incident_menu,
                                            self.settings_menu, self.open_and_select,
                                            self.incident_in_hand)
        self.help_menu = bar.addMenu("")
        self.a_help = self._action(self.help_menu, self.toggle_help, "F1", "help")
        self._fill_view_menu()
        self.layouts_menu.aboutToShow.connect(self._fill_layouts_menu)

    def share_quit(self, action: QAction) -> None:
        """Put the application's one Quit action in the File menu instead of the window's own:
        one Ctrl+Q however many windows are open (a shortcut per window is ambiguous to Qt,
        which then runs none of them)."""
        self.file_menu.insertAction(self.a_quit, action)
        self.file_menu.removeAction(self.a_quit)
        self.a_quit.setShortcut(QKeySequence())
        self.a_quit = action
        self.retranslate()

    def _fill_view_menu(self) -> None:
        self.view_menu.clear()
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.a_add_queue = self._action(self.view_menu, self.add_queue, "Ctrl+Shift+Q",
                                        "addQueue")
        self.a_add_queue.setText(self.tr("New queue"))
        self.a_video_wall = self._action(self.view_menu, self.show_video_wall, "Ctrl+Shift+V",
                                         "videoWall")
        self.a_video_wall.setText(self.tr("Show the video wall"))
        self.a_liaison = self._action(self.view_menu, self.show_liaison, "Ctrl+Shift+L",
                                      "liaison")
        self.a_liaison.setText(self.tr("Show the police cases"))
        self.a_dashboard = self._action(self.view_menu, self.show_dashboard, "Ctrl+Shift+D",
                                        "dashboard")
        self.a_dashboard.setText(self.tr("Show the dashboard"))
        self.a_board = self._action(self.view_menu, self.show_emergency_board, "Ctrl+Shift+E",
                                    "emergencyBoard")
        self.a_board.setText(self.tr("Show the emergency board"))

    # -- text ------------------------------------------------------------------------------------

    def _message(self, level: str, text: str) -> None:
        self.status.showMessage(text, 8000 if level != "error" else 15000)

    def retitle(self) -> None:
        user = self.bridge.replica.user
        title = self.tr("Linkage Console")
        if user is not None:
            title += f" — {user.display_name} ({roles_text(user)})"
        if self.number > 1:
            title += f" [{self.number}]"
        self.setWindowTitle(title)

    def retranslate(self) -> None:
        self.retitle()
        titles = {"queue": self.tr("Incident queue"), "detail": self.tr("Incident"),
                  "intake": self.tr("Intake 96966"), "roster": self.tr("Units"),
                  "map": self.tr("Map"), "video_wall": self.tr("Video wall"),
                  "liaison": self.tr("Police liaison"), "dashboard": self.tr("Dashboard"),
                  "emergency_board": self.tr("Emergency board"),
                  "command_line": self.tr("Command line"), "audit": self.tr("Audit"),
                  "records": self.tr("Records"),
                  "workers": self.tr("Grid workers"),
                  "reports": self.tr("Reports"),
                  "command_help": self.tr("Command help")}
        for name, dock in self.docks.items():
            dock.setWindowTitle(titles.get(name, dock.windowTitle()))
        self.file_menu.setTitle(self.tr("&File"))
        self.a_new_window.setText(self.tr("New window"))
        self.a_logout.setText(self.tr("Log out"))
        self.a_quit.setText(self.tr("Quit"))
        self.incident_menu.setTitle(self.tr("&Incident"))
        self.a_new_intake.setText(self.tr("New intake"))
        self.a_find.setText(self.tr("Find incident…"))
        self.a_command.setText(self.tr("Command line"))
        self.a_pop_out.setText(self.tr("Pop out into a window"))
        self.a_cameras_near.setText(self.tr("Cameras near this incident"))
        self.incident_actions_menu.setTitle(self.tr("Actions"))
        self.view_menu.setTitle(self.tr("&View"))
        self.a_add_queue.setText(self.tr("New queue"))
        self.a_video_wall.setText(self.tr("Show the video wall"))
        self.a_liaison.setText(self.tr("Show the police cases"))
        self.a_dashboard.setText(self.tr("Show the dashboard"))
        self.a_board.setText(self.tr("Show the emergency board"))
        self.layouts_menu.setTitle(self.tr("&Layouts"))
        self.settings_menu.setTitle(self.tr("&Settings"))
        self.language_menu.setTitle(self.tr("Language"))
        labels = {"system": self.tr("Follow the system"), "zh_CN": "简体中文",
                  "en": "English"}
        for code, action in self.language_actions.items():
            action.setText(labels[code])
            action.setChecked(code == language_setting(self.settings))
        self.help_menu.setTitle(self.tr("&Help"))
        self.a_help.setText(self.tr("Command line help"))
        self.alert_controls.retranslate()
        self.time_zone.retranslate()
        retranslate_docks(self.dock_manager)
        # The docks retranslate themselves on the LanguageChange Qt sends every widget.

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and not self._closed:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            return
        self._closed = True
        for window in list(self._popouts):
            window.close()
        self.save_layout(Layouts.LAST)
        self.video.shutdown()
        self.dock_manager.deleteLater()
        self.closed.emit(self)
        super().closeEvent(event)
