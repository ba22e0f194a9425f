"""The record's marks of a case (console/domain/record.py) as columns of ``incidents``, for
searches over the whole record: when it was closed, the verdict of its latest verification,
whether it was ever supervised, whether a clock of it ever ran late; with indexes for a
department's month, a closing range and the cases near a place.

The caller index ``reporter_phone`` now holds a phone's digits alone (``137-0000-0007`` is
``13700000007``), so a caller is found however the number was typed; existing rows are rewritten.

Existing rows are filled from the log: the closing time from the last closing event of a closed
case, the verdict from the latest verification, supervision from any ``incident.supervised``.
"Ever overdue" needs the SLA limits: it is computed from the runs the document holds (the last
of each stage, and each assignment's arrive clock) with the resources' rules, at the time of the
case's last change; a run replaced by a later one of its stage is not seen (the log's events do
not keep the limits that applied).

The columns are added in place (no table copy on SQLite: that would drop the search index's
triggers, migration 0006).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-15 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_CLOSING = "('incident.closed', 'incident.answered', 'incident.police_cancelled')"
_VERDICTS = "('incident.verified', 'incident.verification_failed')"
_SCALE = "('satisfied', 'basically_satisfied', 'dissatisfied')"
_SUPERVISED = "('incident.supervised')"
_OF_CASE = ("FROM incident_timeline t JOIN events e ON e.seq = t.seq "
            "WHERE t.incident_id = incidents.id AND e.name IN {names}")
#: How many documents the overdue fill reads at a time.
_CHUNK = 2000


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column('incidents', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('incidents', sa.Column('satisfaction', sa.String(length=24), nullable=True))
    op.add_column('incidents', sa.Column('ever_supervised', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column('incidents', sa.Column('ever_overdue', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.create_index('ix_incidents_department_created', 'incidents',
                    ['lead_department', 'created_at'], unique=False)
    op.create_index('ix_incidents_closed_at', 'incidents', ['closed_at'], unique=False)
    op.create_index('ix_incidents_place', 'incidents', ['lat', 'lon'], unique=False)

    op.execute(f"UPDATE incidents SET closed_at = (SELECT max(e.at) "
               f"{_OF_CASE.format(names=_CLOSING)}) WHERE state = 'closed'")
    if postgres:
        given, flag = "e.data->>'satisfaction'", "(e.data->>'satisfied')::boolean"
    else:
        given, flag = ("json_extract(e.data, '$.satisfaction')",
                       "json_extract(e.data, '$.satisfied')")
    op.execute(f"""UPDATE incidents SET satisfaction = (
        SELECT CASE WHEN {given} IN {_SCALE} THEN {given}
                    WHEN coalesce({flag}, e.name = 'incident.verified') THEN 'satisfied'
                    ELSE 'dissatisfied' END
        {_OF_CASE.format(names=_VERDICTS)} ORDER BY e.seq DESC LIMIT 1)""")
    op.execute(f"UPDATE incidents SET ever_supervised = (supervised OR EXISTS (SELECT 1 "
               f"{_OF_CASE.format(names=_SUPERVISED)}))")
    _fill_from_documents(bind)



def _fill_from_documents(bind: sa.Connection) -> None:
    """``ever_overdue``, and the phone as the record now indexes it (its digits alone)."""
    # Imported here: only this step needs the domain and its rules.
    from console.domain.incident import Incident
    from console.domain.record import ran_late
    from console.domain.rules import Rules
    from console.domain.search import phone_key

    rules = Rules.load()
    incidents = sa.table('incidents', sa.column('id', sa.String), sa.column('doc', sa.JSON),
                         sa.column('ever_overdue', sa.Boolean),
                         sa.column('reporter_phone', sa.String))
    mark = sa.update(incidents).where(incidents.c.id == sa.bindparam('case_id')).values(
        ever_overdue=True)
    rekey = sa.update(incidents).where(incidents.c.id == sa.bindparam('case_id')).values(
        reporter_phone=sa.bindparam('phone'))
    after = ""
    while True:
        rows = bind.execute(sa.select(incidents.c.id, incidents.c.doc)
                            .where(incidents.c.id > after).order_by(incidents.c.id)
                            .limit(_CHUNK)).all()
        if not rows:
            return
        late, phones = [], []
        for case_id, doc in rows:
            inc = Incident.from_dict(doc)
            if ran_late(inc, rules, inc.updated_at or inc.created_at):
                late.append({'case_id': case_id})
            if inc.reporter.phone and phone_key(inc.reporter.phone) != inc.reporter.phone:
                phones.append({'case_id': case_id,
                               'phone': phone_key(inc.reporter.phone) or None})
        if late:
            bind.execute(mark, late)
        if phones:
            bind.execute(rekey, phones)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index('ix_incidents_place', table_name='incidents')
    op.drop_index('ix_incidents_closed_at', table_name='incidents')
    op.drop_index('ix_incidents_department_created', table_name='incidents')
    for column in ('ever_overdue', 'ever_supervised', 'satisfaction', 'closed_at'):
        op.drop_column('incidents', column)
