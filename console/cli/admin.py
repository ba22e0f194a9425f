"""``main.py admin``: the schema, the demo district's accounts and units, user accounts (created,
given a new password, unlocked, disabled), their sessions (listed, ended), an incident exported
as a NENA EIDO document, reports written as workbooks or PDFs (console/cli/admin_report.py),
and the audit trail read and verified (console/cli/audit.py). Account
and session changes, exports and the other admin actions go on the audit trail with the
operating-system user who made them (docs/security.md "Sessions", "The audit trail").

Passwords set here must meet the password policy (console/store/passwords.py); the demo's
seeded accounts are the documented exception (docs/security.md "Logins")."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from console.cli import admin_report, audit, report_workers, roster_cmd
from console.cli.common import CAMERA_PORT, default_db_url, load_rules
from console.domain.model import Role


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = commands.add_parser("admin", help="database and account administration")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    init_db = admin_commands.add_parser("init-db", help="create or migrate the schema")
    init_db.add_argument("--db", required=True, help="database URL or SQLite file path")
    migrate = admin_commands.add_parser(
        "migrate", help="bring the schema up to this version's, under a database lock (several "
        "at once take turns); the password from LINKAGE_DATABASE_PASSWORD or "
        "LINKAGE_DATABASE_PASSWORD_FILE")
    migrate.add_argument("--db", required=True, help="database URL or SQLite file path")
    seed_demo = admin_commands.add_parser(
        "seed-demo", help="add the demo district's accounts, units and cameras")
    seed_demo.add_argument("--db", required=True, help="database URL or SQLite file path")
    seed_demo.add_argument("--camera-base", default=f"http://127.0.0.1:{CAMERA_PORT}",
                           help="where the simulator serves the cameras")
    user = admin_commands.add_parser(
        "create-user", help="create a user; the password is read from a prompt, or from "
        "standard input when it is not a terminal")
    user.add_argument("name")
    user.add_argument("--role", action="append", required=True,
                      choices=[r.value for r in Role], help="repeat for several roles")
    user.add_argument("--db", required=True, help="database URL or SQLite file path")
    user.add_argument("--display-name")
    user.add_argument("--department", help="the department a department desk speaks for")
    user.add_argument("--unit", help="the unit a field account speaks for")
    password = admin_commands.add_parser(
        "set-password", help="give a user a new password (read like create-user's), unlock "
        "the account and end its sessions")
    password.add_argument("name")
    password.add_argument("--db", required=True, help="database URL or SQLite file path")
    unlock = admin_commands.add_parser(
        "unlock", help="lift a lockout after too many wrong passwords, at once")
    unlock.add_argument("name")
    unlock.add_argument("--db", required=True, help="database URL or SQLite file path")
    _add_session_parsers(admin_commands)
    export = admin_commands.add_parser(
        "export-eido", help="write an incident as a NENA EIDO JSON document (docs/eido.md)")
    export.add_argument("incident", metavar="INCIDENT_ID")
    export.add_argument("--db", help="database URL (default: SQLite in the user data directory)")
    export.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    export.add_argument("--personal", action="store_true",
                        help="the reporter's name and phone unmasked")
    export.add_argument("--agency", help="the center's NENA agency id, a domain name")
    audit.add_parser(admin_commands)
    roster_cmd.add_parsers(admin_commands)
    report_workers.add_parser(admin_commands)
    admin_report.add_parser(admin_commands)


SESSION_ACTIONS = ("disable-user", "enable-user", "reset-password", "sessions", "revoke")


def _add_session_parsers(
        admin_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db_help = "database URL or SQLite file path"
    disable = admin_commands.add_parser(
        "disable-user", help="stop an account logging in and end its sessions; its open "
        "connections on every hub close within a second")
    enable = admin_commands.add_parser("enable-user", help="let a disabled account log in again")
    reset = admin_commands.add_parser(
        "reset-password", help="give an account a random password, printed once; unlock it "
        "and end its sessions")
    for parser in (disable, enable, reset):
        parser.add_argument("name")
        parser.add_argument("--db", required=True, help=db_help)
    listing = admin_commands.add_parser(
        "sessions", help="list the live sessions: user, started, last used, address, client, id")
    listing.add_argument("--user", help="only this user's")
    listing.add_argument("--db", required=True, help=db_help)
    revoke = admin_commands.add_parser(
        "revoke", help="end a session (by the id 'sessions' shows) or all of a user's; their "
        "connections on every hub close within a second")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("session", nargs="?", metavar="SESSION_ID",
                       help="the session's id, or its first 6 or more characters")
    which.add_argument("--user", help="end every session of this user")
    revoke.add_argument("--db", required=True, help=db_help)


def run(args: argparse.Namespace) -> int:
    from console.store.db import migrate, open_database

    if args.admin_command == "export-eido":
        return _export_eido(args)
    if args.admin_command == "migrate":
        return _migrate(args)
    if args.admin_command == "report":
        return admin_report.run(args)
    db = open_database(args.db)
    try:
        migrate(db)
        if args.admin_command == "audit":
            return audit.run(args, db)
        if args.admin_command in roster_cmd.ACTIONS:
            return roster_cmd.run(args, db)
        if args.admin_command == report_workers.ACTION:
            return report_workers.run(args, db)
        if args.admin_command == "init-db":
            audit.record(db, "admin.init-db")
            print(f"schema is up to date in {db.url.split('@')[-1]}")
            return 0
        if args.admin_command == "seed-demo":
            return _seed_demo(args, db)
        if args.admin_command == "unlock":
            return _unlock(args, db)
        if args.admin_command == "set-password":
            return _set_password(args, db)
        if args.admin_command in SESSION_ACTIONS:
            from console.cli.admin_sessions import run_session_action

            return run_session_action(args, db)
        return _create_user(args, db)
    finally:
        db.dispose()


def _migrate(args: argparse.Namespace) -> int:
    import os

    from console.hub.settings import ConfigError, load
    from console.store.db import migrate, open_database, schema_revision

    try:
        url = load(None, os.environ, {"database.url": args.db}).database_url
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    db = open_database(url)
    try:
        before = schema_revision(db)
        applied = migrate(db)
        where = db.url.split("@")[-1]
        if applied:
            audit.record(db, "admin.migrate")
            print(f"migrated {where} from {before or 'an empty database'} to {applied[-1]} "
                  f"({', '.join(applied)})")
        else:
            print(f"schema is up to date in {where} ({before})")
        return 0
    finally:
        db.dispose()


def _export_eido(args: argparse.Namespace) -> int:
    import json

    from console.domain import eido
    from console.store.store import Store

    rules = load_rules()
    store = Store(args.db or default_db_url(), rules)
    try:
        incident = store.incident(args.incident)
        if incident is None:
            print(f"export-eido: there is no incident {args.incident}", file=sys.stderr)
            return 1
        timeline = [logged.event for logged in store.timeline(incident.id)]
        units = {a.unit: unit for a in incident.assignments if (unit := store.unit(a.unit))}
        document = eido.export(incident, timeline, units=units, taxonomy=rules.taxonomy,
                               geography=rules.geography, personal=args.personal,
                               agency=args.agency or eido.DEFAULT_AGENCY)
        # On record before a byte of it leaves.
        audit.record(store.db, "export.eido", incident.id, {
            "personal": args.personal,
            "to": str(Path(args.out).resolve()) if args.out else "standard output"})
    finally:
        store.close()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


def _read_password(name: str) -> str | None:
    """From a prompt (twice; None when they differ), or a line of standard input."""
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {name}: ")
        if password != getpass.getpass("again: "):
            return None
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _create_user(args: argparse.Namespace, db: object) -> int:
    from console.store.accounts import Accounts
    from console.store.passwords import PasswordPolicy
    from console.store.store import utc_now

    password = _read_password(args.name)
    if password is None:
        print("the two passwords differ; nothing was created", file=sys.stderr)
        return 1
    try:
        user = Accounts(db).create_user(  # type: ignore[arg-type]
            args.name, password, args.role, now=utc_now(), display_name=args.display_name,
            department=args.department, unit=args.unit, policy=PasswordPolicy())
    except ValueError as error:  # AccountError, WeakPassword
        print(f"cannot create user: {error}", file=sys.stderr)
        return 1
    audit.record(db, "admin.create-user", user.username, {
        "roles": sorted(r.value for r in user.roles), "display_name": user.display_name,
        "department": user.department, "unit": user.unit})
    print(f"created user {user.username} with roles {', '.join(sorted(user.roles))}")
    return 0


def _set_password(args: argparse.Namespace, db: object) -> int:
    from console.cli.admin_sessions import CLIENT, os_user
    from console.store.accounts import Accounts
    from console.store.passwords import PasswordPolicy
    from console.store.sessions import By

    password = _read_password(args.name)
    if password is None:
        print("the two passwords differ; nothing was changed", file=sys.stderr)
        return 1
    try:
        found = Accounts(db).set_password(  # type: ignore[arg-type]
            args.name, password, policy=PasswordPolicy(), by=By(os_user(), CLIENT))
    except ValueError as error:  # AccountError, WeakPassword
        print(f"cannot set the password: {error}", file=sys.stderr)
        return 1
    if not found:
        print(f"set-password: there is no user {args.name}", file=sys.stderr)
        return 1
    print(f"new password for {args.name}; the account is unlocked and its sessions ended")
    return 0


def _unlock(args: argparse.Namespace, db: object) -> int:
    from console.store.accounts import Accounts

    if not Accounts(db).unlock(args.name):  # type: ignore[arg-type]
        print(f"unlock: there is no user {args.name}", file=sys.stderr)
        return 1
    audit.record(db, "admin.unlock", args.name)
    print(f"unlocked {args.name}; its wrong passwords are forgotten")
    return 0


def _seed_demo(args: argparse.Namespace, db: object) -> int:
    from console.cli.ledger import StoreLedger
    from console.sim.demo import District, seed_store
    from console.store.store import Store, utc_now

    store = Store(args.db, load_rules())
    try:
        added = seed_store(StoreLedger(store), District.load(), now=utc_now(),
                           camera_base=args.camera_base, progress=print)
    finally:
        store.close()
    audit.record(db, "admin.seed-demo", None, dict(added))
    print(f"added {added['accounts']} accounts, {added['units']} units, "
          f"{added['cameras']} cameras")
    return 0
