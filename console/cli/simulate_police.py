"""``main.py simulate-police``: a police 110 center played against a hub's ``/police``
(docs/police-interface.md)."""

from __future__ import annotations

import argparse
import logging
import sys


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def run(args: argparse.Namespace) -> int:
    import asyncio
    import sqlite3

    from console.comms.client import check_hub_url
    from console.sim.demo import DEMO_PASSWORD
    from console.sim.police.center import PoliceConfig, simulate_police
    from console.sim.police.peer import AuthFailed, police_url

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
