"""The subcommands of ``main.py``: parse the arguments, then start one subsystem per step."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
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


#: Where the simulator serves its cameras by default.
CAMERA_PORT = 8766

#: How much of the district's day the demo writes before it first opens, so its queue has been
#: living for a while (console/sim/history.py).
HISTORY_HOURS = 1.5

#: The demo's police center journal, next to the database (``simulate-police --journal``).
POLICE_JOURNAL = "police-journal.sqlite"


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError("the speed must be above 0 and at most 1000")
    return value


def _instant(text: str) -> Any:
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time with its UTC offset, e.g. +08:00")
    return moment


def load_rules() -> Any:
    """The rules from resources/, with the district's geography when it is there."""
    from console.domain.geography import DEFAULT_DIRECTORY, Geography
    from console.domain.rules import Rules

    geography = None
    if (DEFAULT_DIRECTORY / "streets.geojson").exists():
        geography = Geography.from_files(DEFAULT_DIRECTORY)
    else:
        log.warning("no geography in %s: incidents will not be placed in streets and grids",
                    DEFAULT_DIRECTORY)
    return Rules.load(geography=geography)


def resume_world(clock: Any, store: Any, start: Any = None) -> None:
    """Keep the log's times from running backwards: a world that ran faster on an earlier run
    (the demo, a training hub) left events ahead of now; unless told where to start, the world
    goes on from the newest of them."""
    last = store.last_event_at()
    if start is None and last is not None and last > clock.now():
        clock.follow(last, clock.speed)
        log.info("the world goes on from %s, where the log ends", last.isoformat())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="Linkage Console")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="the embedded default (what plain main.py runs)")
    demo.add_argument("--db", help="database URL (default: SQLite in the user data directory)")
    demo.add_argument("--no-gui", action="store_true",
                      help="only prepare the store and print a summary")
    demo.add_argument("--reset", action="store_true",
                      help="delete the demo database and start the district over")
    demo.add_argument("--speed", type=_speed, default=1.0,
                      help="world seconds per real second (default 1: real time)")
    demo.add_argument("--no-sim", action="store_true",
                      help="do not run the simulators (the district's and the police center's)")
    demo.add_argument("--seed", type=int, default=7, help="the simulators' seed")
    demo.add_argument("--world-start", type=_instant, metavar="ISO8601",
                      help="the world time to start from (e.g. 2026-11-27T15:00:00+08:00); "
                           "default: now, or the newest event's time")
    demo.add_argument("--quit-after", type=float, metavar="SECONDS",
                      help="quit after this many seconds (smoke tests, benchmarks)")
    demo.add_argument("--screenshot", metavar="PNG",
                      help="with --quit-after: save the console's window to this file first")

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
    hub.add_argument("--speed", type=_speed, default=1.0,
                     help="run the world this many times faster than real time (demo and "
                          "training hubs only; default 1)")
    hub.add_argument("--world-start", type=_instant, metavar="ISO8601",
                     help="with --speed: the world time to start from (e.g. "
                          "2026-11-27T09:00:00+08:00); default: now, or the newest event's time")

    simulate = commands.add_parser(
        "simulate", help="play the demo district against a hub: units, calls, desks, cameras")
    simulate.add_argument("--hub", required=True, help="hub address, e.g. ws://127.0.0.1:8765")
    simulate.add_argument("--speed", type=_speed,
                          help="world seconds per real second (default: the hub's speed)")
    simulate.add_argument("--seed", type=int, default=7,
                          help="the same seed files the same incidents")
    simulate.add_argument("--duration", type=float, metavar="SECONDS",
                          help="stop after this many real seconds")
    simulate.add_argument("--calls-per-day", type=float, default=3000.0,
                          help="new incidents a day through the center's own channels, before "
                               "the daily rhythm (default 3000; the police's come from "
                               "simulate-police)")
    simulate.add_argument("--camera-port", type=int, default=CAMERA_PORT,
                          help=f"port of the simulated cameras' streams (default {CAMERA_PORT}; "
                               "-1: none)")
    simulate.add_argument("--exit-with-parent", action="store_true",
                          help="stop when the process that started this one ends, and give way "
                               "to it for the processor (the demo)")
    simulate.add_argument("--password-stdin", action="store_true",
                          help="read the demo accounts' password from standard input "
                               "(default: the demo password)")

    police = commands.add_parser(
        "simulate-police", help="play a police 110 center against a hub's /police: diversions "
        "to the center, answers to its escalations (docs/police-interface.md)")
    police.add_argument("--hub", required=True, help="hub address, e.g. ws://127.0.0.1:8765")
    police.add_argument("--username", default="police110", help="the police center's account")
    police.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (default: the demo password)")
    police.add_argument("--rate", type=float, default=10.0, metavar="PER_HOUR",
                        help="cases diverted per hour of world time (default 10)")
    police.add_argument("--reject-share", type=float, default=0.1, metavar="F",
                        help="the share of escalations rejected (default 0.1)")
    police.add_argument("--seed", type=int, default=110,
                        help="the same seed diverts the same cases")
    police.add_argument("--duration", type=float, metavar="SECONDS",
                        help="stop after this many real seconds")
    police.add_argument("--journal", default=":memory:", metavar="FILE",
                        help="the police center's SQLite journal (default: in memory)")
    police.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started this one ends")

    admin = commands.add_parser("admin", help="database and account administration")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    init_db = admin_commands.add_parser("init-db", help="create or migrate the schema")
    init_db.add_argument("--db", required=True, help="database URL or SQLite file path")
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
    export = admin_commands.add_parser(
        "export-eido", help="write an incident as a NENA EIDO JSON document (docs/eido.md)")
    export.add_argument("incident", metavar="INCIDENT_ID")
    export.add_argument("--db", help="database URL (default: SQLite in the user data directory)")
    export.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    export.add_argument("--personal", action="store_true",
                        help="the reporter's name and phone unmasked")
    export.add_argument("--agency", help="the center's NENA agency id, a domain name")
    return parser


#: The subcommands; anything else runs the demo (``python main.py --reset`` is ``demo --reset``).
SUBCOMMANDS = ("demo", "console", "hub", "simulate", "simulate-police", "admin")


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    flags = 0
    while flags < len(argv) and argv[flags] in ("-v", "--verbose"):
        flags += 1
    rest = argv[flags:]
    if not (rest and (rest[0] in SUBCOMMANDS or rest[0] in ("-h", "--help"))):
        argv = [*argv[:flags], "demo", *rest]
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "admin":
        return _admin(args)
    if args.command == "hub":
        return _hub(args)
    if args.command == "console":
        return _console(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "simulate-police":
        return _simulate_police(args)
    return _demo(args)


def _hub(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from console.hub.server import Hub, HubConfig
    from console.store.store import Store

    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.world_start is not None and args.speed == 1.0:
        print("--world-start goes with --speed", file=sys.stderr)
        return 2
    log.info("loading the rules from resources/")
    rules = load_rules()
    log.info("opening the store")
    from console.comms.clock import Clock

    clock = Clock(args.speed, origin=args.world_start)
    store = Store(args.db, rules, clock=clock.now)
    resume_world(clock, store, args.world_start)
    if args.speed != 1.0:
        log.info("the world runs %s× from %s", args.speed, clock.now().isoformat())
    config = HubConfig(host=args.host, port=args.port, tls_cert=args.tls_cert,
                       tls_key=args.tls_key, clock=clock,
                       **({"name": args.name} if args.name else {}))

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

    if args.admin_command == "export-eido":
        return _export_eido(args)
    db = open_database(args.db)
    try:
        migrate(db)
        if args.admin_command == "init-db":
            print(f"schema is up to date in {db.url.split('@')[-1]}")
            return 0
        if args.admin_command == "seed-demo":
            return _seed_demo(args)
        return _create_user(args, db)
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
    finally:
        store.close()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


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


def _demo(args: argparse.Namespace) -> int:
    import subprocess

    from console.comms.clock import Clock
    from console.sim.demo import DEMO_PASSWORD, District, describe_accounts, people_accounts
    from console.store.store import Store

    if args.screenshot and args.quit_after is None:
        print("--screenshot is taken at --quit-after SECONDS; give both", file=sys.stderr)
        return 2
    url = args.db or default_db_url()
    folder = Path(url_path(url))
    if args.reset:
        _delete_sqlite(url)
        _forget_police_journal(folder)
    log.info("loading the rules from resources/")
    rules = load_rules()
    log.info("opening the store at %s", url)
    clock = Clock(args.speed, origin=args.world_start)
    store = Store(url, rules, clock=clock.now)
    try:
        resume_world(clock, store, args.world_start)
        if store.count("units") == 0:
            started = time.monotonic()
            print("Seeding the demo district (first run) …", flush=True)
            from console.sim.demo import seed_store
            from console.sim.history import seed_history

            # The police center's journal knows only this district's cases: a new district's
            # escalations (whose ids repeat an old one's) must reach it as new.
            _forget_police_journal(folder)
            district = District.load()
            added = seed_store(store, district, now=clock.now(),
                               camera_base=f"http://127.0.0.1:{CAMERA_PORT}", progress=print)
            print(f"the {HISTORY_HOURS:g} hours before now: calls and their handling", flush=True)
            written = seed_history(url, district, rules, now=clock.now(), hours=HISTORY_HOURS,
                                   seed=args.seed)
            print(f"Seeded {added['units']} units, {added['cameras']} cameras, "
                  f"{added['accounts']} accounts and {written} steps of history in "
                  f"{time.monotonic() - started:.1f} s.")
        print(f"Linkage Console store at {url}: {store.count('incidents')} incidents, "
              f"{store.count('units')} units, last event seq {store.last_seq()}.")
        print(f"Demo accounts (password \"{DEMO_PASSWORD}\"):")
        print(describe_accounts(people_accounts()))
        if args.no_gui:
            return 0
        from console.hub.embedded import EmbeddedHub

        log.info("starting the embedded hub")
        hub = EmbeddedHub(store, rules, clock=clock).start()
        log.info("embedded hub at %s", hub.url)
        simulators: list[subprocess.Popen[bytes]] = []

        def start_simulators() -> None:
            # Once the console is ready: the simulator's own start-up (20,000 units, their
            # areas) then never competes with the console's for the processor.
            if not args.no_sim and not simulators:
                simulators.append(_start_simulator(hub.url, args.seed, folder))
                simulators.append(_start_police(hub.url, args.seed, folder))

        try:
            return _run_console(rules, embedded_url=hub.url, user="demo",
                                password=DEMO_PASSWORD, quit_after=args.quit_after,
                                screenshot=args.screenshot, on_ready=start_simulators)
        finally:
            for simulator in simulators:
                _stop_process(simulator)
            log.info("stopping the embedded hub")
            hub.stop()
    finally:
        store.close()


def url_path(url: str) -> str:
    """The folder next to which the demo keeps its logs: the SQLite file's, or the data dir."""
    from sqlalchemy.engine import make_url

    from console.store.db import normalise_url

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).parent)
    return str(Path(default_db_url().removeprefix("sqlite:///")).parent)


def _delete_sqlite(url: str) -> None:
    from sqlalchemy.engine import make_url

    from console.store.db import normalise_url

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise SystemExit("--reset starts over only an SQLite demo database; drop a PostgreSQL "
                         "database with the database's own tools")
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)
    print(f"Deleted {parsed.database}: the district starts over.")


def _start_simulator(hub_url: str, seed: int, folder: Path) -> Any:
    """The simulator in its own process (its work never competes with the console's GUI
    thread for the interpreter), logging to ``simulator.log`` next to the database."""
    import subprocess

    main = Path(__file__).resolve().parents[2] / "main.py"
    log_file = (folder / "simulator.log").open("ab")
    try:
        process = subprocess.Popen(
            [sys.executable, str(main), "simulate", "--hub", hub_url, "--seed", str(seed),
             "--exit-with-parent"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    finally:
        log_file.close()
    print(f"Simulator running (pid {process.pid}), log in {folder / 'simulator.log'}.")
    return process


def _start_police(hub_url: str, seed: int, folder: Path) -> Any:
    """The police 110 center (``simulate-police``) on the hub's ``/police``, in its own process
    as the police's own system would be, niced like the simulator, logging to
    ``police-simulator.log`` and keeping its journal next to the database. It diverts
    :data:`~console.sim.calls.DIVERSIONS_PER_HOUR` cases a world hour and answers escalations."""
    import contextlib
    import os
    import subprocess

    from console.sim.calls import DIVERSIONS_PER_HOUR
    from console.sim.demo import DEMO_PASSWORD, POLICE_CENTER

    main = Path(__file__).resolve().parents[2] / "main.py"
    log_file = (folder / "police-simulator.log").open("ab")
    try:
        process = subprocess.Popen(
            [sys.executable, str(main), "simulate-police", "--hub", hub_url,
             "--username", POLICE_CENTER, "--password-stdin",
             "--journal", str(folder / POLICE_JOURNAL), "--rate", f"{DIVERSIONS_PER_HOUR:g}",
             "--seed", str(seed), "--exit-with-parent"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.PIPE)
    finally:
        log_file.close()
    with contextlib.suppress(AttributeError, OSError):  # no priorities on this system
        os.setpriority(os.PRIO_PROCESS, process.pid, 10)  # the console comes first
    assert process.stdin is not None
    with contextlib.suppress(OSError):  # it died at once: its log says why
        process.stdin.write(DEMO_PASSWORD.encode() + b"\n")
    with contextlib.suppress(OSError):
        process.stdin.close()
    print(f"Police center running (pid {process.pid}), log in "
          f"{folder / 'police-simulator.log'}.")
    return process


def _forget_police_journal(folder: Path) -> None:
    """Delete the demo's police center journal (with its WAL files), if there is one."""
    for suffix in ("", "-wal", "-shm"):
        (folder / (POLICE_JOURNAL + suffix)).unlink(missing_ok=True)


def _stop_process(process: Any) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _seed_demo(args: argparse.Namespace) -> int:
    from console.sim.demo import District, seed_store
    from console.store.store import Store, utc_now

    store = Store(args.db, load_rules())
    try:
        added = seed_store(store, District.load(), now=utc_now(), camera_base=args.camera_base,
                           progress=print)
    finally:
        store.close()
    print(f"added {added['accounts']} accounts, {added['units']} units, "
          f"{added['cameras']} cameras")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import signal

    from console.comms.client import check_hub_url
    from console.sim.cameras import CameraServer
    from console.sim.demo import DEMO_PASSWORD, District
    from console.sim.simulator import SimConfig, Simulator, endpoints, summary_line

    try:
        for address in endpoints(args.hub):
            check_hub_url(address)
    except ValueError:
        print(f"simulate: {args.hub!r} is not a hub address; give ws://HOST:PORT or "
              "wss://HOST:PORT", file=sys.stderr)
        return 2
    logging.getLogger("websockets").setLevel(logging.WARNING)
    if args.exit_with_parent:
        os.nice(10)  # the console on the same machine comes first
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else DEMO_PASSWORD
    rules = load_rules()
    district = District.load()
    config = SimConfig(hub=args.hub, password=password, seed=args.seed, speed=args.speed,
                       duration=args.duration, calls_per_day=args.calls_per_day)
    simulator = Simulator(config, district, rules)

    async def run() -> None:
        cameras = None
        if args.camera_port >= 0:
            cameras = CameraServer(district.cameras, port=args.camera_port,
                                   clock=simulator.clock.now)
            try:
                await cameras.start()
            except OSError as error:
                log.warning("the cameras cannot be served on port %d: %s", args.camera_port,
                            error)
                cameras = None
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, simulator.stop)
        if args.exit_with_parent:
            parent = os.getppid()

            async def orphaned() -> None:
                while os.getppid() == parent:
                    await asyncio.sleep(1)
                log.info("the demo that started the simulator has ended; stopping")
                simulator.stop()

            watch = asyncio.create_task(orphaned())
        try:
            counts = await simulator.run()
        finally:
            if args.exit_with_parent:
                watch.cancel()
            if cameras is not None:
                await cameras.stop()
        print(summary_line(counts), flush=True)

    try:
        asyncio.run(run())
    except RuntimeError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    return 0


def _simulate_police(args: argparse.Namespace) -> int:
    import asyncio
    import sqlite3

    from console.comms.client import check_hub_url
    from console.sim.demo import DEMO_PASSWORD
    from console.sim.police import AuthFailed, PoliceConfig, police_url, simulate_police

    try:
        check_hub_url(police_url(args.hub))
    except ValueError:
        print(f"simulate-police: {args.hub!r} is not a hub address; give ws://HOST:PORT or "
              "wss://HOST:PORT", file=sys.stderr)
        return 2
    if not (args.rate >= 0 and 0 <= args.reject_share <= 1):
        print("simulate-police: --rate must be 0 or more and --reject-share from 0 to 1",
              file=sys.stderr)
        return 2
    logging.getLogger("websockets").setLevel(logging.WARNING)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else DEMO_PASSWORD
    config = PoliceConfig(rate_per_hour=args.rate, reject_share=args.reject_share,
                          seed=args.seed)
    try:
        print(asyncio.run(simulate_police(args.hub, args.username, password, config,
                                          journal=args.journal, duration=args.duration,
                                          exit_with_parent=args.exit_with_parent)), flush=True)
    except AuthFailed as refusal:
        print(f"simulate-police: the hub refused {args.username}: {refusal}", file=sys.stderr)
        return 1
    except (RuntimeError, OSError, sqlite3.Error) as error:
        print(f"simulate-police: {error}", file=sys.stderr)
        return 1
    return 0


def _console(args: argparse.Namespace) -> int:
    password = None
    if args.user and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    return _run_console(load_rules(), hub=args.hub, user=args.user, password=password,
                        language=args.language, quit_after=args.quit_after)


def _run_console(rules: Any, *, hub: str | None = None, user: str | None = None,
                 password: str | None = None, language: str | None = None,
                 embedded_url: str | None = None, quit_after: float | None = None,
                 screenshot: str | None = None, on_ready: Any = None) -> int:
    """Start Qt, then the login (or log in directly)."""
    from console.views.runtime import run_console

    return run_console(rules, hub=hub, user=user, password=password, language=language,
                       embedded_url=embedded_url, quit_after=quit_after, screenshot=screenshot,
                       on_ready=on_ready)
