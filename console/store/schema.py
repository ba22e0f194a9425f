"""The tables of the system of record (SQLAlchemy Core), the same on SQLite and PostgreSQL.

``events`` is the log: every change is an event with a gap-free ``seq``. The other tables are the
current state the log implies, updated in the same transaction, kept so that queues, lookups and
snapshots need not replay the log. An incident's full state is one JSON document (``doc``) owned
by the domain; the columns beside it are projections for indexing and filtering.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; every time must carry its zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# One row (id = 1) holding the last seq handed out. Writers take its row lock last in their
# transaction and keep it until commit, so commit order is seq order across threads and hubs.
log_head = Table(
    "log_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

events = Table(
    "events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("name", String(64), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("subject", String(64), nullable=False, index=True),
    Column("command_id", String(64), index=True),
    Column("data", Json, nullable=False),
)

# Results of applied commands, by command id: a command re-sent with the same id is answered
# from here and applied once.
commands = Table(
    "commands", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("result", Json, nullable=False),
)

incidents = Table(
    "incidents", metadata,
    Column("id", String(32), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("source", String(16), nullable=False),
    Column("request_type", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("priority", String(2), nullable=False),
    Column("street", String(64)),
    Column("community", String(64)),
    Column("grid", String(64)),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lead_department", String(64)),
    Column("reporter_phone", String(32)),
    Column("police_case_no", String(64)),
    Column("supervised", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("next_due_at", UtcDateTime),
    Column("next_due_stage", String(16)),
    Column("version", Integer, nullable=False),
    Column("doc", Json, nullable=False),
    # The record's marks (console/domain/record.py), for searches over the whole record.
    Column("closed_at", UtcDateTime),
    Column("satisfaction", String(24)),
    Column("ever_supervised", Boolean, nullable=False, server_default=false()),
    Column("ever_overdue", Boolean, nullable=False, server_default=false()),
    # The queue: open incidents of a street or a department, soonest deadline first.
    Index("ix_incidents_queue_street", "is_open", "street", "next_due_at"),
    Index("ix_incidents_queue_department", "is_open", "lead_department", "next_due_at"),
    Index("ix_incidents_queue_all", "is_open", "next_due_at"),
    # Intake: a caller's earlier cases, newest first.
    Index("ix_incidents_caller", "reporter_phone", "created_at"),
    Index("ix_incidents_police_case_no", "police_case_no"),
    # A hub's early-warning watch reads the last week's creations back at start.
    Index("ix_incidents_created_at", "created_at"),
    # The record: a department's cases of a month, those closed in a range, those near a place.
    Index("ix_incidents_department_created", "lead_department", "created_at"),
    Index("ix_incidents_closed_at", "closed_at"),
    Index("ix_incidents_place", "lat", "lon"),
)

# Which events concern which incident (an event can concern two: a merge), for the timeline.
incident_timeline = Table(
    "incident_timeline", metadata,
    Column("incident_id", String(32), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
)

assignments = Table(
    "assignments", metadata,
    Column("id", String(40), primary_key=True),
    Column("incident_id", String(32), nullable=False, index=True),
    Column("unit_id", String(64), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("dispatched_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

units = Table(
    "units", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("tier", Integer),
    Column("status", String(16), nullable=False),
    Column("status_since", UtcDateTime, nullable=False),
    Column("street", String(64), index=True),
    Column("community", String(64)),
    Column("grid", String(64)),
    Column("skills", Json, nullable=False),
    Column("assignment", String(40)),
    Column("version", Integer, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("heading", Float),
    Column("speed", Float),
    Column("position_at", UtcDateTime),
    # A call for help waiting for a controller (console/domain/units.py Sos), else NULL.
    Column("sos", Json),
)

# Track history: high volume, not events; written in batches. Append-only and read by unit and
# time, so it has no surrogate key to allocate per row, only the (unit, time) index.
positions = Table(
    "positions", metadata,
    Column("unit_id", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("heading", Float, nullable=False),
    Column("speed", Float, nullable=False),
    Index("ix_positions_unit_at", "unit_id", "at"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("roles", Json, nullable=False),
    Column("department", String(64)),
    Column("unit", String(64)),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Wrong passwords since the last good login, the last of them, and when the account was
    # locked for them (docs/security.md "Logins"); an admin's unlock clears all three.
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("last_failed_at", UtcDateTime),
    Column("locked_at", UtcDateTime),
)

# Session tokens are random; only their SHA-256 is stored.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    # When the token was last presented (idle expiry), where from and by which client
    # (``admin sessions``), and why it was ended (logout, rotated, revoked, disabled, ...).
    Column("last_used_at", UtcDateTime),
    Column("address", String(64)),
    Column("client", String(128)),
    Column("revoked_reason", String(32)),
)

# The audit trail (console/store/audit.py): append-only, each row's hash covers the row and
# the hash of the row before it, so a row removed or edited by hand breaks the chain.
audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64)),
    Column("action", String(64), nullable=False, index=True),
    Column("subject", String(128)),
    Column("detail", Json, nullable=False),
    Column("address", String(64)),
    Column("client", String(128)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_at", "at"),
    Index("ix_audit_actor_at", "actor", "at"),
)

cameras = Table(
    "cameras", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("stream_url", Text, nullable=False),
    Column("grid", String(64)),
    Column("street", String(64)),
)

# Streets, communities and grid cells with their GeoJSON geometry.
geo_areas = Table(
    "geo_areas", metadata,
    Column("code", String(64), primary_key=True),
    Column("level", String(16), nullable=False, index=True),
    Column("parent", String(64)),
    Column("name_zh", String(128), nullable=False),
    Column("name_en", String(128), nullable=False),
    Column("geometry", Json, nullable=False),
)

# Messages owed to police centers (docs/police-interface.md), written in the transaction of the
# state change that owes them and delivered in ``id`` order; ``delivered_at`` is set by the
# ``police.message_delivered`` event once the police have acknowledged one. ``center`` is the
# police account to deliver to; NULL means whichever police center is connected.
police_outbox = Table(
    "police_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(80), nullable=False, unique=True),
    Column("incident_id", String(32), nullable=False),
    Column("center", String(64)),
    Column("seq", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("body", Json, nullable=False),
    Index("ix_police_outbox_waiting", "delivered_at", "id"),
)

# Tasks owed to field units (DESIGN §5c, console/domain/field.py), written in the transaction of
# the event that owes them (``seq``), delivered per unit in ``seq`` order; ``delivered_at`` is set
# by the event that records the device's ack (``assignment.delivered``/``unit.task_delivered``).
field_tasks = Table(
    "field_tasks", metadata,
    Column("id", String(80), primary_key=True),
    Column("unit_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("incident_id", String(32)),
    Column("assignment_id", String(40)),
    Column("seq", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("body", Json, nullable=False),
    Index("ix_field_tasks_waiting", "unit_id", "delivered_at", "seq"),
    Index("ix_field_tasks_pending", "delivered_at", "seq"),
)

# Every police hand-off by its shared id (a diversion's from the police, an escalation's ours),
# so a message naming one finds its incident, and a case sent twice is recognised.
police_cases = Table(
    "police_cases", metadata,
    Column("shared_id", String(64), primary_key=True),
    Column("incident_id", String(32), nullable=False),
    Column("direction", String(16), nullable=False),
)

# Major incidents (MI-20261127-01): the domain's document plus what the snapshot selects on —
# the active ones and those stood down lately.
major_incidents = Table(
    "major_incidents", metadata,
    Column("id", String(32), primary_key=True),
    Column("level", String(4), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
    Column("stood_down_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_major_incidents_current", "active", "stood_down_at"),
)

# Early warnings (EW-20261127-001) raised by the hubs' detector: the unacknowledged ones and the
# last day's go into the snapshot; a restarted hub reads the recent ones back per area.
early_warnings = Table(
    "early_warnings", metadata,
    Column("id", String(32), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("level", String(16), nullable=False),
    Column("area", String(64), nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("acknowledged_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_early_warnings_current", "acknowledged_at", "raised_at"),
    Index("ix_early_warnings_raised", "raised_at"),
)

# Per-day counters behind incident ids like CH-20261127-000123 (``day`` 20261127), and behind
# major incident and warning numbers (``day`` MI-20261127, EW-20261127).
id_counters = Table(
    "id_counters", metadata,
    Column("day", String(16), primary_key=True),
    Column("last", Integer, nullable=False),
)

# Attachments (console/store/attachments.py): each file's bytes once by their SHA-256, in the
# database itself (docs/protocol.md "Attachments": one backup, every hub reads them), with the
# JPEG thumbnail the hub made of an image beside them; and each attachment of an incident,
# several of which may share one file.
attachment_files = Table(
    "attachment_files", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("thumbnail", LargeBinary),
    Column("stored_at", UtcDateTime, nullable=False),
)

attachments = Table(
    "attachments", metadata,
    Column("id", String(64), primary_key=True),
    Column("incident_id", String(32), nullable=False),
    Column("sha256", String(64), ForeignKey("attachment_files.sha256"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index("ix_attachments_incident_id", "incident_id"),
)

# Duty rosters (console/domain/roster.py): each rostered stretch of a unit's day, imported by
# an admin (``admin import-roster``), read by the clock-in check and the assessment.
roster_shifts = Table(
    "roster_shifts", metadata,
    Column("id", String(80), primary_key=True),
    Column("unit_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("note", String(200), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Index("ix_roster_shifts_unit_id", "unit_id", "starts_at"),
)

# Electronic patrol checkpoints (电子巡更点): reference data, imported like cameras.
checkpoints = Table(
    "checkpoints", metadata,
    Column("id", String(64), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(100), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("grid", String(64)),
    Column("community", String(64)),
    Index("ix_checkpoints_grid", "grid"),
)

# The search index (migration 0006, console/store/search.py) is the database's own: an FTS5
# table with its shadow tables on SQLite, expression indexes on PostgreSQL. It is not among the
# tables above, so comparing them with a database leaves it out.
SEARCH_INDEX_TABLES = "incident_text"
#: The names of the day partitions of ``positions`` (PostgreSQL, migration 0009).
TRACK_PARTITION = re.compile(r"^positions_\d{8}$")
SEARCH_INDEX_INDEXES = frozenset({"ix_incidents_text_place", "ix_incidents_text_name"})


def include_object(obj: object, name: str | None, kind: str, reflected: bool,
                   compare_to: object) -> bool:
    """Alembic's filter for comparing the tables above with a database."""
    if kind == "table" and name is not None and name.startswith(SEARCH_INDEX_TABLES):
        return False
    if kind == "table" and name is not None and TRACK_PARTITION.match(name):
        return False  # a day of positions on PostgreSQL (console/store/tracks.py)
    return not (kind == "index" and name in SEARCH_INDEX_INDEXES)
