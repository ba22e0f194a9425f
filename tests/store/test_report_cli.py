"""`main.py admin report` in a subprocess, as an administrator's cron runs it, on SQLite and
PostgreSQL: the workbook read back with openpyxl, the PDF opened with Qt's PDF reader and its
text read; the Chinese title through a translator built from the new strings."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from console.domain.resources import RESOURCES
from console.store.store import Store
from tests.store.conftest import Clock
from tests.store.reports_seed import seed_november
from tests.store.test_cli import run

ROOT = Path(__file__).resolve().parents[2]
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")


def test_the_departments_workbook_reads_back(store: Store, clock: Clock, db_url: str,
                                             tmp_path: Path) -> None:
    seed_november(store, clock)
    out = tmp_path / "departments.xlsx"
    done = run("admin", "report", "departments", *NOVEMBER, "--db", db_url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert sheet.title == "departments"
    assert rows[0][:10] == ["department", "received", "signed_on_time", "returned", "resolved",
                            "resolved_on_time", "visited", "satisfied", "dissatisfied", "score"]
    assert [r[:10] for r in rows[1:]] == [
        ["environment", 5, 2, 1, 4, 3, 3, 2, 0, 73.25],
        ["urban_mgmt", 1, 1, 0, 2, 2, 1, 0, 1, 65]]
    assert [list(r) for r in book["period"].iter_rows(values_only=True)] == [
        ["report", "departments"], ["from", "2026-11-01T00:00:00+08:00"],
        ["to", "2026-12-01T00:00:00+08:00"]]
    [entry] = store.audit.rows(action="export.report")
    assert entry.entry.detail["kind"] == "departments"


def test_a_pdf_in_chinese_from_the_command_line(store: Store, clock: Clock, db_url: str,
                                                tmp_path: Path, qapp: object) -> None:
    seed_november(store, clock)
    out = tmp_path / "departments.pdf"
    done = run("admin", "report", "departments", *NOVEMBER, "--db", db_url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdf_text(out)
    assert "区生态环境局" in text and "区城市管理局" in text  # department names in Chinese
    assert "73.25" in text


def test_bad_arguments_change_nothing(store: Store, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    done = run("admin", "report", "statistics", *NOVEMBER, "--db", db_url, "--out", str(out))
    assert done.returncode == 2 and ".xlsx or .pdf" in done.stderr
    done = run("admin", "report", "statistics", "--from", "2026-11-30", "--to", "2026-11-01",
               "--db", db_url, "--out", str(tmp_path / "x.xlsx"))
    assert done.returncode == 2 and "--to must come after --from" in done.stderr
    assert not out.exists() and not (tmp_path / "x.xlsx").exists()
    assert store.audit.rows(action="export.report") == []


@pytest.mark.parametrize("kind", ["handover", "statistics"])
def test_the_other_reports_write_both_kinds_of_file(store: Store, clock: Clock, db_url: str,
                                                    tmp_path: Path, kind: str,
                                                    qapp: object) -> None:
    seed_november(store, clock)
    for suffix in ("xlsx", "pdf"):
        out = tmp_path / f"{kind}.{suffix}"
        done = run("admin", "report", kind, "--from", "2026-11-13T08:00+08:00", "--to",
                   "2026-11-13T20:00+08:00", "--db", db_url, "--out", str(out),
                   "--language", "en")
        assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(tmp_path / f"{kind}.xlsx", read_only=True)
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["received"] == 1  # E5, created in the shift
    text = pdf_text(tmp_path / f"{kind}.pdf")
    assert ("Shift handover" if kind == "handover" else "Period statistics") in text


def test_the_title_in_chinese(qapp: object, tmp_path: Path) -> None:
    """The PDF's title as the console writes it in Chinese."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    from console.ui.names import DisplayNames
    from console.ui.report_export import write_pdf
    from tests.store.reports_seed import NOVEMBER as MONTH

    translator = QTranslator()
    assert translator.load(str(RESOURCES / "i18n" / "linkage_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        out = tmp_path / "zh.pdf"
        row = {"code": "environment", "received": 5, "signed_on_time": 2, "returned": 1,
               "resolved": 4, "resolved_on_time": 3, "visited": 3, "satisfied": 2,
               "basically_satisfied": 1, "dissatisfied": 0, "extensions": 1, "supervised": 1,
               "reopened": 1, "sign_rate": 0.4, "resolve_rate": 0.75, "return_rate": 0.2,
               "satisfaction_rate": 1.0, "score": 73.25, "rank": 1}
        write_pdf(out, "departments", {"departments": [row], "streets": []}, *MONTH,
                  DisplayNames("zh", None))
        text = pdf_text(out)
        title = pdf_title(out)
    finally:
        QCoreApplication.removeTranslator(translator)
    assert title == "部门考核（2026-10-31 16:00 至 2026-11-30 16:00）"
    # The page's text as drawn: the font maps 门 back to the radical ⻔, which NFKC keeps, and
    # NFKC makes （ a plain (.
    assert "考核(2026-10-31 16:00" in text
    assert "签收及时率" in text


def pdf_title(path: Path) -> str:
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    try:
        return str(document.metaData(QPdfDocument.MetaDataField.Title))
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    """Every page's text, as Qt's PDF reader finds it. NFKC: the CJK font maps some glyphs
    back to Kangxi radicals (⽣ for 生), which NFKC folds to the ideographs."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    try:
        return unicodedata.normalize("NFKC", "\n".join(
            document.getAllText(page).text() for page in range(document.pageCount())))
    finally:
        document.close()
