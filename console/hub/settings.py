"""A hub's settings as an operator gives them: a TOML file, ``LINKAGE_*`` variables, the command
line; the database password from a file or the environment, never the command line.

    settings = load(config_file, environ=os.environ, overrides={"listen.port": 9000})
    settings.database_url   # with the password put in
    settings.hub_config()   # the HubConfig the Hub runs with

Every key is ``section.name`` in the file (``[listen] port = 8765``) and
``LINKAGE_SECTION_NAME`` in the environment (``LINKAGE_LISTEN_PORT=8765``); the environment wins
over the file, the command line over both. A bad value stops the hub with
``where:key: reason`` — the file's path or ``environment``, the key, what is wrong — and nothing
starts. The keys, their defaults and the reasons are in docs/deploy.md ("Configuration").
"""

from __future__ import annotations

import math
import os
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from console.comms.clock import Clock
from console.hub.config import HubConfig

#: Where a hub installed from the package looks when neither ``--config`` nor ``LINKAGE_CONFIG``
#: names a file (a missing default file is no error: the defaults and the environment serve).
DEFAULT_FILE = Path("/etc/linkage/hub.toml")
ENV_PREFIX = "LINKAGE_"


class ConfigError(ValueError):
    """A setting the hub cannot start with: where it came from, its key, and why."""

    def __init__(self, where: str, key: str, reason: str) -> None:
        super().__init__(f"{where}:{key}: {reason}")
        self.where, self.key, self.reason = where, key, reason


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _port(value: Any) -> int:
    number = _integer(value)
    if not 0 <= number <= 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return number


def _integer(value: Any) -> int:
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not an integer") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not an integer")
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _number(value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    if not value >= 0:  # NaN too
        raise ValueError("must not be negative")
    return float(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not true or false")


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(value: Any) -> timedelta:
    """``"15m"``, ``"12h"``, ``"7d"``, ``"30s"``, or a number of seconds."""
    if isinstance(value, str) and value.strip()[-1:] in UNITS:
        text = value.strip()
        return timedelta(seconds=_number(text[:-1]) * UNITS[text[-1]])
    return timedelta(seconds=_number(value))


def _retention(value: Any) -> timedelta:
    """How long the track history is kept: whole days (console/hub/retention.py), one at least."""
    kept = _duration(value)
    if kept < timedelta(days=1):
        raise ValueError("must be at least a day (e.g. \"180d\")")
    return kept


def _speed(value: Any) -> float:
    speed = _number(value)
    if not 0 < speed <= 1000:
        raise ValueError("must be above 0 and at most 1000")
    return speed


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("give the time with its UTC offset, e.g. +08:00")
    return moment


def _log_format(value: Any) -> str:
    if value not in ("text", "json"):
        raise ValueError(f"{value!r} is neither 'text' nor 'json'")
    return str(value)


def _log_level(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"{value!r} is not one of debug, info, warning, error")
    return value.upper()


def _database_url(value: Any) -> str:
    text = _text(value)
    if "://" in text:
        try:
            url = make_url(text)
        except ArgumentError as error:
            raise ValueError(f"not a database URL ({error})") from None
        if url.password:
            raise ValueError("holds a password: give it in database.password_file or "
                             "LINKAGE_DATABASE_PASSWORD instead")
    return text


def _readable_file(value: Any) -> str:
    path = Path(_text(value))
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{path} cannot be read by this user")
    return str(path)


#: The keys of the file besides ``[limits]``: how each value is checked, and its default.
KEYS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "database.url": (_database_url, None),
    "database.password_file": (_readable_file, None),
    "database.migrate": (_flag, False),
    "listen.host": (_text, "127.0.0.1"),
    "listen.port": (_port, 8765),
    "tls.cert": (_readable_file, None),
    "tls.key": (_readable_file, None),
    "hub.name": (_text, None),
    "world.speed": (_speed, 1.0),
    "world.start": (_instant, None),
    "retention.positions": (_retention, timedelta(days=180)),
    "log.format": (_log_format, "text"),
    "log.level": (_log_level, "INFO"),
}
#: Keys that are secrets: from the environment only (or the file ``password_file`` names).
SECRETS = {"database.password"}
_KINDS: dict[Any, Callable[[Any], Any]] = {int: _integer, float: _number, bool: _flag,
                                            timedelta: _duration, timedelta | None: _duration}
#: ``[limits]``: HubConfig's numbers, flags and durations, under the field's own name.
LIMITS: dict[str, Callable[[Any], Any]] = {
    f.name: _KINDS[kind] for f in fields(HubConfig)
    if (kind := typing.get_type_hints(HubConfig)[f.name]) in _KINDS}


@dataclass(frozen=True)
class HubSettings:
    """Everything a hub is started with, checked."""

    values: Mapping[str, Any]
    limits: Mapping[str, Any] = field(default_factory=dict)
    password: str | None = None
    #: Which file the settings came from, if any.
    source: str | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def database_url(self) -> str:
        """The database URL with the password put in (for the store, never for a log)."""
        url = self.values["database.url"]
        if url is None:
            raise ConfigError(self.source or "settings", "database.url",
                              "no database: set it in the file, LINKAGE_DATABASE_URL or --db")
        if self.password is None or "://" not in url:
            return str(url)
        return make_url(url).set(password=self.password).render_as_string(hide_password=False)

    def hub_config(self, clock: Clock) -> HubConfig:
        config = HubConfig(host=self["listen.host"], port=self["listen.port"],
                           tls_cert=self["tls.cert"], tls_key=self["tls.key"], clock=clock,
                           track_keep_days=math.ceil(self["retention.positions"]
                                                     / timedelta(days=1)),
                           **({"name": self["hub.name"]} if self["hub.name"] else {}))
        return replace(config, **self.limits)


def config_file(given: str | None, environ: Mapping[str, str]) -> Path | None:
    """The file to read: ``--config``, else ``LINKAGE_CONFIG``, else the default if it exists."""
    if given:
        return Path(given)
    if environ.get("LINKAGE_CONFIG"):
        return Path(environ["LINKAGE_CONFIG"])
    return DEFAULT_FILE if DEFAULT_FILE.exists() else None


def env_name(key: str) -> str:
    return ENV_PREFIX + key.replace(".", "_").upper()


def load(path: Path | None, environ: Mapping[str, str],
         overrides: Mapping[str, Any] | None = None) -> HubSettings:
    """Read ``path`` (if any), then the environment, then ``overrides`` (the command line's
    values by key; None is "not given"). Raises ConfigError on the first bad setting."""
    where = str(path) if path else "settings"
    # key -> (where it came from, its name there, the value)
    raw: dict[str, tuple[str, str, Any]] = {}
    if path is not None:
        for key, value in _read(path).items():
            raw[key] = (str(path), key, value)
    for key in [*KEYS, *SECRETS, *(f"limits.{name}" for name in LIMITS)]:
        name = env_name(key)
        if name in environ:
            raw[key] = ("environment", name, environ[name])
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = ("command line", key, value)
    values = {key: default for key, (_, default) in KEYS.items()}
    limits: dict[str, Any] = {}
    password: str | None = None
    for key, (source, named, value) in raw.items():
        section, _, name = key.partition(".")
        try:
            if key in SECRETS:
                password = _text(value)
            elif section == "limits":
                limits[name] = LIMITS[name](value)
            else:
                values[key] = KEYS[key][0](value)
        except ValueError as error:
            raise ConfigError(source, named, str(error)) from None
    if values["database.password_file"] is not None:
        file = values["database.password_file"]
        if password is not None:
            raise ConfigError(where, "database.password_file",
                              "give the password in a file or in LINKAGE_DATABASE_PASSWORD, "
                              "not both")
        password = Path(file).read_text(encoding="utf-8").strip("\r\n")
        if not password:
            raise ConfigError(where, "database.password_file", f"{file} is empty")
    if (values["tls.cert"] is None) != (values["tls.key"] is None):
        raise ConfigError(where, "tls.key" if values["tls.cert"] else "tls.cert",
                          "tls.cert and tls.key go together")
    if values["world.start"] is not None and values["world.speed"] == 1.0:
        raise ConfigError(where, "world.start", "goes with a world.speed other than 1")
    return HubSettings(values, limits, password, str(path) if path else None)


def _read(path: Path) -> dict[str, Any]:
    """The file's keys as ``section.name``; unknown sections and keys are errors (a typo would
    otherwise leave a default in force without a word)."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(str(path), "-", "no such file") from None
    except PermissionError:
        raise ConfigError(str(path), "-", "cannot be read by this user") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "-", f"not valid TOML: {error}") from None
    flat: dict[str, Any] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(str(path), section, "must be a [section] of keys")
        for name, value in table.items():
            key = f"{section}.{name}"
            if key in SECRETS:
                raise ConfigError(str(path), key, "a secret does not go in this file: use "
                                  "database.password_file or LINKAGE_DATABASE_PASSWORD")
            if key not in KEYS and not (section == "limits" and name in LIMITS):
                raise ConfigError(str(path), key, "unknown key")
            flat[key] = value
    return flat
