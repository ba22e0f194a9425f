"""Geocoding at intake: type part of an address, pick one of the district's, get its location.

The call taker types what the caller says — ``建设路12``, ``jianshe``, ``jsl``, ``Jianshe Road`` —
and the district's gazetteer (``console/domain/gazetteer.py``) offers the matching addresses
under the address field; Down and Enter (or a click) pick one, which fills the address in Chinese
and the location, so the grid cell, community and street follow. Typing stays free: an address
nobody picks is kept as typed.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from console.domain.gazetteer import DEFAULT_PATH, Address, Gazetteer

log = logging.getLogger(__name__)

#: How many addresses the list offers at most.
SHOWN = 12


@functools.cache
def district_gazetteer() -> Gazetteer | None:
    """The district's gazetteer from resources/, loaded once (None when there is none)."""
    if not DEFAULT_PATH.exists():
        return None
    try:
        return Gazetteer.load(DEFAULT_PATH)
    except (OSError, ValueError):
        log.warning("the gazetteer in %s cannot be read", DEFAULT_PATH, exc_info=True)
        return None


class AddressSearch(QObject):
    """Offers the gazetteer's addresses under ``edit`` as the user types.

    Signals:
        chosen(float, float, str): the latitude, longitude and Chinese address picked.
    """

    chosen = Signal(float, float, str)

    def __init__(self, edit: QLineEdit, gazetteer: Gazetteer | None,
                 language: str = "zh") -> None:
        super().__init__(edit)
        self._edit = edit
        self._gazetteer = gazetteer
        self._language = language
        self._shown: dict[str, Address] = {}
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(SHOWN)
        self.completer.setWidget(edit)
        self.completer.activated.connect(self._picked)
        edit.textEdited.connect(self._search)

    def set_language(self, language: str) -> None:
        self._language = language

    def _search(self, text: str) -> None:
        if self._gazetteer is None or len(text.strip()) < 2:
            self.model.setStringList([])
            self.completer.popup().hide()
            return
        found = self._gazetteer.search(text, SHOWN)
        self._shown = {self._label(a): a for a in found}
        self.model.setStringList(list(self._shown))
        if found:
            self.completer.complete()
        else:
            self.completer.popup().hide()

    def _label(self, address: Address) -> str:
        if self._language.startswith("zh"):
            return address.zh
        return f"{address.en} ({address.zh})"

    def _picked(self, label: str) -> None:
        address = self._shown.get(label)
        if address is None:
            return
        # The completer writes the label into the field after this signal; the address in
        # Chinese (what the record keeps) goes in once it has.
        QTimer.singleShot(0, lambda: self._edit.setText(address.zh))
        self.chosen.emit(address.lat, address.lon, address.zh)
