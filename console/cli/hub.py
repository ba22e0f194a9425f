"""``main.py hub``: a hub, the websocket server over the store, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from console.cli.common import instant, load_rules, log, resume_world, world_speed


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = commands.add_parser("hub", help="run a hub: the websocket server over the store")
    hub.add_argument("--db", required=True, help="database URL or SQLite file path")
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    hub.add_argument("--tls-cert", help="certificate (PEM) to serve wss://")
    hub.add_argument("--tls-key", help="private key (PEM) of the certificate")
    hub.add_argument("--name", help="this hub's name in logs and welcome messages")
    hub.add_argument("--speed", type=world_speed, default=1.0,
                     help="run the world this many times faster than real time (demo and "
                          "training hubs only; default 1)")
    hub.add_argument("--world-start", type=instant, metavar="ISO8601",
                     help="with --speed: the world time to start from (e.g. "
                          "2026-11-27T09:00:00+08:00); default: now, or the newest event's time")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from console.hub.config import HubConfig
    from console.hub.server import Hub
    from console.store.store import Store

    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.world_start is not None and args.speed == 1.0:
        print("--world-start goes with --speed", file=sys.stderr)
        return 2
    log.info("loading the rules from resources/")
    rules = load_rules()
    # The reports read it at each request; a broken file stops the start, not a report.
    from console.domain.scoring import Weights

    Weights.load()
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
