"""``main.py simulate``: the demo district played against a hub over the wire — field units,
hotline calls, department desks, and the cameras' streams."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback

from console.cli.common import CAMERA_PORT, load_rules, log, world_speed


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser(
        "simulate", help="play the demo district against a hub: units, calls, desks, cameras")
    simulate.add_argument("--hub", required=True, help="hub address, e.g. ws://127.0.0.1:8765")
    simulate.add_argument("--speed", type=world_speed,
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


def run(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import signal

    from console.comms.client import check_hub_url
    from console.sim.cameras.server import CameraServer
    from console.sim.demo import DEMO_PASSWORD, District
    from console.sim.sessions import endpoints
    from console.sim.simulator import SimConfig, Simulator, summary_line

    try:
        for address in endpoints(args.hub):
            check_hub_url(address)
    except ValueError:
        print(f"simulate: {args.hub!r} is not a hub address; give ws://HOST:PORT or "
              "wss://HOST:PORT", file=sys.stderr)
        return 2
    logging.getLogger("websockets").setLevel(logging.WARNING)
    if args.exit_with_parent and hasattr(os, "nice"):  # POSIX
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
        # The simulator's own refusals (no hub, a refused login) are RuntimeErrors, and so is
        # a programming error such as a dict changed while iterated: the traceback says where.
        print(f"simulate: {error}", file=sys.stderr)
        traceback.print_exc()
        return 1
    return 0
