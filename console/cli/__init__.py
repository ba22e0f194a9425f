"""The subcommands of ``main.py``: parse the arguments, then start one subsystem per step."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console.domain.model import Role

log = logging.getLogger("console")


def default_db_url() -> str:
    """The embedded default's database: a SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("linkage-console", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'linkage.db'}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="Linkage Console")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="the embedded default (what plain main.py runs)")
    demo.add_argument("--db", help="database URL (default: SQLite in the user data directory)")
    demo.add_argument("--no-gui", action="store_true",
                      help="only prepare the store and print a summary")

    console = commands.add_parser("console", help="the desktop console, on a hub")
    console.add_argument("--hub", help="hub address, e.g. ws://10.1.2.3:8765 (asks if absent)")
    console.add_argument("--user", help="user name; with the password on standard input, "
                                        "logs in directly")
    console.add_argument("--language", choices=["system", "zh_CN", "en"],
                         help="interface language (remembered)")
    console.add_argument("--quit-after", type=float, metavar="SECONDS",
                         help="quit after this many seconds (smoke tests)")

    hub = commands.add_parser("hub", help="run a hub: the websocket server over the store")
    hub.add_argument("--db", required=True, help="database URL or SQLite file path")
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    hub.add_argument("--tls-cert", help="certificate (PEM) to serve wss://")
    hub.add_argument("--tls-key", help="private key (PEM) of the certificate")
    hub.add_argument("--name", help="this hub's name in logs and welcome messages")

    admin = commands.add_parser("admin", help="database and account administration")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    init_db = admin_commands.add_parser("init-db", help="create or migrate the schema")
    init_db.add_argument("--db", required=True, help="database URL or SQLite file path")
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
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "admin":
        return _admin(args)
    if args.command == "hub":
        return _hub(args)
    if args.command == "console":
        return _console(args)
    return _demo(args)


def _hub(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from console.domain.rules import Rules
    from console.hub.server import Hub, HubConfig
    from console.store.store import Store

    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    log.info("loading the rules from resources/")
    rules = Rules.load()
    log.info("opening the store")
    store = Store(args.db, rules)
    config = HubConfig(host=args.host, port=args.port, tls_cert=args.tls_cert,
                       tls_key=args.tls_key, **({"name": args.name} if args.name else {}))

    async def serve() -> None:
        hub = Hub(store, rules, config)
        await hub.start()
        scheme = "wss" if args.tls_cert else "ws"
        print(f"hub {config.name} listening on {scheme}://{args.host}:{hub.port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await hub.stop()

    try:
        asyncio.run(serve())
    finally:
        store.close()
    print("hub stopped", flush=True)
    return 0


def _admin(args: argparse.Namespace) -> int:
    from console.store.db import migrate, open_database

    db = open_database(args.db)
    try:
        migrate(db)
        if args.admin_command == "init-db":
            print(f"schema is up to date in {db.url.split('@')[-1]}")
            return 0
        return _create_user(args, db)
    finally:
        db.dispose()


def _create_user(args: argparse.Namespace, db: object) -> int:
    from console.store.accounts import AccountError, Accounts
    from console.store.store import utc_now

    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
        if password != getpass.getpass("again: "):
            print("the two passwords differ; nothing was created", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = Accounts(db).create_user(  # type: ignore[arg-type]
            args.name, password, args.role, now=utc_now(), display_name=args.display_name,
            department=args.department, unit=args.unit)
    except AccountError as error:
        print(f"cannot create user: {error}", file=sys.stderr)
        return 1
    print(f"created user {user.username} with roles {', '.join(sorted(user.roles))}")
    return 0


#: The embedded default's demo accounts until the demo district brings its own.
DEMO_USERS = {
    "demo": (["controller"], "演示调度员"),
    "leader": (["duty_leader"], "值班领导"),
}
DEMO_PASSWORD = "demo"


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from console.domain.rules import Rules
    from console.store.accounts import AccountError
    from console.store.store import Store

    url = args.db or default_db_url()
    log.info("loading the rules from resources/")
    rules = Rules.load()
    log.info("opening the store at %s", url)
    store = Store(url, rules)
    try:
        for name, (roles, display) in DEMO_USERS.items():
            with contextlib.suppress(AccountError):  # made on an earlier run
                store.accounts.create_user(name, DEMO_PASSWORD, roles, now=datetime.now(UTC),
                                           display_name=display)
        print(f"Linkage Console store at {url}: {store.count('incidents')} incidents, "
              f"{store.count('units')} units, last event seq {store.last_seq()}.")
        print("Demo accounts (password \"demo\"): "
              + ", ".join(f"{n} ({', '.join(r)})" for n, (r, _) in DEMO_USERS.items()))
        if args.no_gui:
            return 0
        from console.hub.embedded import EmbeddedHub

        log.info("starting the embedded hub")
        hub = EmbeddedHub(store, rules).start()
        log.info("embedded hub at %s", hub.url)
        try:
            return _run_console(rules, embedded_url=hub.url, user="demo",
                                password=DEMO_PASSWORD)
        finally:
            log.info("stopping the embedded hub")
            hub.stop()
    finally:
        store.close()


def _console(args: argparse.Namespace) -> int:
    from console.domain.rules import Rules

    password = None
    if args.user and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    return _run_console(Rules.load(), hub=args.hub, user=args.user, password=password,
                        language=args.language, quit_after=args.quit_after)


def _run_console(rules: Any, *, hub: str | None = None, user: str | None = None,
                 password: str | None = None, language: str | None = None,
                 embedded_url: str | None = None, quit_after: float | None = None) -> int:
    """Start Qt, then the login (or log in directly)."""
    from console.views.runtime import run_console

    return run_console(rules, hub=hub, user=user, password=password, language=language,
                       embedded_url=embedded_url, quit_after=quit_after)
