"""``main.py console``: the desktop console on a hub elsewhere (asks for the address and the
login unless given)."""

from __future__ import annotations

import argparse
import sys

from console.cli.common import load_rules, run_console


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    console = commands.add_parser("console", help="the desktop console, on a hub")
    console.add_argument("--hub", help="hub address, e.g. ws://10.1.2.3:8765 (asks if absent)")
    console.add_argument("--user", help="user name; with the password on standard input, "
                                        "logs in directly")
    console.add_argument("--language", choices=["system", "zh_CN", "en"],
                         help="interface language (remembered)")
    console.add_argument("--quit-after", type=float, metavar="SECONDS",
                         help="quit after this many seconds (smoke tests)")


def run(args: argparse.Namespace) -> int:
    password = None
    if args.user and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    return run_console(load_rules(), hub=args.hub, user=args.user, password=password,
                       language=args.language, quit_after=args.quit_after)
