"""The subcommands of ``main.py``: parse the arguments, then hand over to one subcommand.

    demo             demo.py             the embedded default (what plain ``main.py`` runs)
    console          console_cmd.py      the desktop console, on a hub
    hub              hub.py              a hub: the websocket server over the store
    simulate         simulate.py         the demo district played against a hub
    simulate-police  simulate_police.py  a police 110 center played against a hub
    admin            admin.py            schema, accounts, demo seeding, EIDO export

What several of them share (the rules, the default database, starting the console) is in
``common.py``. Each module adds its own arguments and keeps its heavy imports inside ``run``,
so ``main.py admin …`` never loads Qt.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from console.cli import admin, console_cmd, demo, hub, simulate, simulate_police

#: The subcommands in the order ``--help`` lists them; anything else runs the demo
#: (``python main.py --reset`` is ``demo --reset``).
SUBCOMMANDS = {"demo": demo, "console": console_cmd, "hub": hub, "simulate": simulate,
               "simulate-police": simulate_police, "admin": admin}


def build_parser(prog: str = "main.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Linkage Console")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for subcommand in SUBCOMMANDS.values():
        subcommand.add_parser(commands)
    return parser


def main(argv: Sequence[str], prog: str = "main.py") -> int:
    argv = list(argv)
    flags = 0
    while flags < len(argv) and argv[flags] in ("-v", "--verbose"):
        flags += 1
    rest = argv[flags:]
    if not (rest and (rest[0] in SUBCOMMANDS or rest[0] in ("-h", "--help"))):
        argv = [*argv[:flags], "demo", *rest]
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return SUBCOMMANDS[args.command or "demo"].run(args)


def run() -> int:
    """The ``linkage`` command of an installed package: ``main.py``'s command line."""
    return main(sys.argv[1:], os.path.basename(sys.argv[0]) or "linkage")


def run_hub() -> int:
    """The ``linkage-hub`` command: ``main.py hub`` (``-v`` before or among its options)."""
    argv = sys.argv[1:]
    verbose = [a for a in argv if a in ("-v", "--verbose")]
    rest = [a for a in argv if a not in ("-v", "--verbose")]
    return main([*verbose, "hub", *rest], "linkage")
