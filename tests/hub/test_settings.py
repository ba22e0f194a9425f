"""A hub's settings: each kind of key from the file and from the environment reaches the hub's
config, the environment wins over the file and the command line over both, a bad value is
refused as where:key: reason, and the password comes from a file or the environment only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.comms.clock import Clock
from console.hub.settings import ConfigError, config_file, env_name, load

FULL = """
[database]
url = "postgresql://linkage@db.example:5432/linkage"
migrate = true
[listen]
host = "0.0.0.0"
port = 9001
[hub]
name = "hub-a"
[world]
speed = 60.0
start = 2026-11-27T09:00:00+08:00
[retention]
positions = "30d"
[log]
format = "json"
level = "warning"
[limits]
max_connections = 300
message_rate = 25.5
position_process = false
session_ttl = "2d"
login_lockout = "45m"
"""


def write(tmp_path: Path, text: str, name: str = "hub.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_of_key_from_the_file_reaches_the_hub(tmp_path: Path) -> None:
    settings = load(write(tmp_path, FULL), {})
    config = settings.hub_config(Clock())
    assert (config.host, config.port, config.name) == ("0.0.0.0", 9001, "hub-a")  # text, port
    assert settings["world.speed"] == 60.0  # a number
    assert settings["world.start"] == datetime(2026, 11, 27, 1, tzinfo=UTC)  # an instant
    assert settings["database.migrate"] is True  # a flag
    assert settings["retention.positions"] == timedelta(days=30)  # a duration
    assert (settings["log.format"], settings["log.level"]) == ("json", "WARNING")
    assert settings.database_url == "postgresql://linkage@db.example:5432/linkage"
    assert config.max_connections == 300  # limits: an integer, a number, a flag, durations
    assert config.message_rate == 25.5
    assert config.position_process is False
    assert config.session_ttl == timedelta(days=2)
    assert config.login_lockout == timedelta(minutes=45)


def test_every_kind_of_key_from_the_environment_reaches_the_hub_over_the_file(
        tmp_path: Path) -> None:
    environ = {"LINKAGE_DATABASE_URL": "sqlite:////var/lib/linkage/hub.db",
               "LINKAGE_DATABASE_MIGRATE": "no", "LINKAGE_LISTEN_HOST": "10.0.0.5",
               "LINKAGE_LISTEN_PORT": "9100", "LINKAGE_HUB_NAME": "hub-env",
               "LINKAGE_WORLD_SPEED": "2", "LINKAGE_WORLD_START": "2026-11-28T09:00:00+08:00",
               "LINKAGE_RETENTION_POSITIONS": "36h", "LINKAGE_LOG_FORMAT": "text",
               "LINKAGE_LOG_LEVEL": "debug", "LINKAGE_LIMITS_MAX_CONNECTIONS": "77",
               "LINKAGE_LIMITS_MESSAGE_RATE": "3.5", "LINKAGE_LIMITS_POSITION_PROCESS": "true",
               "LINKAGE_LIMITS_SESSION_TTL": "3600"}
    settings = load(write(tmp_path, FULL), environ)
    config = settings.hub_config(Clock())
    assert settings.database_url == "sqlite:////var/lib/linkage/hub.db"
    assert settings["database.migrate"] is False
    assert (config.host, config.port, config.name) == ("10.0.0.5", 9100, "hub-env")
    assert settings["world.speed"] == 2.0
    assert settings["world.start"] == datetime(2026, 11, 28, 1, tzinfo=UTC)
    assert settings["retention.positions"] == timedelta(hours=36)
    assert config.track_keep_days == 2  # whole days
    assert (settings["log.format"], settings["log.level"]) == ("text", "DEBUG")
    assert (config.max_connections, config.message_rate) == (77, 3.5)
    assert config.position_process is True
    assert config.session_ttl == timedelta(hours=1)
    assert config.login_lockout == timedelta(minutes=45)  # from the file: not overridden


def test_the_command_line_wins_over_the_environment(tmp_path: Path) -> None:
    settings = load(write(tmp_path, FULL), {"LINKAGE_LISTEN_PORT": "9100"},
                    {"listen.port": 9200, "hub.name": None})
    assert settings["listen.port"] == 9200
    assert settings["hub.name"] == "hub-a"  # None: not given on the command line


def test_without_a_file_the_defaults_serve(tmp_path: Path) -> None:
    settings = load(None, {"LINKAGE_DATABASE_URL": str(tmp_path / "hub.db")})
    config = settings.hub_config(Clock())
    assert (config.host, config.port) == ("127.0.0.1", 8765)
    assert settings["retention.positions"] == timedelta(days=180)
    assert config.track_keep_days == 180
    assert settings["log.format"] == "text"
    assert settings["database.migrate"] is False


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("[listen]\nport = 70000\n", "listen.port", "port number"),
    ("[listen]\nport = \"eighty\"\n", "listen.port", "not an integer"),
    ("[world]\nspeed = 0\n", "world.speed", "above 0"),
    ("[world]\nspeed = 10\nstart = \"yesterday\"\n", "world.start", "ISO 8601"),
    ("[log]\nformat = \"xml\"\n", "log.format", "neither"),
    ("[retention]\npositions = \"-1d\"\n", "retention.positions", "negative"),
    ("[retention]\npositions = \"12h\"\n", "retention.positions", "at least a day"),
    ("[database]\nmigrate = \"perhaps\"\n", "database.migrate", "true or false"),
    ("[database]\nurl = \"postgresql://u:secret@h/db\"\n", "database.url", "password"),
    ("[database]\npassword = \"secret\"\n", "database.password", "secret"),
    ("[database]\npassword_file = \"/nonexistent/pw\"\n", "database.password_file",
     "not a file"),
    ("[tls]\ncert = \"/nonexistent/cert.pem\"\n", "tls.cert", "not a file"),
    ("[listen]\nprot = 1\n", "listen.prot", "unknown key"),
    ("[limits]\nmax_connections = -5\n", "limits.max_connections", "negative"),
    ("[limits]\nclock = 1\n", "limits.clock", "unknown key"),
    ("listen = 5\n", "listen", "[section]"),
    ("[listen\n", "-", "not valid TOML"),
])
def test_a_bad_value_in_the_file_is_refused_with_file_key_and_reason(
        tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load(path, {})
    assert str(refused.value).startswith(f"{path}:{key}: ")
    assert reason in refused.value.reason


def test_a_bad_value_in_the_environment_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as refused:
        load(None, {"LINKAGE_LIMITS_MAX_IN_FLIGHT": "many"})
    assert str(refused.value) == ("environment:LINKAGE_LIMITS_MAX_IN_FLIGHT: 'many' is not an "
                                  "integer")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"hub.toml:-: no such file"):
        load(tmp_path / "hub.toml", {})


def test_tls_cert_and_key_go_together(tmp_path: Path) -> None:
    cert = write(tmp_path, "not checked here", "cert.pem")
    with pytest.raises(ConfigError, match=r"tls.key: tls.cert and tls.key go together"):
        load(write(tmp_path, f'[tls]\ncert = "{cert}"\n'), {})


def test_the_password_from_a_file_only(tmp_path: Path) -> None:
    secret = write(tmp_path, "s3cret:/@x\n", "db-password")
    settings = load(write(tmp_path, '[database]\nurl = "postgresql://linkage@db/linkage"\n'
                          f'password_file = "{secret}"\n'), {})
    assert settings.database_url == "postgresql://linkage:s3cret%3A%2F%40x@db/linkage"
    assert "s3cret" not in repr(settings.values)


def test_the_password_from_the_environment(tmp_path: Path) -> None:
    settings = load(None, {"LINKAGE_DATABASE_URL": "postgresql://linkage@db/linkage",
                           "LINKAGE_DATABASE_PASSWORD": "pw"})
    assert settings.database_url == "postgresql://linkage:pw@db/linkage"


def test_the_password_in_both_places_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path, "pw\n", "db-password")
    with pytest.raises(ConfigError, match="not both"):
        load(None, {"LINKAGE_DATABASE_PASSWORD_FILE": str(secret),
                    "LINKAGE_DATABASE_PASSWORD": "pw"})


def test_an_empty_password_file_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path, "\n", "db-password")
    with pytest.raises(ConfigError, match="is empty"):
        load(None, {"LINKAGE_DATABASE_PASSWORD_FILE": str(secret)})


def test_which_file(tmp_path: Path) -> None:
    assert config_file("/given.toml", {"LINKAGE_CONFIG": "/env.toml"}) == Path("/given.toml")
    assert config_file(None, {"LINKAGE_CONFIG": "/env.toml"}) == Path("/env.toml")
    assert env_name("limits.max_connections") == "LINKAGE_LIMITS_MAX_CONNECTIONS"
