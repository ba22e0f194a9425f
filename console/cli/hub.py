"""``main.py hub``: a hub, the websocket server over the store, until SIGTERM or Ctrl-C.

Its settings come from a TOML file (``--config``, ``LINKAGE_CONFIG`` or /etc/linkage/hub.toml),
``LINKAGE_*`` variables and the options below, in rising order (console/hub/settings.py,
docs/deploy.md). It does not migrate the schema unless told to (``--migrate``): a hub on a
schema older than its code stops with what to run.

Exit codes (the systemd unit restarts on 4, not on 2 or 3): 2 bad settings, 3 the schema is
not this code's, 4 the database cannot be reached.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from console.cli.common import instant, load_rules, log, resume_world, world_speed


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = commands.add_parser("hub", help="run a hub: the websocket server over the store")
    hub.add_argument("--config", metavar="FILE",
                     help="settings file (default: $LINKAGE_CONFIG, else /etc/linkage/hub.toml "
                          "if it exists)")
    hub.add_argument("--db", help="database URL or SQLite file path, without a password "
                                  "(that goes in database.password_file or "
                                  "LINKAGE_DATABASE_PASSWORD)")
    hub.add_argument("--host")
    hub.add_argument("--port", type=int, help="0 picks a free port (default 8765)")
    hub.add_argument("--tls-cert", help="certificate (PEM) to serve wss://")
    hub.add_argument("--tls-key", help="private key (PEM) of the certificate")
    hub.add_argument("--name", help="this hub's name in logs and welcome messages")
    hub.add_argument("--speed", type=world_speed,
                     help="run the world this many times faster than real time (demo and "
                          "training hubs only; default 1)")
    hub.add_argument("--track-days", type=int, metavar="DAYS",
                     help="days of unit tracks (stored positions) to keep; older days are "
                          "dropped (default 180; retention.positions in the settings)")
    hub.add_argument("--world-start", type=instant, metavar="ISO8601",
                     help="with --speed: the world time to start from (e.g. "
                          "2026-11-27T09:00:00+08:00); default: now, or the newest event's time")
    hub.add_argument("--log-format", choices=["text", "json"],
                     help="text (default) or one JSON object a line, with request ids")
    hub.add_argument("--migrate", action="store_true", default=None,
                     help="migrate the schema first (under the database's migration lock)")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from console.comms.clock import Clock
    from console.hub.observe import configure_logging
    from console.hub.server import Hub
    from console.hub.settings import ConfigError, config_file, load
    from console.store.db import SchemaError, check_schema, migrate
    from console.store.store import Store

    if args.track_days is not None and args.track_days < 1:
        print("--track-days must be at least 1", file=sys.stderr)
        return 2
    overrides = {"database.url": args.db, "listen.host": args.host, "listen.port": args.port,
                 "tls.cert": args.tls_cert, "tls.key": args.tls_key, "hub.name": args.name,
                 "world.speed": args.speed, "world.start": args.world_start,
                 "log.format": args.log_format, "database.migrate": args.migrate,
                 "retention.positions": (None if args.track_days is None
                                         else timedelta(days=args.track_days))}
    try:
        settings = load(config_file(args.config, os.environ), os.environ, overrides)
        url = settings.database_url
    except ConfigError as error:
        print(f"the hub cannot start: {error}", file=sys.stderr)
        return 2
    configure_logging(settings["log.format"],
                      "DEBUG" if getattr(args, "verbose", False) else settings["log.level"])
    if settings.source:
        log.info("settings from %s", settings.source)
    log.info("loading the rules from resources/")
    rules = load_rules()
    # The reports read it at each request; a broken file stops the start, not a report.
    from console.domain.scoring import Weights

    Weights.load()
    log.info("opening the store")
    speed, start = settings["world.speed"], settings["world.start"]
    clock = Clock(speed, origin=start)
    store = Store(url, rules, clock=clock.now, create=False)
    try:
        if settings["database.migrate"]:
            applied = migrate(store.db)
            log.info("migrated the schema: %s" if applied else "the schema was up to date%s",
                     ", ".join(applied))
        check_schema(store.db)
    except SchemaError as error:
        store.close()
        print(f"the hub cannot start: {error}", file=sys.stderr)
        return 3
    except Exception as error:
        store.close()
        print(f"the hub cannot start: the database is not usable: {error}", file=sys.stderr)
        return 4
    resume_world(clock, store, start)
    if speed != 1.0:
        log.info("the world runs %s× from %s", speed, clock.now().isoformat())
    config = settings.hub_config(clock)

    async def serve() -> None:
        hub = Hub(store, rules, config)
        await hub.start()
        scheme = "wss" if config.tls_cert else "ws"
        print(f"hub {config.name} listening on {scheme}://{config.host}:{hub.port}", flush=True)
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
