"""Each participant's state in the round, kept by the database, so counting is an index walk.

Working out everyone's state (survey/participants/state.py) reads three tables;
with 100,000 participants that takes a few hundred milliseconds. So the
result is kept in `participant_state`, one row per participant, and counting
reads only that table's index.

Kept correct by the database itself, whatever code changes a row: triggers
on participant, invitation and paper_form append the participant's id to
`participant_state_change` on every insert, update and delete, and a new
participant gets a placeholder row. A kept state is used only while the
participant has no change waiting and it is not past `valid_until` (when an
open link expires, the state changes with no row changing). Everyone else's
state is worked out afresh, in the same statement (survey/dashboard/counts.py),
and survey/dashboard/summary.py brings their rows up to date.

Appending, rather than updating the kept row, means a trigger never waits for
a lock that someone else holds on that row: changing an invitation cannot
deadlock with a refresh or with another change.
"""
from sqlalchemy import DDL, and_, event, or_, select

from ..extensions import db
from ..timeutil import UTCDateTime


class ParticipantState(db.Model):
    """A participant's state rank (participants/state.py: RANK) and the columns counted by."""

    __table_args__ = (
        db.Index("ix_participant_state_counts", "state_rank", "status", "opted_out",
                 "paper_mailed", "valid_until"),
        db.Index("ix_participant_state_valid_until", "valid_until"),
    )

    participant_id = db.Column(db.ForeignKey("participant.id", ondelete="CASCADE"),
                               primary_key=True, autoincrement=False)
    state_rank = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(12), nullable=False)
    opted_out = db.Column(db.Boolean, nullable=False)
    paper_mailed = db.Column(db.Boolean, nullable=False)
    #: When the state will change by time alone (an open link expiring); None: it will not.
    valid_until = db.Column(UTCDateTime)


class ParticipantStateChange(db.Model):
    """A participant whose kept state may be out of date: appended by triggers only."""

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.Integer, nullable=False, index=True)


def kept_state_is_current(now):
    """True for a kept state that is right at `now`: no change waiting, not run out."""
    return and_(or_(ParticipantState.valid_until.is_(None), ParticipantState.valid_until > now),
                ParticipantState.participant_id.not_in(
                    select(ParticipantStateChange.participant_id)))


#: The tables whose changes can change a participant's state, and their participant column.
WATCHED = {"participant": "id", "invitation": "participant_id", "paper_form": "participant_id"}

_PLACEHOLDER = ("INSERT INTO participant_state (participant_id, state_rank, status, opted_out, "
                "paper_mailed) VALUES (NEW.id, 1, NEW.status, {false}, {false});")


def _sqlite_triggers():
    statements = ["CREATE TRIGGER IF NOT EXISTS participant_state_new AFTER INSERT ON "
                  f"participant BEGIN {_PLACEHOLDER.format(false=0)} END"]
    for table, column in WATCHED.items():
        for event_name, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")),
                                 ("DELETE", ("OLD",))):
            if (table, event_name) == ("participant", "DELETE"):
                continue  # its kept row goes with it (ON DELETE CASCADE)
            appends = " ".join(
                f"INSERT INTO participant_state_change (participant_id) VALUES ({row}.{column});"
                for row in rows if not (event_name == "UPDATE" and row == "OLD"))
            if event_name == "UPDATE":  # moved to another participant: both change
                appends += (f" INSERT INTO participant_state_change (participant_id) "
                            f"SELECT OLD.{column} WHERE OLD.{column} IS NOT NEW.{column};")
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS participant_state_{table}_{event_name.lower()} "
                f"AFTER {event_name} ON {table} BEGIN {appends} END")
    return statements


def _postgresql_triggers():
    statements = [
        "CREATE OR REPLACE FUNCTION participant_state_new() RETURNS trigger AS $$ BEGIN "
        f"{_PLACEHOLDER.format(false='false')} RETURN NULL; END; $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE TRIGGER participant_state_new AFTER INSERT ON participant "
        "FOR EACH ROW EXECUTE FUNCTION participant_state_new()",
    ]
    for table, column in WATCHED.items():
        events = "INSERT OR UPDATE" if table == "participant" else "INSERT OR UPDATE OR DELETE"
        statements += [
            f"CREATE OR REPLACE FUNCTION participant_state_{table}_changed() RETURNS trigger "
            f"AS $$ BEGIN "
            f"IF TG_OP <> 'DELETE' THEN INSERT INTO participant_state_change (participant_id) "
            f"VALUES (NEW.{column}); END IF; "
            f"IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.{column} IS DISTINCT FROM "
            f"NEW.{column}) THEN INSERT INTO participant_state_change (participant_id) "
            f"VALUES (OLD.{column}); END IF; "
            f"RETURN NULL; END; $$ LANGUAGE plpgsql",
            f"CREATE OR REPLACE TRIGGER participant_state_{table}_changed AFTER {events} "
            f"ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION participant_state_{table}_changed()",
        ]
    return statements


TRIGGERS = {"sqlite": _sqlite_triggers(), "postgresql": _postgresql_triggers()}

for _dialect, _statements in TRIGGERS.items():
    for _statement in _statements:
        # After every table exists: the triggers name four of them. This runs on every
        # create_all, also when the tables were there already, hence "IF NOT EXISTS".
        event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect=_dialect))
