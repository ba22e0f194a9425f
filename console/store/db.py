"""Opening the database: engines for SQLite and PostgreSQL, and migrating the schema.

SQLite gets WAL (readers never block the writer), ``synchronous=FULL`` (a commit is on disk
before anyone is told) and ``BEGIN IMMEDIATE`` for writes, so two writers never deadlock on a
lock upgrade; reads use a second engine with plain deferred transactions.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How long a SQLite writer waits for the write lock, and how often it looks.
LOCK_TIMEOUT_S = 60
LOCK_POLL_S = 0.0005

UNIT_MOVES_DDL = ("CREATE TEMPORARY TABLE IF NOT EXISTS unit_moves (id text, at timestamptz, "
                  "lat float8, lon float8, heading float8, speed float8) ON COMMIT DELETE ROWS")


@dataclass(frozen=True)
class Database:
    """The engines of one database: ``writer`` for the write path, ``reader`` for queries."""

    url: str
    writer: Engine
    reader: Engine

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and plain file paths; the store talks psycopg 3 and SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        psycopg = parsed.set(drivername="postgresql+psycopg")
        return psycopg.render_as_string(hide_password=False)
    return url


def libpq_conninfo(url: str) -> str:
    """The libpq connection string of a PostgreSQL URL, for the connections the store does not
    pool (the hub's LISTEN). Several servers (``?host=h1:p1&host=h2:p2``, as SQLAlchemy writes
    them, with ``target_session_attrs=read-write``: the one that takes writes, after a
    failover too) become libpq's own ``host=h1,h2 port=p1,p2``."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(normalise_url(url))
    params: dict[str, Any] = {key: value for key, value in parsed.query.items()
                              if key != "host"}
    hosts = parsed.query.get("host")
    if hosts:
        pairs = [str(h).rpartition(":") if ":" in str(h) else (str(h), "", "")
                 for h in ([hosts] if isinstance(hosts, str) else hosts)]
        params["host"] = ",".join(host for host, _, _ in pairs)
        if any(port for _, _, port in pairs):
            params["port"] = ",".join(port or str(parsed.port or 5432) for _, _, port in pairs)
    else:
        params.update(host=parsed.host, port=parsed.port)
    params.update(dbname=parsed.database, user=parsed.username, password=parsed.password)
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def open_database(url: str, *, pool_size: int = 10) -> Database:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        writer = _sqlite_engine(url, immediate=True)
        return Database(url, writer, _sqlite_engine(url, immediate=False))
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        # Where a position batch puts each unit's latest fix before one joined UPDATE
        # (console/store/positions.py); made once per connection, emptied at every commit.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(UNIT_MOVES_DDL)
        dbapi_connection.commit()

    return Database(url, engine, engine)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    if make_url(url).database in (None, "", ":memory:"):
        raise ValueError("the store needs a SQLite file, not an in-memory database")
    # Writers wait for the write lock in BEGIN IMMEDIATE (below), polling every half
    # millisecond; SQLite's own busy handler backs off to 20-100 ms between looks, so a command
    # waiting behind the position writer's slices slept through every gap between them.
    busy_ms = 0 if immediate else LOCK_TIMEOUT_S * 1000
    engine = create_engine(url, connect_args={"timeout": busy_ms / 1000,
                                              "check_same_thread": False},
                           pool_size=10, max_overflow=10)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, instead of pysqlite's own guess.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if immediate:
            _begin_immediate(connection.connection.driver_connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, looking again every half millisecond while another writer holds
    the lock (in WAL mode the only place a writer waits), for up to ``LOCK_TIMEOUT_S``."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(LOCK_POLL_S)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


#: The PostgreSQL advisory lock migrations hold (any number; this one spells "LNKG").
MIGRATION_LOCK = 0x4C4E4B47


class SchemaError(RuntimeError):
    """The database's schema is not the one this code was written for."""


def migrate(db: Database, revision: str = "head") -> list[str]:
    """Bring the schema up to ``revision``, from an empty database if need be; returns the
    revisions applied (none when it was up to date).

    One transaction, under a lock: on PostgreSQL an advisory lock held to the commit, on SQLite
    the write lock of ``BEGIN IMMEDIATE``. Several processes migrating at once (hubs started
    together with ``--migrate``) take turns, and all but the first find nothing left to do.
    """
    with db.writer.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = MigrationContext.configure(conn).get_current_revision()
        config = alembic_config(db.url)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        after = MigrationContext.configure(conn).get_current_revision()
    if before == after:
        return []
    script = ScriptDirectory.from_config(alembic_config(db.url))
    applied = [r.revision for r in script.iterate_revisions(after, before)]
    return list(reversed(applied))


def schema_revision(db: Database) -> str | None:
    """The revision the database's schema is at; None for an empty database."""
    with db.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def check_schema(db: Database) -> None:
    """Raise SchemaError, saying what to do, unless the schema is the one this code needs."""
    current, head = schema_revision(db), head_revision()
    if current == head:
        return
    script = ScriptDirectory.from_config(alembic_config(db.url))
    known = {r.revision for r in script.walk_revisions()}
    where = db.url.split("@")[-1]
    if current is not None and current not in known:
        raise SchemaError(
            f"The database {where} has schema {current}, newer than this version of the hub "
            f"knows (it needs {head}): run the hub of the version that migrated it.")
    raise SchemaError(
        f"The database {where} has schema {current or '(none: an empty database)'} and this "
        f"hub needs {head}. Migrate it first with 'main.py admin migrate --db URL', or start "
        f"the hub with --migrate.")
