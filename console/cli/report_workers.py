"""``main.py admin report-workers``: the grid workers' assessment (console/domain/assessment.py)
for the pay office, or one day's ranking.

    main.py admin report-workers --month 2026-11 --db URL [--street S | --community C]
                                 [--out FILE.xlsx] [--lang zh|en]
    main.py admin report-workers --day 2026-11-25 --db URL [--street S | --community C]

``--month`` writes the pay office's sheet (one row per worker, the month's days up to today
summed and their mean score; console/domain/pay_sheet.py) to ``--out`` (default
``workers-YYYY-MM.xlsx``); ``--day`` prints the day's figures, best score first, one worker a
line (tab-separated). Reading workers' figures is on the audit trail.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ACTION = "report-workers"


def add_parser(admin_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = admin_commands.add_parser(
        ACTION, help="grid workers' assessment: a month's pay-office sheet (.xlsx) or a day's "
        "ranking")
    when = report.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=_month, help="YYYY-MM: the month's sheet")
    when.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD: the day's ranking")
    area = report.add_mutually_exclusive_group()
    area.add_argument("--street", help="only the workers of this street (its code)")
    area.add_argument("--community", help="only the workers of this community (its code)")
    report.add_argument("--out", metavar="FILE.xlsx", help="where the month's sheet goes")
    report.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="the sheet's headings (default zh)")
    report.add_argument("--db", required=True, help="database URL or SQLite file path")


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)") from None


def run(args: argparse.Namespace, db: Any) -> int:
    from sqlalchemy import select

    from console.cli import audit
    from console.cli.common import load_rules
    from console.domain import pay_sheet
    from console.domain.assessment import ranking
    from console.store import schema as s
    from console.store.assessment import assess_day
    from console.store.store import Store

    rules = load_rules()
    store = Store(args.db, rules, create=False)
    try:
        units = None
        if args.street or args.community:
            u = s.units.c
            column = u.street if args.street else u.community
            with store.db.reader.connect() as conn:
                units = set(conn.execute(select(u.id).where(
                    column == (args.street or args.community))).scalars())
        area = {"street": args.street, "community": args.community}
        if args.day is not None:
            days = ranking(assess_day(store, args.day, units=units))
            audit.record(db, "admin.report-workers", None,
                         {"day": args.day.isoformat(), **area, "workers": len(days)})
            print("unit\tname\tcommunity\trostered_h\ton_duty_h\tlate\tabsent\tdistance_km\t"
                  "inside_share\tcheckpoints\tplanned\treports\tcases\ttasks\ton_time\t"
                  "verifications\tscore")
            for d in days:
                print("\t".join(str(v) for v in (
                    d.unit, d.name, d.community, d.rostered_h, d.on_duty_h, d.late, d.absent,
                    d.distance_km, d.inside_share, d.checkpoints, d.planned, d.reports, d.cases,
                    d.tasks, d.on_time, d.verifications, d.score)))
            return 0
        first = args.month
        following = (first + timedelta(days=32)).replace(day=1)
        # Days not worked yet would count as absences: the month up to today.
        today = datetime.now(rules.calendar.tz).date()
        every = [first + timedelta(days=n)
                 for n in range((min(following, today + timedelta(days=1)) - first).days)]
        rows = pay_sheet.month_rows(d for day in every for d in assess_day(store, day,
                                                                         units=units))
        geography = rules.geography

        def name(level: str, code: str) -> str:
            try:
                if geography is None:
                    return code
                return str({"street": geography.street_name,
                            "community": geography.community_name,
                            "grid": geography.grid_name}[level](code, args.lang))
            except (KeyError, ValueError):
                return code

        title = (f"网格员考核 {first:%Y-%m}" if args.lang == "zh"
                 else f"Grid workers' assessment {first:%Y-%m}")
        out = Path(args.out or f"workers-{first:%Y-%m}.xlsx")
        out.write_bytes(pay_sheet.workbook(rows, title=title, lang=args.lang, area_name=name))
        audit.record(db, "admin.report-workers", None,
                     {"month": f"{first:%Y-%m}", **area, "workers": len(rows),
                      "file": str(out)})
        print(f"{len(rows)} workers written to {out}")
        return 0
    except OSError as error:
        print(f"not written: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
