"""Search over the whole record (docs/protocol.md "Search"): Chinese substrings of a case's
description, address and reporter name found through an index the database keeps in step.

SQLite: an FTS5 table with the trigram tokenizer, ``incident_text``, one row per incident under
the incident's rowid, written by triggers on ``incidents`` (in the writing transaction, whatever
writes). PostgreSQL: ``pg_trgm`` GIN indexes on the same texts as expressions of ``incidents``'
document (console/store/search.py holds the expressions; they must stay identical).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 10:00:00
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The texts as console/store/search.py reads them.
_SQLITE_TEXTS = ("coalesce(json_extract({row}.doc, '$.description'), ''), "
                 "coalesce(json_extract({row}.doc, '$.location.address'), ''), "
                 "coalesce(json_extract({row}.doc, '$.reporter.name'), '')")
PG_PLACE = ("(coalesce(doc->>'description', '') || E'\\n' "
            "|| coalesce(doc#>>'{location,address}', ''))")
PG_NAME = "coalesce(doc#>>'{reporter,name}', '')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_incidents_text_place ON incidents "
                   f"USING gin ({PG_PLACE} gin_trgm_ops)")
        op.execute(f"CREATE INDEX ix_incidents_text_name ON incidents "
                   f"USING gin ({PG_NAME} gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE incident_text USING fts5("
               "description, address, reporter, tokenize = 'trigram')")
    op.execute(f"INSERT INTO incident_text (rowid, description, address, reporter) "
               f"SELECT rowid, {_SQLITE_TEXTS.format(row='incidents')} FROM incidents")
    op.execute(f"""CREATE TRIGGER incident_text_insert AFTER INSERT ON incidents BEGIN
        INSERT INTO incident_text (rowid, description, address, reporter)
        VALUES (new.rowid, {_SQLITE_TEXTS.format(row='new')}); END""")
    # Most updates change a state, not these texts: the index is rewritten only when they do.
    op.execute(f"""CREATE TRIGGER incident_text_update AFTER UPDATE OF doc ON incidents
        WHEN json_extract(old.doc, '$.description') IS NOT json_extract(new.doc, '$.description')
          OR json_extract(old.doc, '$.location.address')
             IS NOT json_extract(new.doc, '$.location.address')
          OR json_extract(old.doc, '$.reporter.name') IS NOT json_extract(new.doc, '$.reporter.name')
        BEGIN
        DELETE FROM incident_text WHERE rowid = old.rowid;
        INSERT INTO incident_text (rowid, description, address, reporter)
        VALUES (new.rowid, {_SQLITE_TEXTS.format(row='new')}); END""")
    op.execute("""CREATE TRIGGER incident_text_delete AFTER DELETE ON incidents BEGIN
        DELETE FROM incident_text WHERE rowid = old.rowid; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_incidents_text_name")
        op.execute("DROP INDEX IF EXISTS ix_incidents_text_place")
        return
    for trigger in ("incident_text_delete", "incident_text_update", "incident_text_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS incident_text")
