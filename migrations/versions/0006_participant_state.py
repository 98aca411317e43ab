"""kept participant states for the follow-up counts, with the triggers that keep them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 04:30:00

"""
from alembic import op
import sqlalchemy as sa

# A snapshot of survey/dashboard/models.py's triggers as they are at this revision.
TRIGGERS = {
    "sqlite": [
        'CREATE TRIGGER participant_state_new AFTER INSERT ON participant BEGIN INSERT INTO participant_state (participant_id, state_rank, status, opted_out, paper_mailed) VALUES (NEW.id, 1, NEW.status, 0, 0); END',
        'CREATE TRIGGER participant_state_participant_insert AFTER INSERT ON participant BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.id); END',
        'CREATE TRIGGER participant_state_participant_update AFTER UPDATE ON participant BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.id); INSERT INTO participant_state_change (participant_id) SELECT OLD.id WHERE OLD.id IS NOT NEW.id; END',
        'CREATE TRIGGER participant_state_invitation_insert AFTER INSERT ON invitation BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); END',
        'CREATE TRIGGER participant_state_invitation_update AFTER UPDATE ON invitation BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); INSERT INTO participant_state_change (participant_id) SELECT OLD.participant_id WHERE OLD.participant_id IS NOT NEW.participant_id; END',
        'CREATE TRIGGER participant_state_invitation_delete AFTER DELETE ON invitation BEGIN INSERT INTO participant_state_change (participant_id) VALUES (OLD.participant_id); END',
        'CREATE TRIGGER participant_state_paper_form_insert AFTER INSERT ON paper_form BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); END',
        'CREATE TRIGGER participant_state_paper_form_update AFTER UPDATE ON paper_form BEGIN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); INSERT INTO participant_state_change (participant_id) SELECT OLD.participant_id WHERE OLD.participant_id IS NOT NEW.participant_id; END',
        'CREATE TRIGGER participant_state_paper_form_delete AFTER DELETE ON paper_form BEGIN INSERT INTO participant_state_change (participant_id) VALUES (OLD.participant_id); END',
    ],
    "postgresql": [
        'CREATE OR REPLACE FUNCTION participant_state_new() RETURNS trigger AS $$ BEGIN INSERT INTO participant_state (participant_id, state_rank, status, opted_out, paper_mailed) VALUES (NEW.id, 1, NEW.status, false, false); RETURN NULL; END; $$ LANGUAGE plpgsql',
        'CREATE TRIGGER participant_state_new AFTER INSERT ON participant FOR EACH ROW EXECUTE FUNCTION participant_state_new()',
        "CREATE OR REPLACE FUNCTION participant_state_participant_changed() RETURNS trigger AS $$ BEGIN IF TG_OP <> 'DELETE' THEN INSERT INTO participant_state_change (participant_id) VALUES (NEW.id); END IF; IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id) THEN INSERT INTO participant_state_change (participant_id) VALUES (OLD.id); END IF; RETURN NULL; END; $$ LANGUAGE plpgsql",
        'CREATE TRIGGER participant_state_participant_changed AFTER INSERT OR UPDATE ON participant FOR EACH ROW EXECUTE FUNCTION participant_state_participant_changed()',
        "CREATE OR REPLACE FUNCTION participant_state_invitation_changed() RETURNS trigger AS $$ BEGIN IF TG_OP <> 'DELETE' THEN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); END IF; IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.participant_id IS DISTINCT FROM NEW.participant_id) THEN INSERT INTO participant_state_change (participant_id) VALUES (OLD.participant_id); END IF; RETURN NULL; END; $$ LANGUAGE plpgsql",
        'CREATE TRIGGER participant_state_invitation_changed AFTER INSERT OR UPDATE OR DELETE ON invitation FOR EACH ROW EXECUTE FUNCTION participant_state_invitation_changed()',
        "CREATE OR REPLACE FUNCTION participant_state_paper_form_changed() RETURNS trigger AS $$ BEGIN IF TG_OP <> 'DELETE' THEN INSERT INTO participant_state_change (participant_id) VALUES (NEW.participant_id); END IF; IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.participant_id IS DISTINCT FROM NEW.participant_id) THEN INSERT INTO participant_state_change (participant_id) VALUES (OLD.participant_id); END IF; RETURN NULL; END; $$ LANGUAGE plpgsql",
        'CREATE TRIGGER participant_state_paper_form_changed AFTER INSERT OR UPDATE OR DELETE ON paper_form FOR EACH ROW EXECUTE FUNCTION participant_state_paper_form_changed()',
    ],
}
WATCHED = ("participant", "invitation", "paper_form")


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participant_state',
    sa.Column('participant_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state_rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('paper_mailed', sa.Boolean(), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id')
    )
    with op.batch_alter_table('participant_state', schema=None) as batch_op:
        batch_op.create_index('ix_participant_state_counts',
                              ['state_rank', 'status', 'opted_out', 'paper_mailed',
                               'valid_until'], unique=False)
        batch_op.create_index('ix_participant_state_valid_until', ['valid_until'],
                              unique=False)
    op.create_table('participant_state_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('participant_state_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_state_change_participant_id'),
                              ['participant_id'], unique=False)
    # Everyone already there gets a placeholder, worked out on the first refresh.
    false = "false" if op.get_bind().dialect.name == "postgresql" else "0"
    op.execute("INSERT INTO participant_state (participant_id, state_rank, status, opted_out, "
               f"paper_mailed) SELECT id, 1, status, {false}, {false} FROM participant")
    op.execute("INSERT INTO participant_state_change (participant_id) SELECT id FROM participant")
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for table in WATCHED:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS participant_state_{table}_changed ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS participant_state_{table}_changed()")
        else:
            for event_name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS participant_state_{table}_{event_name}")
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS participant_state_new ON participant")
        op.execute("DROP FUNCTION IF EXISTS participant_state_new()")
    else:
        op.execute("DROP TRIGGER IF EXISTS participant_state_new")
    op.drop_table('participant_state_change')
    op.drop_table('participant_state')
