"""The incident detail's gallery of attachments: thumbnails, and the file opened on a click.

The gallery lists the attachments its detail's timeline holds (``incident.attachment_added``
events, from the hub's timeline and from live change sets alike). Each image's thumbnail is
fetched from the hub once (``bridge.request_attachment``, answered in the GUI thread, so the
fetch never blocks it); audio, video and PDF files show an icon of their kind. Activating an
item (double-click, Enter) fetches the whole file: a picture opens in a viewer window of the
console; audio, video and PDF files are written to a temporary file and opened with the
desktop's own player or reader (docs/console.md "Attachments").
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.domain.attachments import TYPES
from console.ui.message import messages
from console.ui.text import result_text

translate = QCoreApplication.translate
ID_ROLE = Qt.ItemDataRole.UserRole
_temp: list[Path] = []


def _folder() -> Path:
    """Where opened files are written for the desktop's player; removed when the console
    exits (made on first use: most sessions open none)."""
    if not _temp:
        _temp.append(Path(tempfile.mkdtemp(prefix="linkage-attachments-")))
        atexit.register(shutil.rmtree, _temp[0], ignore_errors=True)
    return _temp[0]


class AttachmentGallery(QListWidget):
    """Thumbnails of one incident's attachments.

    Attributes (for tests): ``thumbnails`` (attachment id → the pixmap shown, once fetched),
    ``viewer`` (the picture window last opened), ``opened`` (the path last handed to the
    desktop).
    """

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentGallery")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(96, 96))
        self.setGridSize(QSize(128, 130))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(True)
        self.setFixedHeight(150)
        self._bridge = bridge
        self._shown: dict[str, dict[str, Any]] = {}
        self.thumbnails: dict[str, QPixmap] = {}
        self.viewer: QDialog | None = None
        self.opened: Path | None = None
        self.itemActivated.connect(self._open)

    def show_attachments(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Show the attachments of these ``incident.attachment_added`` events (wire form), in
        their order; new ones fetch their thumbnails."""
        wanted = [dict(e["data"]["attachment"]) for e in events
                  if e.get("name") == "incident.attachment_added"]
        if [a["id"] for a in wanted] == list(self._shown):
            return
        self.clear()
        self._shown = {a["id"]: a for a in wanted}
        for attachment in wanted:
            item = QListWidgetItem(self._icon(attachment), attachment.get("filename") or "",
                                   self)
            item.setData(ID_ROLE, attachment["id"])
            item.setToolTip(f"{attachment.get('filename', '')} · {attachment['content_type']}"
                            f" · {attachment['size'] // 1024} KB")
            if attachment["id"] in self.thumbnails:
                item.setIcon(QIcon(self.thumbnails[attachment["id"]]))
            elif attachment.get("thumbnail"):
                self._bridge.request_attachment(
                    attachment["id"], True,
                    lambda answer, aid=attachment["id"]: self._thumbnail_came(aid, answer))
        self.setVisible(bool(wanted))

    def _icon(self, attachment: Mapping[str, Any]) -> QIcon:
        family = TYPES.get(str(attachment.get("content_type")), "document")
        pixmap = {"image": QStyle.StandardPixmap.SP_FileIcon,
                  "audio": QStyle.StandardPixmap.SP_MediaVolume,
                  "video": QStyle.StandardPixmap.SP_MediaPlay}.get(
            family, QStyle.StandardPixmap.SP_FileDialogDetailedView)
        return self.style().standardIcon(pixmap)

    def _thumbnail_came(self, attachment_id: str, answer: Mapping[str, Any] | None) -> None:
        if not shiboken6.isValid(self) or answer is None or not answer.get("ok"):
            return
        pixmap = QPixmap()
        if not answer.get("data") or not pixmap.loadFromData(answer["data"]):
            return
        self.thumbnails[attachment_id] = pixmap
        for row in range(self.count()):
            item = self.item(row)
            if item.data(ID_ROLE) == attachment_id:
                item.setIcon(QIcon(pixmap))

    def _open(self, item: QListWidgetItem) -> None:
        attachment_id = str(item.data(ID_ROLE))
        messages().info(translate("AttachmentGallery", "Fetching {name} from the hub…").format(
            name=item.text()))
        self._bridge.request_attachment(attachment_id, False,
                                        lambda answer: self._file_came(answer))

    def _file_came(self, answer: Mapping[str, Any] | None) -> None:
        if not shiboken6.isValid(self):
            return
        if answer is None:
            messages().error(translate("AttachmentGallery",
                                       "The hub did not send the file; try again."))
            return
        if not answer.get("ok"):
            messages().error(result_text(CommandResult.from_wire(answer)))
            return
        data: bytes = answer.get("data") or b""
        name = str(answer.get("filename") or answer["attachment"])
        if TYPES.get(str(answer.get("content_type"))) == "image":
            self._view(name, data)
            return
        folder = _folder() / str(answer["attachment"])
        folder.mkdir(exist_ok=True)
        path = folder / Path(name).name
        path.write_bytes(data)
        self.opened = path
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            messages().warning(translate(
                "AttachmentGallery", "No program on this computer opens {name}; it is saved "
                "as {path}.").format(name=name, path=str(path)))

    def _view(self, name: str, data: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        viewer = QDialog(self.window())
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.setObjectName("attachmentViewer")
        viewer.setWindowTitle(name)
        picture = QLabel(viewer)
        picture.setObjectName("picture")
        picture.setPixmap(pixmap)
        scroll = QScrollArea(viewer)
        scroll.setWidget(picture)
        scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(viewer).addWidget(scroll)
        viewer.resize(min(pixmap.width() + 40, 1200), min(pixmap.height() + 40, 900))
        self.viewer = viewer
        viewer.show()
