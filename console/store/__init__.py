"""The system of record: SQLAlchemy models, migrations, the event log and the one write path."""
