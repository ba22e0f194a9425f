"""``main.py admin report {handover|statistics|departments} --from DATE --to DATE --db URL
--out FILE.xlsx|.pdf``: a report computed from the record, written as a workbook or a PDF, for
an administrator's cron (docs/reports.md).

``--from`` and ``--to`` take a date (the district's day: ``--to 2026-11-30`` runs to the end of
that day) or a time with its UTC offset (``2026-11-13T08:00+08:00``, the instant itself, for a
shift). The PDF is in ``--language`` (Chinese unless told). Every report written goes on the
audit trail (``export.report``) with the operating-system user, before the file is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

KINDS = ("handover", "statistics", "departments")


def add_parser(admin_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = admin_commands.add_parser(
        "report", help="write a shift handover, period statistics or the department "
        "assessment as .xlsx or .pdf")
    report.add_argument("kind", choices=KINDS)
    report.add_argument("--from", dest="start", required=True, metavar="DATE",
                        help="first day (YYYY-MM-DD) or an ISO time with its UTC offset")
    report.add_argument("--to", dest="end", required=True, metavar="DATE",
                        help="last day, included, or an ISO time with its UTC offset, excluded")
    report.add_argument("--db", required=True, help="database URL or SQLite file path")
    report.add_argument("--out", required=True, metavar="FILE", help="FILE.xlsx or FILE.pdf")
    report.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN",
                        help="the PDF's language (default zh_CN)")


def period(start: str, end: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants ``--from`` and ``--to`` mean. Raises ValueError with a plain message."""
    return _instant(start, zone, "--from", end=False), _instant(end, zone, "--to", end=True)


def _instant(text: str, zone: ZoneInfo, option: str, *, end: bool) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1 if end else 0), time(0), tzinfo=zone)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is neither a date (YYYY-MM-DD) nor an ISO time"
                         ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{option} {text!r} needs its UTC offset (e.g. +08:00)")
    return moment


def run(args: argparse.Namespace) -> int:
    from console.cli import audit
    from console.cli.common import load_rules
    from console.comms import report_wire
    from console.store.store import Store

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        print(f"report: --out must end in .xlsx or .pdf, not {out.name!r}", file=sys.stderr)
        return 2
    rules = load_rules()
    try:
        start, end = period(args.start, args.end, rules.calendar.tz)
        request = report_wire.ReportRequest("cli", args.kind, start, end)
        if end <= start:
            raise ValueError("--to must come after --from")
        if end - start > report_wire.LONGEST:
            raise ValueError(f"a report spans at most {report_wire.LONGEST.days} days")
    except ValueError as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    store = Store(args.db, rules)
    try:
        from console.hub.report_requests import compute

        report = compute(store, request)
        audit.record(store.db, "export.report", None, {
            "kind": args.kind, "from": start.isoformat(), "to": end.isoformat(),
            "to_file": str(out.resolve())})
    finally:
        store.close()
    _write(out, args.kind, report, start, end, args.language, rules)
    print(f"wrote the {args.kind} report from {start.isoformat()} to {end.isoformat()} "
          f"to {out}")
    return 0


def _write(out: Path, kind: str, report: dict[str, object], start: datetime, end: datetime,
           language: str, rules: object) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a cron job has no display
    from PySide6.QtGui import QGuiApplication

    from console.ui.names import DisplayNames
    from console.ui.report_export import write_pdf, write_xlsx
    from console.views.i18n import Translations

    if out.suffix.lower() == ".xlsx":
        write_xlsx(out, kind, report, start, end)
        return
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    Translations().apply(language)
    zone = start.tzinfo
    write_pdf(out, kind, report, start.astimezone(zone), end.astimezone(zone),
              DisplayNames("zh" if language == "zh_CN" else "en", rules))  # type: ignore[arg-type]
    del app
