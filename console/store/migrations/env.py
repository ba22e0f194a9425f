"""Alembic environment: migrations run on a connection the store hands in, or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from console.store.schema import include_object, metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata,
                          include_object=include_object,
                          render_as_batch=connection.dialect.name == "sqlite")
        context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata,
                          include_object=include_object,
                          render_as_batch=conn.dialect.name == "sqlite")
        context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      include_object=include_object, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
