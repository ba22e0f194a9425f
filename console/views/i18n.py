"""The console's languages: Simplified Chinese and English, via Qt Linguist files.

``resources/i18n/linkage_zh_CN.ts`` is the translation source (``make translations`` refreshes
it from the code with ``pyside6-lupdate`` and compiles it with ``pyside6-lrelease``); the
compiled ``.qm`` ships beside it. English is the source language, so it needs no file. The
setting is ``system`` (follow the system locale), ``zh_CN`` or ``en``; switching installs or
removes the translators, and every window retranslates on the ``LanguageChange`` event.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from console.domain.resources import RESOURCES

I18N = RESOURCES / "i18n"
LANGUAGES = ("system", "zh_CN", "en")


def language_setting(settings: QSettings) -> str:
    """The language setting kept in ``settings`` (``system`` when unset or unknown)."""
    value = str(settings.value("language", "system") or "system")
    return value if value in LANGUAGES else "system"


def resolve(setting: str) -> str:
    """The language a setting means now: ``zh_CN`` or ``en``."""
    if setting == "system":
        return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"
    return setting if setting in ("zh_CN", "en") else "en"


class Translations:
    """The translators installed in the application, for one language at a time."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, setting: str) -> str:
        """Install the translators for ``setting``; returns the language now in use."""
        app = QCoreApplication.instance()
        assert app is not None
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed = []
        self.language = resolve(setting)
        if self.language == "zh_CN":
            QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
            for directory, name in ((I18N, "linkage_zh_CN"),
                                    (Path(QLibraryInfo.path(
                                        QLibraryInfo.LibraryPath.TranslationsPath)),
                                     "qtbase_zh_CN")):
                translator = QTranslator(app)
                if translator.load(name, str(directory)):
                    app.installTranslator(translator)
                    self._installed.append(translator)
        else:
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
            # installing nothing still has to tell the windows: removing did, unless none was
            app.installTranslator(empty := QTranslator(app))
            self._installed.append(empty)
        return self.language
