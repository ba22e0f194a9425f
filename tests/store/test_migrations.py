"""The schema is built by the Alembic migrations, from empty, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from console.store import schema
from console.store.db import alembic_config, migrate, open_database


def test_migrations_build_the_schema_the_code_expects(db_url: str) -> None:
    db = open_database(db_url)
    try:
        migrate(db)
        with db.writer.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": schema.include_object})
            head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
            assert context.get_current_revision() == head
            # No difference between the migrated database and the tables the code writes to
            # (the search index is the database's own, migration 0006).
            assert compare_metadata(context, schema.metadata) == []
            assert conn.exec_driver_sql("SELECT seq FROM log_head WHERE id = 1").scalar() == 0
        # Migrating again is harmless.
        migrate(db)
    finally:
        db.dispose()


def test_downgrade_to_empty_and_up_again(db_url: str) -> None:
    db = open_database(db_url)
    try:
        migrate(db)
        with db.writer.begin() as conn:
            config = alembic_config(db_url)
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with db.reader.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        migrate(db)
        with db.reader.connect() as conn:
            assert set(schema.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        db.dispose()
