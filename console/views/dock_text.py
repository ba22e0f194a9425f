"""The docking system's own words in the user's language.

Qt Advanced Docking System names its buttons and menus in English through Qt's translator
(``QObject::tr`` for the title-bar and tab buttons, each class's own ``tr`` for the context
menus), and does not name them again when the language changes. The texts are listed here so
that lupdate puts them into the console's translation (where QtAds finds them when it builds a
dock area), and :func:`retranslate_docks` names the buttons that already exist again after a
live switch.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QWidget

#: The tooltip of each QtAds button, by the button's object name.
BUTTON_TOOLTIPS = {
    "detachGroupButton": QT_TRANSLATE_NOOP("QObject", "Detach Group"),
    "tabsMenuButton": QT_TRANSLATE_NOOP("QObject", "List All Tabs"),
    "dockAreaCloseButton": QT_TRANSLATE_NOOP("QObject", "Close Group"),
    "dockAreaMinimizeButton": QT_TRANSLATE_NOOP("QObject", "Minimize"),
    "dockAreaAutoHideButton": QT_TRANSLATE_NOOP("QObject",
                                                "Pin Active Tab (Press Ctrl to Pin Group)"),
    "tabCloseButton": QT_TRANSLATE_NOOP("QObject", "Close Tab"),
}
#: Some configurations make the area's close button close the active tab only.
_CLOSE_ACTIVE_TAB = QT_TRANSLATE_NOOP("QObject", "Close Active Tab")

#: What QtAds builds when it is shown (context menus of a tab and of a dock area's title bar).
MENU_TEXTS = (
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Detach"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Pin"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Pin To..."),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Close"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Close Others"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Top"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Left"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Right"),
    QT_TRANSLATE_NOOP("ads::CDockWidgetTab", "Bottom"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Detach Group"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Unpin (Dock)"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Pin Group"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Pin Group To..."),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Minimize"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Close Group"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Close Other Groups"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Top"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Left"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Right"),
    QT_TRANSLATE_NOOP("ads::CDockAreaTitleBar", "Bottom"),
)


def retranslate_docks(root: QWidget) -> None:
    """Name every QtAds button under ``root`` again in the language now installed."""
    for name, source in BUTTON_TOOLTIPS.items():
        for button in root.findChildren(QWidget, name):
            if name == "dockAreaCloseButton" and _is_close_active_tab(button):
                source = _CLOSE_ACTIVE_TAB
            button.setToolTip(QCoreApplication.translate("QObject", source))


def _is_close_active_tab(button: QWidget) -> bool:
    # Remembered from the first naming, which QtAds made in the language of the day.
    kept = button.property("linkageCloseActiveTab")
    if kept is None:
        kept = button.toolTip() in (_CLOSE_ACTIVE_TAB,
                                    QCoreApplication.translate("QObject", _CLOSE_ACTIVE_TAB))
        button.setProperty("linkageCloseActiveTab", kept)
    return bool(kept)
