"""Reports as files and as tables: an ``.xlsx`` workbook (xlsxwriter) for further work, a PDF
(Qt's PDF writer, Chinese rendered with the system's CJK font) to print and file, and the
tables both the PDF and the Reports dock show (docs/reports.md "Exports").

A report is the wire shape of console/comms/report_wire.py, whether the hub sent it or the
command line computed it. The workbook speaks codes (``environment``, ``env.noise_construction``)
and plain numbers, so that a spreadsheet or a script can read it; its departments sheet starts
with the columns ``department, received, signed_on_time, returned, resolved, resolved_on_time,
visited, satisfied, dissatisfied, score``. The PDF and the dock speak the user's language.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import QFont, QFontDatabase, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from console.domain.model import IncidentState, Source
from console.domain.sla import Stage
from console.ui.names import DisplayNames, source_name, stage_name, state_name

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for
CONTEXT = "Reports"

TITLES = {
    "handover": QT_TRANSLATE_NOOP("Reports", "Shift handover"),
    "statistics": QT_TRANSLATE_NOOP("Reports", "Period statistics"),
    "departments": QT_TRANSLATE_NOOP("Reports", "Department assessment"),
}
#: The departments sheet's columns, in order (the first ten are the workbook's contract).
DEPARTMENT_COLUMNS = ("department", "received", "signed_on_time", "returned", "resolved",
                      "resolved_on_time", "visited", "satisfied", "dissatisfied", "score",
                      "basically_satisfied", "extensions", "supervised", "reopened",
                      "sign_rate", "resolve_rate", "return_rate", "satisfaction_rate", "rank")
FIGURE_LABELS = {
    "department": QT_TRANSLATE_NOOP("Reports", "Department"),
    "street": QT_TRANSLATE_NOOP("Reports", "Street"),
    "received": QT_TRANSLATE_NOOP("Reports", "Received"),
    "signed_on_time": QT_TRANSLATE_NOOP("Reports", "Signed in time"),
    "returned": QT_TRANSLATE_NOOP("Reports", "Returned"),
    "resolved": QT_TRANSLATE_NOOP("Reports", "Resolved"),
    "resolved_on_time": QT_TRANSLATE_NOOP("Reports", "Resolved in time"),
    "visited": QT_TRANSLATE_NOOP("Reports", "Visited"),
    "satisfied": QT_TRANSLATE_NOOP("Reports", "Satisfied"),
    "basically_satisfied": QT_TRANSLATE_NOOP("Reports", "Basically satisfied"),
    "dissatisfied": QT_TRANSLATE_NOOP("Reports", "Dissatisfied"),
    "extensions": QT_TRANSLATE_NOOP("Reports", "Extensions"),
    "supervised": QT_TRANSLATE_NOOP("Reports", "Supervised"),
    "reopened": QT_TRANSLATE_NOOP("Reports", "Reopened"),
    "sign_rate": QT_TRANSLATE_NOOP("Reports", "Sign rate"),
    "resolve_rate": QT_TRANSLATE_NOOP("Reports", "On-time rate"),
    "return_rate": QT_TRANSLATE_NOOP("Reports", "Return rate"),
    "satisfaction_rate": QT_TRANSLATE_NOOP("Reports", "Satisfaction rate"),
    "score": QT_TRANSLATE_NOOP("Reports", "Score"),
    "rank": QT_TRANSLATE_NOOP("Reports", "Rank"),
    "closed": QT_TRANSLATE_NOOP("Reports", "Closed"),
    "overdue": QT_TRANSLATE_NOOP("Reports", "Overdue"),
    "open": QT_TRANSLATE_NOOP("Reports", "Open"),
    "on_time": QT_TRANSLATE_NOOP("Reports", "In time"),
    "late": QT_TRANSLATE_NOOP("Reports", "Late"),
}
#: What the PDF and the dock show of a department's row.
SHOWN_COLUMNS = ("received", "signed_on_time", "sign_rate", "returned", "resolved",
                 "resolved_on_time", "resolve_rate", "extensions", "supervised", "reopened",
                 "visited", "satisfaction_rate", "score", "rank")
_RATES = ("sign_rate", "resolve_rate", "return_rate", "satisfaction_rate")
_CASE_COLUMNS = ("id", "state", "category", "priority", "street", "lead_department",
                 "overdue", "next_due_at")
_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                 "Microsoft YaHei", "PingFang SC")


def label(key: str) -> str:
    return translate("Reports", str(FIGURE_LABELS[key]))


def title(kind: str, start: datetime, end: datetime) -> str:
    """The report's title with its period, in the user's language."""
    return translate("Reports", "{report}, {start} to {end}").format(
        report=translate("Reports", str(TITLES[kind])), start=start.strftime("%Y-%m-%d %H:%M"),
        end=end.strftime("%Y-%m-%d %H:%M"))


@dataclass(frozen=True)
class Table:
    """A table to show: its caption, column headers and rows of text."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def tables(kind: str, report: Mapping[str, Any], names: DisplayNames) -> list[Table]:
    """The report as tables in the user's language."""
    if kind == "departments":
        return [_ranked(translate("Reports", "Lead departments"), label("department"),
                        report["departments"], names.department),
                _ranked(translate("Reports", "Streets"), label("street"), report["streets"],
                        names.street)]
    if kind == "statistics":
        return _statistics(report, names)
    return _handover(report, names)


def _ranked(caption: str, who: str, rows: Sequence[Mapping[str, Any]],
            name: Callable[[str], str]) -> Table:
    return Table(caption, (who, *(label(c) for c in SHOWN_COLUMNS)),
                 tuple((name(r["code"]), *(_cell(c, r[c]) for c in SHOWN_COLUMNS))
                       for r in rows))


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "—"
    if column in _RATES:
        return f"{100 * value:.1f} %"
    if column == "score":
        return f"{value:.2f}"
    return str(value)


def _statistics(r: Mapping[str, Any], names: DisplayNames) -> list[Table]:
    summary = Table(translate("Reports", "Summary"), (translate("Reports", "Figure"),
                                                       translate("Reports", "Cases")),
                    tuple((label(k), str(r[k])) for k in
                          ("received", "resolved", "closed", "overdue", "returned",
                           "reopened")))
    stages = Table(translate("Reports", "Deadlines by stage"),
                   (translate("Reports", "Stage"), label("on_time"), label("late")),
                   tuple((stage_name(Stage(s)), str(v["on_time"]), str(v["late"]))
                         for s, v in r["stages"].items()))

    def counts(caption: str, counted: Mapping[str, int], name: Callable[[str], str]) -> Table:
        ordered = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
        return Table(caption, (caption, label("received")),
                     tuple((name(k), str(v)) for k, v in ordered))

    return [summary, stages,
            counts(translate("Reports", "Source"), r["by_source"], _source),
            counts(translate("Reports", "Request type"), r["by_request_type"], str),
            counts(translate("Reports", "Category"), r["by_category"], names.category),
            counts(label("street"), r["by_street"], names.street)]


def _source(code: str) -> str:
    return source_name(Source(code)) if code in Source._value2member_map_ else code


def state_label(code: str) -> str:
    return state_name(IncidentState(code)) if code in IncidentState._value2member_map_ else code


def _handover(r: Mapping[str, Any], names: DisplayNames) -> list[Table]:
    summary = Table(translate("Reports", "Summary"), (translate("Reports", "Figure"),
                                                       translate("Reports", "Cases")),
                    ((label("open"), str(r["open"])),
                     (translate("Reports", "Received in the shift"), str(r["received"])),
                     (translate("Reports", "Resolved in the shift"), str(r["resolved"])),
                     (translate("Reports", "Closed in the shift"), str(r["closed"])),
                     *((state_label(k), str(v)) for k, v in sorted(r["open_by_state"].items()))))
    headers = (translate("Reports", "Case"), translate("Reports", "State"),
               translate("Reports", "Category"), translate("Reports", "Priority"),
               label("street"), label("department"), label("overdue"),
               translate("Reports", "Next deadline"))

    def cases(caption: str, rows: Sequence[Mapping[str, Any]]) -> Table:
        return Table(caption, headers, tuple(
            (c["id"], state_label(c["state"]), names.category(c["category"]), c["priority"],
             names.street(c["street"] or ""), names.department(c["lead_department"] or ""),
             ", ".join(stage_name(Stage(s)) for s in c["overdue"]),
             (c["next_due_at"] or "")[:16].replace("T", " ")) for c in rows))

    notes = Table(translate("Reports", "Notes"),
                  (translate("Reports", "Time"), translate("Reports", "Case"),
                   translate("Reports", "By"), translate("Reports", "Note")),
                  tuple((n["at"][:16].replace("T", " "), n["incident"], n["author"], n["text"])
                        for n in r["notes"]))
    majors = Table(translate("Reports", "Major incidents"),
                   (translate("Reports", "Major incident"), translate("Reports", "Level"),
                    translate("Reports", "Title"), translate("Reports", "Declared")),
                   tuple((m["id"], m["level"], m["title"], m["declared_at"][:16].replace("T", " "))
                         for m in r["majors"]))
    return [summary, cases(label("overdue"), r["overdue"]),
            cases(label("supervised"), r["supervised"]),
            cases(translate("Reports", "With the police"), r["with_police"]), majors, notes]


# -- files -------------------------------------------------------------------------------------

def write_xlsx(path: Path, kind: str, report: Mapping[str, Any], start: datetime,
               end: datetime) -> None:
    """The report as a workbook of codes and numbers (module docstring)."""
    book = xlsxwriter.Workbook(str(path))
    try:
        if kind == "departments":
            _sheet(book, "departments", DEPARTMENT_COLUMNS,
                   [{**r, "department": r["code"]} for r in report["departments"]])
            _sheet(book, "streets", ("street", *DEPARTMENT_COLUMNS[1:]),
                   [{**r, "street": r["code"]} for r in report["streets"]])
        elif kind == "statistics":
            _sheet(book, "summary", ("figure", "value"), [
                {"figure": k, "value": report[k]} for k in
                ("received", "resolved", "closed", "overdue", "returned", "reopened")])
            _sheet(book, "stages", ("stage", "on_time", "late"),
                   [{"stage": s, **v} for s, v in report["stages"].items()])
            for key, column in (("by_source", "source"), ("by_request_type", "request_type"),
                                ("by_category", "category"), ("by_street", "street")):
                _sheet(book, key, (column, "received"), [
                    {column: k, "received": v} for k, v in sorted(report[key].items())])
        else:
            _sheet(book, "summary", ("figure", "value"), [
                {"figure": k, "value": report[k]} for k in ("open", "received", "resolved",
                                                            "closed")])
            for key in ("overdue", "supervised", "with_police"):
                _sheet(book, key, _CASE_COLUMNS,
                       [{**c, "overdue": ",".join(c["overdue"])} for c in report[key]])
            _sheet(book, "majors", ("id", "level", "title", "declared_at"), report["majors"])
            _sheet(book, "notes", ("at", "incident", "author", "text"), report["notes"])
        period = book.add_worksheet("period")
        for row, (key, value) in enumerate((("report", kind), ("from", start.isoformat()),
                                            ("to", end.isoformat()))):
            period.write_row(row, 0, (key, value))
    finally:
        book.close()


def _sheet(book: Any, name: str, columns: Sequence[str],
           rows: Sequence[Mapping[str, Any]]) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, columns)
    for n, row in enumerate(rows, start=1):
        sheet.write_row(n, 0, [row.get(c) for c in columns])


def write_pdf(path: Path, kind: str, report: Mapping[str, Any], start: datetime,
              end: datetime, names: DisplayNames) -> None:
    """The report as a printable A4 PDF in the user's language (a QGuiApplication must run)."""
    document = QTextDocument()
    document.setDefaultFont(_cjk_font())
    document.setHtml(report_html(title(kind, start, end), tables(kind, report, names)))
    writer = QPdfWriter(str(path))
    writer.setTitle(title(kind, start, end))
    writer.setCreator("Linkage Console")
    landscape = QPageLayout.Orientation.Landscape
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)


def report_html(heading: str, shown: Sequence[Table]) -> str:
    """The report as one HTML page (headings and tables)."""
    parts = [f"<h2>{html.escape(heading)}</h2>"]
    for table in shown:
        parts.append(f"<h3>{html.escape(table.caption)}</h3>")
        if not table.rows:
            parts.append(f"<p>{html.escape(translate('Reports', 'None.'))}</p>")
            continue
        head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in table.rows)
        parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%">'
                     f"<tr>{head}</tr>{body}</table>")
    return "".join(parts)


def _cjk_font() -> QFont:
    families = set(QFontDatabase.families())
    font = QFont(next((f for f in _CJK_FAMILIES if f in families), QFont().family()))
    font.setPointSize(9)
    return font
