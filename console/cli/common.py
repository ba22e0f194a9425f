"""What several subcommands share: the default database, the rules, the world clock's resumption,
argument types, and starting the console's Qt side."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("console")

#: Where the simulator serves its cameras by default.
CAMERA_PORT = 8766


def default_db_url() -> str:
    """The embedded default's database: a SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("linkage-console", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'linkage.db'}"


def self_command() -> tuple[list[str], dict[str, str]]:
    """How to start this program's command line again in a child process, and its environment.

    ``python -m console`` with this copy of the package first on the path (a checkout, a wheel
    install: no ``main.py`` needed beside the code); in the desktop build, the executable itself,
    whose entry script runs ``-m MODULE`` as the interpreter would
    (``installer/linkage_console.py``).
    """
    import os
    import sys

    env = dict(os.environ)
    if getattr(sys, "frozen", False):
        return [sys.executable, "-m", "console"], env
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return [sys.executable, "-m", "console"], env


def world_speed(text: str) -> float:
    """``--speed``: world seconds per real second, above 0 and at most 1000."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError("the speed must be above 0 and at most 1000")
    return value


def instant(text: str) -> Any:
    """An ISO 8601 time with its UTC offset."""
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


def run_console(rules: Any, *, hub: str | None = None, user: str | None = None,
                password: str | None = None, language: str | None = None,
                embedded_url: str | None = None, embedded_consoles: Any = None,
                quit_after: float | None = None, screenshot: str | None = None,
                on_ready: Any = None) -> int:
    """Start Qt, then the login (or log in directly)."""
    from console.views.runtime import run_console as run

    return run(rules, hub=hub, user=user, password=password, language=language,
               embedded_url=embedded_url, embedded_consoles=embedded_consoles,
               quit_after=quit_after, screenshot=screenshot, on_ready=on_ready)
