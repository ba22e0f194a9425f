"""``main.py admin import-roster | roster | import-checkpoints``: grid workers' duty rosters and
the patrol checkpoints as data an admin imports and edits (console/domain/roster.py).

    main.py admin import-roster FILE.csv --db URL      # unit,date,start,end,kind[,note][,id]
    main.py admin roster UNIT --date 2026-12-07 --db URL   # list a unit's shifts
    main.py admin roster UNIT --date 2026-12-07 --clear --db URL   # remove that day's
    main.py admin import-checkpoints FILE.json --db URL  # as resources/geography/checkpoints.json

An import replaces, for each unit and local day the file names, what that unit had that day:
to edit a roster, export it, change it and import it again. A file with any bad line is refused
whole, each bad line named. Every import and removal goes on the audit trail.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ACTIONS = ("import-roster", "roster", "import-checkpoints")


def add_parsers(admin_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db_help = "database URL or SQLite file path"
    roster = admin_commands.add_parser(
        "import-roster", help="import duty rosters (CSV: unit,date,start,end,kind[,note][,id]; "
        "kind shift, flex or appointment); replaces each named unit's shifts of each named day")
    roster.add_argument("file", metavar="FILE.csv")
    roster.add_argument("--db", required=True, help=db_help)
    listing = admin_commands.add_parser("roster", help="list (or --clear) a unit's shifts of a day")
    listing.add_argument("unit")
    listing.add_argument("--date", required=True, type=date.fromisoformat,
                         help="the local day, YYYY-MM-DD")
    listing.add_argument("--clear", action="store_true", help="remove the day's shifts")
    listing.add_argument("--db", required=True, help=db_help)
    checkpoints = admin_commands.add_parser(
        "import-checkpoints", help="add or replace patrol checkpoints (a JSON list of "
        "{id, zh, en, lat, lon, grid, community})")
    checkpoints.add_argument("file", metavar="FILE.json")
    checkpoints.add_argument("--db", required=True, help=db_help)


def run(args: argparse.Namespace, db: Any) -> int:
    from console.cli import audit
    from console.cli.common import load_rules
    from console.domain.roster import RosterError, parse_roster_csv
    from console.store import rosters
    from console.store import schema as s

    rules = load_rules()
    tz = rules.calendar.tz
    if args.admin_command == "import-checkpoints":
        try:
            rows = json.loads(Path(args.file).read_text(encoding="utf-8"))
            if not isinstance(rows, list):
                raise ValueError("the file must hold a JSON list")
            count = rosters.put_checkpoints(db, rows)
        except (OSError, ValueError) as error:
            print(f"nothing imported: {error}", file=sys.stderr)
            return 2
        audit.record(db, "admin.import-checkpoints", None, {"file": args.file, "count": count})
        print(f"{count} checkpoints imported")
        return 0
    if args.admin_command == "import-roster":
        from sqlalchemy import select

        with db.reader.connect() as conn:
            units = set(conn.execute(select(s.units.c.id)).scalars())
        try:
            text = Path(args.file).read_text(encoding="utf-8")
            shifts = parse_roster_csv(text, tz, units)
        except (OSError, UnicodeDecodeError, RosterError) as error:
            print(f"nothing imported: {error}", file=sys.stderr)
            return 2
        removed, added = rosters.import_shifts(db, shifts, tz, _now())
        audit.record(db, "admin.import-roster", None,
                     {"file": args.file, "added": added, "replaced": removed})
        print(f"{added} shifts imported ({removed} replaced)")
        return 0
    start = datetime.combine(args.date, datetime.min.time(), tz)
    if args.clear:
        removed = rosters.remove_shifts(db, args.unit, start, start + timedelta(days=1))
        audit.record(db, "admin.roster-clear", args.unit,
                     {"date": args.date.isoformat(), "removed": removed})
        print(f"{removed} shifts removed")
        return 0
    with db.reader.connect() as conn:
        found = rosters.shifts(conn, (args.unit,), start, start + timedelta(days=1))
    for shift in found:
        print(f"{shift.id}\t{shift.kind}\t{shift.starts_at.astimezone(tz):%Y-%m-%d %H:%M}\t"
              f"{shift.ends_at.astimezone(tz):%Y-%m-%d %H:%M}\t{shift.note}")
    if not found:
        print(f"no shifts of {args.unit} on {args.date.isoformat()}")
    return 0


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
