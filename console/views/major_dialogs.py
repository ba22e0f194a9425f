"""The small forms the emergency board opens: declare a major incident, link an incident,
commit a unit, and one text (a timeline note, a broadcast, the stand-down summary).

Like ``incident_actions``: opened with ``open()``, never ``exec()``; the widgets are public so a
test fills them and calls ``accept()``; ``accept()`` stays open and says why while a field is
wrong; afterwards :attr:`MajorDialog.values` holds the command's arguments (without ``id``).
Whether the command is allowed is the hub's (and the domain's) to say, not the form's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLineEdit,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from console.comms.replica import Replica
from console.domain.distance import distance_m
from console.domain.major import MAX_RADIUS_M, Level, MajorIncident
from console.ui.names import DisplayNames, unit_status_name
from console.ui.text import distance_text
from console.views.alerts import level_text
from console.views.forms import FormDialog, required_text, text_edit
from console.views.incident_actions import units_by_distance

CONTEXT = "MajorDialogs"
translate = QCoreApplication.translate


def area_centre(area: Mapping[str, Any]) -> tuple[float, float]:
    """(lat, lon) of an area's centre: the circle's, or the mean of the polygon's outer ring."""
    if "center" in area:
        return float(area["center"]["lat"]), float(area["center"]["lon"])
    ring = area["coordinates"][0][:-1] or area["coordinates"][0]
    return (sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring))


def area_text(area: Mapping[str, Any]) -> str:
    """An area in words: ``800 m around 30.66750, 104.10750`` or a polygon's size."""
    if "center" in area:
        lat, lon = area_centre(area)
        return translate("MajorDialogs", "{radius} around {lat:.5f}, {lon:.5f}").format(
            radius=distance_text(float(area["radius_m"])), lat=lat, lon=lon)
    return translate("MajorDialogs", "a polygon of {n} points").format(
        n=len(area["coordinates"][0]) - 1)


#: The emergency board's forms are the incident dock's (``open()``, errors beside the fields).
MajorDialog = FormDialog


class DeclareDialog(MajorDialog):
    """Declare a major incident: level, title, commander, the area as a centre and a radius
    (the centre defaults to the incident in hand), and the first message to every console."""

    def __init__(self, centre: tuple[float, float], commander: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(translate("MajorDialogs", "Declare a major incident"), parent)
        self.level = QComboBox(self)
        for level in Level:
            self.level.addItem(level_text(level), level.value)
        self.level.setCurrentIndex(1)
        self.level_error = self.add_row(translate("MajorDialogs", "Level"), self.level)
        self.title = QLineEdit(self)
        self.title_error = self.add_row(translate("MajorDialogs", "Title"), self.title)
        self.commander = QLineEdit(commander, self)
        self.commander_error = self.add_row(translate("MajorDialogs", "Commander"), self.commander)
        self.centre = QLineEdit(f"{centre[0]:.5f}, {centre[1]:.5f}", self)
        self.centre_error = self.add_row(translate("MajorDialogs", "Centre (lat, lon)"),
                                         self.centre)
        self.radius = QSpinBox(self)
        self.radius.setRange(50, int(MAX_RADIUS_M))
        self.radius.setSingleStep(100)
        self.radius.setValue(1000)
        self.radius.setSuffix(" m")
        self.add_row(translate("MajorDialogs", "Radius"), self.radius)
        self.message = text_edit(self)
        self.add_row(translate("MajorDialogs", "Message to every console"), self.message)
        self.title.setFocus()

    def arguments(self) -> dict[str, Any] | None:
        title = required_text(self.title, self.title_error)
        commander = required_text(self.commander, self.commander_error)
        found = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*",
                             self.centre.text())
        centre = (float(found.group(1)), float(found.group(2))) if found else None
        if centre is None or not (-90 <= centre[0] <= 90 and -180 <= centre[1] <= 180):
            self.centre_error.show_error(translate("MajorDialogs", "Give the centre as lat, lon."))
            return None
        self.centre_error.show_error("")
        if title is None or commander is None:
            return None
        return {"level": self.level.currentData(), "title": title, "commander": commander,
                "area": {"center": {"lat": centre[0], "lon": centre[1]},
                         "radius_m": self.radius.value()},
                "message": self.message.toPlainText().strip()}


class LinkDialog(MajorDialog):
    """Link an incident: its id, completed from the open incidents not linked yet, nearest the
    area's centre first. An id the replica does not hold is sent as typed: the hub decides."""

    def __init__(self, major: MajorIncident, replica: Replica, names: DisplayNames,
                 parent: QWidget | None = None) -> None:
        super().__init__(translate("MajorDialogs", "Link an incident to {id}").format(id=major.id),
                         parent)
        lat, lon = area_centre(major.area)
        candidates = [i for i in replica.incidents.values()
                      if not i.finished and i.id not in major.incidents]
        candidates.sort(key=lambda i: (distance_m(lat, lon, i.location.lat, i.location.lon),
                                       i.id))
        model = QStandardItemModel(self)
        for inc in candidates:
            item = QStandardItem(f"{inc.id}  {names.category(inc.category)}  "
                                 f"{inc.location.address}")
            item.setData(inc.id, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        self.candidates = [i.id for i in candidates]
        self.incident = QLineEdit(self)
        self.incident.setPlaceholderText("CH-…")
        completer = QCompleter(model, self)
        completer.setCompletionRole(Qt.ItemDataRole.UserRole)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.incident.setCompleter(completer)
        self.error = self.add_row(translate("MajorDialogs", "Incident"), self.incident)

    def arguments(self) -> dict[str, Any] | None:
        incident = required_text(self.incident, self.error)
        return None if incident is None else {"incident": incident}


class CommitDialog(MajorDialog):
    """Commit a unit: every unit not committed yet, available ones first, nearest the area's
    centre first, with its status and distance."""

    def __init__(self, major: MajorIncident, replica: Replica,
                 parent: QWidget | None = None) -> None:
        super().__init__(translate("MajorDialogs", "Commit a unit to {id}").format(id=major.id),
                         parent)
        lat, lon = area_centre(major.area)
        self.units = QTreeWidget(self)
        self.units.setRootIsDecorated(False)
        self.units.setMinimumWidth(420)
        self.units.setHeaderLabels([translate("MajorDialogs", "Unit"),
                                    translate("MajorDialogs", "Status"),
                                    translate("MajorDialogs", "Distance")])
        for unit, metres in units_by_distance(replica, lat, lon):
            if unit.id in major.units:
                continue
            item = QTreeWidgetItem(self.units, [
                f"{unit.id}  {unit.name}", unit_status_name(unit.status), distance_text(metres)])
            item.setData(0, Qt.ItemDataRole.UserRole, unit.id)
        if self.units.topLevelItemCount():
            self.units.setCurrentItem(self.units.topLevelItem(0))
        self.error = self.add_row(translate("MajorDialogs", "Unit"), self.units)

    def choose(self, unit_id: str) -> None:
        for row in range(self.units.topLevelItemCount()):
            item = self.units.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == unit_id:
                self.units.setCurrentItem(item)

    def arguments(self) -> dict[str, Any] | None:
        item = self.units.currentItem()
        if item is None:
            self.error.show_error(translate("MajorDialogs", "Choose a unit."))
            return None
        return {"unit": item.data(0, Qt.ItemDataRole.UserRole)}


class MajorTextDialog(MajorDialog):
    """One required text: a timeline note, a broadcast, the stand-down summary."""

    def __init__(self, title: str, prompt: str, key: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.key = key
        self.text = text_edit(self)
        self.error = self.add_row(prompt, self.text)

    def arguments(self) -> dict[str, Any] | None:
        text = required_text(self.text, self.error)
        return None if text is None else {self.key: text}
