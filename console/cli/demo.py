"""``main.py demo`` (and plain ``main.py``): the embedded default, the demo district on this
machine — the store (seeded on the first run), an embedded hub, the simulators in their own
processes, and the console."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from console.cli.common import (
    CAMERA_PORT,
    default_db_url,
    instant,
    load_rules,
    log,
    resume_world,
    run_console,
    self_command,
    world_speed,
)

#: How much of the district's day the demo writes before it first opens, so its queue has been
#: living for a while (console/sim/history.py).
HISTORY_HOURS = 1.5

#: The demo's police center journal, next to the database (``simulate-police --journal``).
POLICE_JOURNAL = "police-journal.sqlite"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="the embedded default (what plain main.py runs)")
    demo.add_argument("--db", help="database URL (default: SQLite in the user data directory)")
    demo.add_argument("--no-gui", action="store_true",
                      help="only prepare the store and print a summary")
    demo.add_argument("--reset", action="store_true",
                      help="delete the demo database and start the district over")
    demo.add_argument("--speed", type=world_speed, default=1.0,
                      help="world seconds per real second (default 1: real time)")
    demo.add_argument("--no-sim", action="store_true",
                      help="do not run the simulators (the district's and the police center's)")
    demo.add_argument("--seed", type=int, default=7, help="the simulators' seed")
    demo.add_argument("--port", type=port_number, default=0,
                      help="the port of the embedded hub on 127.0.0.1, for other consoles on "
                           "this machine (default: any free port; the summary prints it)")
    demo.add_argument("--world-start", type=instant, metavar="ISO8601",
                      help="the world time to start from (e.g. 2026-11-27T15:00:00+08:00); "
                           "default: now, or the newest event's time")
    demo.add_argument("--quit-after", type=float, metavar="SECONDS",
                      help="quit after this many seconds (smoke tests, benchmarks)")
    demo.add_argument("--screenshot", metavar="PNG",
                      help="with --quit-after: save the console's window to this file first")


def run(args: argparse.Namespace) -> int:
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
            from console.cli.ledger import StoreLedger
            from console.sim.demo import seed_store
            from console.sim.history import seed_history

            # The police center's journal knows only this district's cases: a new district's
            # escalations (whose ids repeat an old one's) must reach it as new.
            _forget_police_journal(folder)
            district = District.load()
            added = seed_store(StoreLedger(store), district, now=clock.now(),
                               camera_base=f"http://127.0.0.1:{CAMERA_PORT}", progress=print)
            print(f"the {HISTORY_HOURS:g} hours before now: calls and their handling", flush=True)
            with StoreLedger.backdated(url, rules, now=clock.now()) as ledger:
                written = seed_history(ledger, district, rules, now=clock.now(),
                                       hours=HISTORY_HOURS, seed=args.seed)
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
        try:
            hub = EmbeddedHub(store, rules, clock=clock, port=args.port).start()
        except RuntimeError as error:
            print(f"cannot start the hub on port {args.port}: {error.__cause__ or error}",
                  file=sys.stderr)
            return 2
        log.info("embedded hub at %s", hub.url)
        print(f"Hub at {hub.url} — another console on this machine: "
              f"python main.py console --hub {hub.url}", flush=True)
        simulators: list[subprocess.Popen[bytes]] = []
        if not args.no_sim:
            # The police center at once, at full priority until the console is ready: a link
            # the last run left down is up again before the console shows it (else the status
            # bar is red for the first seconds of every start).
            simulators.append(_start_police(hub.url, args.seed, folder))

        def start_simulators() -> None:
            # Once the console is ready: the simulator's own start-up (20,000 units, their
            # areas) then never competes with the console's for the processor.
            if not args.no_sim and len(simulators) == 1:
                _nice(simulators[0])
                simulators.append(_start_simulator(hub.url, args.seed, folder))

        try:
            return run_console(rules, embedded_url=hub.url,
                               embedded_consoles=hub.console_sessions, user="demo",
                               password=DEMO_PASSWORD, quit_after=args.quit_after,
                               screenshot=args.screenshot, on_ready=start_simulators)
        finally:
            for simulator in simulators:
                _stop_process(simulator)
            log.info("stopping the embedded hub")
            hub.stop()
    finally:
        store.close()


def port_number(text: str) -> int:
    """A TCP port for ``--port`` (0: any free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return port


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

    command, env = self_command()
    log_file = (folder / "simulator.log").open("ab")
    try:
        process = subprocess.Popen(
            [*command, "simulate", "--hub", hub_url, "--seed", str(seed), "--exit-with-parent"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    finally:
        log_file.close()
    print(f"Simulator running (pid {process.pid}), log in {folder / 'simulator.log'}.")
    return process


def _start_police(hub_url: str, seed: int, folder: Path) -> Any:
    """The police 110 center (``simulate-police``) on the hub's ``/police``, in its own process
    as the police's own system would be, niced like the simulator, logging to
    ``police-simulator.log`` and keeping its journal next to the database; not niced until
    :func:`_nice` (its start is short, and its link should be up before the console shows it).
    It diverts
    :data:`~console.sim.calls.DIVERSIONS_PER_HOUR` cases a world hour and answers escalations."""
    import contextlib
    import subprocess

    from console.sim.calls import DIVERSIONS_PER_HOUR
    from console.sim.demo import DEMO_PASSWORD, POLICE_CENTER

    command, env = self_command()
    log_file = (folder / "police-simulator.log").open("ab")
    try:
        process = subprocess.Popen(
            [*command, "simulate-police", "--hub", hub_url,
             "--username", POLICE_CENTER, "--password-stdin",
             "--journal", str(folder / POLICE_JOURNAL), "--rate", f"{DIVERSIONS_PER_HOUR:g}",
             "--seed", str(seed), "--exit-with-parent"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, env=env)
    finally:
        log_file.close()
    assert process.stdin is not None
    with contextlib.suppress(OSError):  # it died at once: its log says why
        process.stdin.write(DEMO_PASSWORD.encode() + b"\n")
    with contextlib.suppress(OSError):
        process.stdin.close()
    print(f"Police center running (pid {process.pid}), log in "
          f"{folder / 'police-simulator.log'}.")
    return process


def _nice(process: Any) -> None:
    """Let the console come first from now on."""
    import contextlib
    import os

    with contextlib.suppress(AttributeError, OSError):  # no priorities on this system, or gone
        os.setpriority(os.PRIO_PROCESS, process.pid, 10)


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
