"""The basemap settings dialog: no tiles, an XYZ tile server, or an offline MBTiles file.

Checked before it closes: an XYZ template must be an http(s) address with ``{z}``, ``{x}`` and
``{y}``; an MBTiles file must open and hold raster tiles. Opened with ``open()``, so the console
keeps running; :attr:`BasemapDialog.chosen` holds the new settings after ``accept()``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.map.settings import Basemap, MapSettings, check_xyz_url
from console.map.tiles import MBTiles

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for


class BasemapDialog(QDialog):
    def __init__(self, settings: MapSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("basemapDialog")
        self.setWindowTitle(self.tr("Basemap"))
        self.settings = settings
        self.chosen: MapSettings | None = None
        self.none = QRadioButton(self.tr("No tiles: the district's boundaries only"), self)
        self.xyz = QRadioButton(self.tr("Tile server (XYZ address)"), self)
        self.mbtiles = QRadioButton(self.tr("Offline tiles (MBTiles file)"), self)
        self.group = QButtonGroup(self)
        for kind, button in ((Basemap.NONE, self.none), (Basemap.XYZ, self.xyz),
                             (Basemap.MBTILES, self.mbtiles)):
            self.group.addButton(button)
            button.setProperty("basemap", kind.value)
        self.url = QLineEdit(settings.xyz_url, self)
        self.url.setPlaceholderText("http://tiles.example.gov.cn/{z}/{x}/{y}.png")
        self.max_zoom = QSpinBox(self)
        self.max_zoom.setRange(1, 22)
        self.max_zoom.setValue(settings.xyz_max_zoom)
        self.path = QLineEdit(settings.mbtiles_path, self)
        self.browse = QPushButton(self.tr("Browse…"), self)
        self.gcj02 = QCheckBox(self.tr("The tiles are in GCJ-02 (shift positions to match)"),
                               self)
        self.gcj02.setChecked(settings.gcj02)
        self.error = QLabel(self)
        self.error.setObjectName("basemapError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)

        form = QFormLayout()
        form.addRow(self.tr("Tile address:"), self.url)
        form.addRow(self.tr("Deepest zoom of the server:"), self.max_zoom)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        form.addRow(self.tr("MBTiles file:"), file_row)
        layout = QVBoxLayout(self)
        for button in (self.none, self.xyz, self.mbtiles):
            layout.addWidget(button)
        layout.addLayout(form)
        layout.addWidget(self.gcj02)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        {Basemap.NONE: self.none, Basemap.XYZ: self.xyz,
         Basemap.MBTILES: self.mbtiles}[settings.basemap].setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self._enable())
        self.browse.clicked.connect(self._browse)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._enable()

    def kind(self) -> Basemap:
        checked = self.group.checkedButton()
        return Basemap(checked.property("basemap")) if checked else Basemap.NONE

    def _enable(self) -> None:
        kind = self.kind()
        self.url.setEnabled(kind is Basemap.XYZ)
        self.max_zoom.setEnabled(kind is Basemap.XYZ)
        self.path.setEnabled(kind is Basemap.MBTILES)
        self.browse.setEnabled(kind is Basemap.MBTILES)
        self.gcj02.setEnabled(kind is not Basemap.NONE)

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("MBTiles file"), self.path.text(),
                             self.tr("MBTiles (*.mbtiles);;All files (*)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.path.setText)
        dialog.open()

    def accept(self) -> None:
        kind = self.kind()
        url = self.url.text().strip()
        path = self.path.text().strip()
        problem = None
        if kind is Basemap.XYZ:
            why = check_xyz_url(url)
            problem = translate("BasemapDialog", why) if why else None
        elif kind is Basemap.MBTILES:
            try:
                MBTiles(path).close()
            except ValueError as error:
                problem = self.tr("This file cannot be used: {error}").format(error=error)
        if problem:
            self.error.setText(problem)
            return
        self.chosen = replace(self.settings, basemap=kind, xyz_url=url,
                              xyz_max_zoom=self.max_zoom.value(), mbtiles_path=path,
                              gcj02=self.gcj02.isChecked() and kind is not Basemap.NONE)
        super().accept()
