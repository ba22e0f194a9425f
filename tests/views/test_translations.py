"""The Simplified Chinese translation: complete for the code as it is, compiled, and loaded.

``console/resources/i18n/linkage_zh_CN.ts`` is the translation source and ``linkage_zh_CN.qm`` what
the console loads (:mod:`console.views.i18n`). These tests fail when a user-facing string of
``console/views``, ``console/map`` or ``console/ui`` has no Chinese yet, when the ``.qm`` is
older than the ``.ts``, or when a translation drops a placeholder or an accelerator. To fix
them: run ``make translations``, translate what is marked ``type="unfinished"`` in the ``.ts``
(Qt Linguist, or by hand), and compile again.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from console.views.i18n import Translations

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "console" / "resources" / "i18n" / "linkage_zh_CN.ts"
QM = ROOT / "console" / "resources" / "i18n" / "linkage_zh_CN.qm"
#: What ``make translations`` scans (directories, relative to the repository).
SOURCES = ("console/views", "console/map", "console/ui")
#: lupdate scans only C++/QML/JS extensions in a directory unless told to read Python too.
LUPDATE_OPTIONS = ("-silent", "-extensions", "py", "-no-obsolete", "-locations", "none")

#: ``{name}``, ``{hours:02d}``, ``%n``, ``%1``: what a translation must carry over unchanged.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%L?\d")
#: A menu accelerator: ``&F`` (``&&`` is a literal ampersand).
ACCELERATOR = re.compile(r"(?<!&)&([^&\s])")
#: An English word in a source text once its placeholders are gone: its translation needs Chinese.
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str | None  # the disambiguation lupdate took from the code
    numerus: bool
    translations: tuple[str, ...]  # one form, or the numerus forms
    unfinished: bool

    @property
    def key(self) -> str:
        return f"{self.context}: {self.source!r}" + (f" ({self.comment})" if self.comment else "")

    @property
    def untranslated(self) -> bool:
        return self.unfinished or not self.translations or not all(self.translations)


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{name}: {message.findtext('source')!r}"
            numerus = message.get("numerus") == "yes"
            forms = (tuple(f.text or "" for f in translation.iter("numerusform")) if numerus
                     else (translation.text or "",))
            messages.append(Message(
                context=name, source=message.findtext("source") or "",
                comment=message.findtext("comment"), numerus=numerus, translations=forms,
                unfinished=translation.get("type") in ("unfinished", "vanished", "obsolete")))
    return messages


def tool(name: str) -> str:
    """A Qt tool of the PySide6 this test runs with (the venv's ``bin``), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing; it comes with PySide6 (pip install -e '.[dev]')"
    return found


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def lupdate_into_copy(tmp_path: Path) -> list[Message]:
    """The committed ``.ts`` refreshed from the current sources, in a temporary copy."""
    copy = tmp_path / TS.name
    shutil.copyfile(TS, copy)
    run(tool("pyside6-lupdate"), *LUPDATE_OPTIONS, *SOURCES, "-ts", str(copy))
    return read_ts(copy)


@pytest.fixture(scope="module")
def committed() -> list[Message]:
    assert TS.exists(), f"{TS} is missing: run make translations"
    return read_ts(TS)


def test_every_string_of_the_code_has_a_chinese_translation(tmp_path: Path) -> None:
    refreshed = lupdate_into_copy(tmp_path)
    # lupdate finding nothing (say, Python files not scanned) would leave nothing to check
    assert len(refreshed) > 100, f"lupdate found only {len(refreshed)} strings in {SOURCES}"
    untranslated = [m.key for m in refreshed if m.untranslated]
    assert not untranslated, (
        f"{len(untranslated)} string(s) of the code have no Chinese translation in "
        f"{TS.relative_to(ROOT)} (run make translations, then translate them):\n  "
        + "\n  ".join(untranslated))


def test_the_make_recipe_keeps_the_translations(tmp_path: Path, committed: list[Message]
                                                ) -> None:
    """``make translations`` as written must find the strings: with ``-no-obsolete`` an
    lupdate that scans no Python file deletes every translation from the ``.ts``."""
    recipe = next((line.strip() for line in (ROOT / "Makefile").read_text().splitlines()
                   if "pyside6-lupdate" in line and not line.lstrip().startswith("#")), None)
    assert recipe is not None, "the Makefile has no pyside6-lupdate recipe"
    copy = tmp_path / TS.name
    shutil.copyfile(TS, copy)
    words = [tool("pyside6-lupdate") if word.endswith("/pyside6-lupdate") else
             str(copy) if word.endswith(TS.name) else word for word in shlex.split(recipe)]
    run(*words)
    kept = {m.key for m in read_ts(copy) if not m.untranslated}
    lost = sorted({m.key for m in committed} - kept)
    assert not lost, (
        f"the Makefile's lupdate command ({recipe}) drops {len(lost)} of {len(committed)} "
        "translations (a directory is scanned for Python files only with -extensions py), "
        "e.g.:\n  " + "\n  ".join(lost[:10]))


def test_the_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    assert QM.exists(), f"{QM} is missing: run make translations"
    fresh = tmp_path / QM.name
    run(tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(fresh))
    assert fresh.read_bytes() == QM.read_bytes(), (
        f"{QM.relative_to(ROOT)} is not what pyside6-lrelease compiles from "
        f"{TS.relative_to(ROOT)}: run make translations")


def test_the_ts_has_no_unfinished_message(committed: list[Message]) -> None:
    untranslated = [m.key for m in committed if m.untranslated]
    assert not untranslated, "untranslated in the .ts:\n  " + "\n  ".join(untranslated)


def test_translations_keep_placeholders_and_accelerators(committed: list[Message]) -> None:
    wrong = []
    for m in committed:
        for text in m.translations:
            if sorted(PLACEHOLDER.findall(m.source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{m.key} → {text!r}: placeholders differ")
            if ({a.casefold() for a in ACCELERATOR.findall(m.source)}
                    != {a.casefold() for a in ACCELERATOR.findall(text)}):
                wrong.append(f"{m.key} → {text!r}: accelerator differs")
            if m.numerus and "%n" not in text:
                wrong.append(f"{m.key} → {text!r}: the count %n is missing")
    assert not wrong, "\n".join(wrong)


def test_translations_are_chinese(committed: list[Message]) -> None:
    """A source with English words (``P1``, ``{name} ({count})`` have none) reads in Chinese."""
    english = [f"{m.key} → {text!r}" for m in committed for text in m.translations
               if ENGLISH_WORD.search(PLACEHOLDER.sub("", m.source)) and not CJK.search(text)]
    assert not english, "translations without Chinese:\n  " + "\n  ".join(english)


def test_the_console_translator_gives_the_chinese(qapp: Any, committed: list[Message]
                                                 ) -> None:
    locale = QLocale()
    translations = Translations()
    assert translations.apply("zh_CN") == "zh_CN"
    try:
        wrong = []
        for m in committed:
            if m.numerus:
                got = QCoreApplication.translate(m.context, m.source, m.comment, 3)
                expected = m.translations[0].replace("%n", "3")
            else:
                got = QCoreApplication.translate(m.context, m.source, m.comment)
                expected = m.translations[0]
            if got != expected:
                wrong.append(f"{m.key}: {got!r}, expected {expected!r}")
        assert not wrong, (f"{len(wrong)} of {len(committed)} strings are not translated by the "
                           "installed translator:\n  " + "\n  ".join(wrong))
    finally:
        translations.apply("en")
        QLocale.setDefault(locale)
