"""Store fixtures: every store test runs on a SQLite file and on the real PostgreSQL.

PostgreSQL comes from ``LINKAGE_TEST_PG`` (a URL of a database the tests may connect to as a
user who can create databases; the Makefile sets the local server). The tests make a scratch
database per run and drop it at the end. A missing server fails the run; only a developer who
sets ``LINKAGE_TEST_PG=skip`` outside CI skips the PostgreSQL half.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store import schema
from console.store.db import normalise_url
from console.store.store import Store
from console.store.writer import Command
from tests.geo import small_geography

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Clock:
    """A clock the test moves by hand; the store asks it for "now"."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules.load(geography=small_geography())


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    admin_url = os.environ.get("LINKAGE_TEST_PG", DEFAULT_PG)
    if admin_url == "skip":
        if os.environ.get("CI"):
            pytest.fail("LINKAGE_TEST_PG=skip is not allowed in CI: the store must be tested on "
                        "PostgreSQL")
        pytest.skip("PostgreSQL tests skipped by LINKAGE_TEST_PG=skip")
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"linkage_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(f"PostgreSQL at {admin_url} is not usable ({error}); start it, or set "
                    "LINKAGE_TEST_PG to a server the tests may create databases on")
    url = make_url(normalise_url(admin_url)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_migrated: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, empty, migrated database: a new SQLite file, or the scratch PostgreSQL emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'store.db'}"
    return fresh_postgresql(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_db_url(pg_url: str) -> str:
    """A fresh, empty, migrated PostgreSQL database, for what only PostgreSQL can do."""
    return fresh_postgresql(pg_url)


def fresh_postgresql(url: str) -> str:
    if url in _migrated:
        engine = create_engine(url)
        with engine.begin() as conn:
            names = ", ".join(t.name for t in schema.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            conn.execute(insert(schema.log_head).values(id=1, seq=0))
        engine.dispose()
    _migrated.add(url)
    return url


@pytest.fixture
def clock() -> Clock:
    # A Wednesday morning in Chengdu, far from any holiday.
    return Clock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))


@pytest.fixture
def store(db_url: str, rules: Rules, clock: Clock) -> Iterator[Store]:
    s = Store(db_url, rules, clock=clock)
    yield s
    s.close()


CONTROLLER = Actor("ctl", frozenset({Role.CONTROLLER}))
ADMIN = Actor("admin", frozenset({Role.ADMIN}))


def command(name: str, /, **args: object) -> Command:
    return Command(str(uuid.uuid4()), name, args)


def new_incident_args(**overrides: object) -> dict[str, object]:
    args: dict[str, object] = {
        "source": "hotline", "category": "env.noise_construction", "priority": "P3",
        "description": "工地夜间施工噪声扰民", "location": {"lat": 30.6675, "lon": 104.1075,
                                                    "address": "建设路 1 号"},
        "reporter": {"name": "张先生", "phone": "13800000001"},
    }
    args.update(overrides)
    return args
