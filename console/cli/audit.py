"""``main.py admin audit``: the audit trail read from the command line, and its chain verified;
and :func:`record`, which puts the admin commands' own actions on it (docs/security.md "The
audit trail").

    main.py admin audit --db URL [--since 2h|ISO] [--until …] [--user NAME] [--action PREFIX]
                        [--limit N] [--json]
    main.py admin audit --db URL --verify

Reading the trail here is not itself recorded: whoever runs this holds the database's keys, and
``--verify`` must not change the chain it checks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from console.cli.admin_sessions import CLIENT
from console.cli.common import instant

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_RELATIVE = re.compile(r"(\d{1,6})([smhdw])")


def add_parser(admin_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = admin_commands.add_parser(
        "audit", help="read the audit trail (one line per row), or --verify its hash chain")
    audit.add_argument("--db", required=True, help="database URL or SQLite file path")
    audit.add_argument("--since", type=moment, metavar="WHEN",
                       help="from this time on: ISO 8601 with its UTC offset, or an age such as "
                       "90m, 1h, 2d, 1w")
    audit.add_argument("--until", type=moment, metavar="WHEN", help="before this time (as --since)")
    audit.add_argument("--user", help="only what this user did (or what was tried in its name)")
    audit.add_argument("--action", metavar="PREFIX",
                       help="only actions starting so: login. or login.failed or admin.")
    audit.add_argument("--limit", type=int, metavar="N", help="at most the newest N rows")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")
    audit.add_argument("--verify", action="store_true",
                       help="walk the whole chain: the rows checked and the head hash, or the "
                       "first row that does not fit (exit status 1)")


def moment(text: str, now: datetime | None = None) -> datetime:
    """``--since``/``--until``: an ISO 8601 time with its offset, or an age back from now."""
    found = _RELATIVE.fullmatch(text.strip())
    if found:
        age = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
        return (now or datetime.now(UTC)) - age
    try:
        return instant(text)  # type: ignore[no-any-return]
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(
            f"{error}; or give an age such as 90m, 1h, 2d or 1w") from None


def run(args: argparse.Namespace, db: Any) -> int:
    from console.store.audit import AuditTrail

    trail = AuditTrail(db)
    if args.verify:
        if any(v is not None for v in (args.since, args.until, args.user, args.action,
                                       args.limit)):
            print("audit: --verify walks the whole chain; it takes no filters", file=sys.stderr)
            return 2
        found = trail.verify()
        if found.ok:
            print(f"the audit chain is sound: {found.rows} rows checked; head {found.head}")
            return 0
        sound = found.rows - 1
        print(f"audit chain broken at row {found.broken_at}: {found.why} (sound before it: "
              f"{sound} rows, head {found.head})", file=sys.stderr)
        return 1
    if args.limit is not None and args.limit < 1:
        print("audit: --limit must be 1 or more", file=sys.stderr)
        return 2
    rows = trail.rows(since=args.since, until=args.until, actor=args.user, action=args.action,
                      limit=args.limit, newest_first=args.limit is not None)
    if args.limit is not None:
        rows.reverse()  # the newest N, shown oldest first like the rest
    if args.json:
        for row in rows:
            print(json.dumps(as_json(row), ensure_ascii=False))
    else:
        print_table([as_line(row) for row in rows])
    return 0


def as_json(row: Any) -> dict[str, Any]:
    entry = row.entry
    return {"seq": row.seq, "at": row.at.astimezone(UTC).isoformat(), "actor": entry.actor,
            "action": entry.action, "subject": entry.subject, "address": entry.address,
            "client": entry.client, "detail": dict(entry.detail), "hash": row.hash}


HEADINGS = ("SEQ", "TIME (UTC)", "USER", "ACTION", "SUBJECT", "ADDRESS", "CLIENT", "DETAIL")


def as_line(row: Any) -> tuple[str, ...]:
    entry = row.entry
    detail = json.dumps(dict(entry.detail), ensure_ascii=False, separators=(",", ":")) \
        if entry.detail else ""
    fields = (str(row.seq), row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), entry.actor,
              entry.action, entry.subject, entry.address, entry.client)
    return (*(_one_line(v or "-") for v in fields), _one_line(detail))


def print_table(lines: list[tuple[str, ...]]) -> None:
    if not lines:
        print("no audit rows match")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(HEADINGS)]
    for line in [HEADINGS, *lines]:
        print("  ".join(v.ljust(w) for v, w in zip(line[:-1], widths, strict=False))
              + "  " + line[-1])


def _one_line(text: str) -> str:
    """Control and format characters escaped: a name typed at a login cannot forge a line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def record(db: Any, action: str, subject: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Put an admin command's action on the audit trail, committed before the command reports
    it done."""
    from console.cli.admin_sessions import os_user
    from console.store.audit import AuditEntry, AuditTrail

    AuditTrail(db).append(AuditEntry(action, actor=os_user(), subject=subject,
                                     detail=detail or {}, client=CLIENT), at=datetime.now(UTC))
