"""study IDs in one canonical form (trimmed, upper case), so P100 and p100 are one participant

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 20:30:00

Existing study IDs are upper-cased. If two of them become the same (e.g. P100 and p100),
the upgrade stops and names them, changing nothing: someone must decide which participant
is which first. A check then keeps every stored study ID canonical, so the unique
constraint on study_id holds for the canonical form.
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

CHECK = "study_id = upper(study_id)"
NAME = "ck_participant_study_id_canonical"
#: SQLite cannot add a check to an existing table without rebuilding it (which would drop
#: the participant-state triggers of 0006): these triggers do the same check there.
SQLITE_TRIGGERS = ("INSERT", "UPDATE")


class StudyIdCollision(RuntimeError):
    """Two existing study IDs differ only in case or spaces."""


def collisions(study_ids):
    """{canonical: [ids]} for canonical forms that more than one existing study ID shares."""
    groups = defaultdict(list)
    for study_id in study_ids:
        groups[study_id.strip().upper()].append(study_id)
    return {key: sorted(ids) for key, ids in groups.items() if len(ids) > 1}


def upgrade():
    bind = op.get_bind()
    study_ids = bind.execute(sa.text("SELECT study_id FROM participant")).scalars().all()
    clashes = collisions(study_ids)
    if clashes:
        raise StudyIdCollision(
            "these study IDs become the same in upper case; give each participant a study ID "
            "of its own (or merge them) and upgrade again: "
            + "; ".join(" and ".join(ids) for ids in clashes.values()))
    bind.execute(sa.text("UPDATE participant SET study_id = upper(trim(study_id)) "
                         "WHERE study_id <> upper(trim(study_id))"))
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE participant ADD CONSTRAINT {NAME} CHECK ({CHECK})")
        return
    for event in SQLITE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {NAME}_{event.lower()} BEFORE {event} ON participant "
                   "WHEN NEW.study_id <> upper(NEW.study_id) "
                   f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}'); END")


def downgrade():
    # The upper-cased study IDs stay: their original case is not kept anywhere.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE participant DROP CONSTRAINT {NAME}")
        return
    for event in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {NAME}_{event.lower()}")
