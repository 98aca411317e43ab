"""Where a participant is in the round: the one home of these rules.

Every rule is written here twice, side by side: in Python, for one
participant (their follow-up page, the actions, the command line), and as
SQL, for many at once (the follow-up page's counts and list, the reminder
run). tests/participants/test_state.py checks over a table of participant
situations that the two give the same answer.

Each participant is in exactly one *state*: the highest-ranked that applies,

    submitted_web > submitted_clinic > submitted_paper   (answered: a link submitted,
                                                          or a paper form verified)
    > paper_received                                      (paper back, not yet verified)
    > deceased > withdrawn                                (and had not answered)
    > in_progress > opened > invited > expired            (their link)
    > not_invited                                         (no link, or only revoked ones)

so that one number says it all. From the state follow the rest: who has
answered, who may be sent an invitation, who may be reminded, and when their
next reminder goes out (the schedule's spacing, then the sending hours).
"""
from sqlalchemy import Integer, and_, case, exists, func, literal_column, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..codes import CHANNELS  # noqa: F401 (read from here by views and services)
from .models import Participant, related_model

#: Lowest to highest: a participant's state is the highest one that applies.
RANKED_STATES = ("not_invited", "expired", "invited", "opened", "in_progress", "withdrawn",
                 "deceased", "paper_received", "submitted_paper", "submitted_clinic",
                 "submitted_web")
RANK = {state: rank for rank, state in enumerate(RANKED_STATES, start=1)}
STATE_OF_RANK = {rank: state for state, rank in RANK.items()}
#: Answered, by web, at the clinic, or on paper (verified).
ANSWERED = ("submitted_web", "submitted_clinic", "submitted_paper")
#: How a participant in an answered state answered.
ANSWER_MODE = {"submitted_web": "web", "submitted_clinic": "clinic",
               "submitted_paper": "paper"}
#: States in which a reminder may still be due (an open link, nothing back yet).
REMINDABLE = ("invited", "opened", "in_progress")
#: States in which the participant may be sent a (new) invitation: no open link, nothing back.
INVITABLE = ("not_invited", "expired")


# --- the state, in Python: one participant -------------------------------------------------


def link_rank(invitation, now):
    """How far one link got, as a rank (0: it counts for nothing)."""
    web = invitation.mode == "web"
    if invitation.completed_at is not None:
        return RANK["submitted_web"] if web else RANK["submitted_clinic"]
    if invitation.revoked_at is not None:
        return 0
    if invitation.expires_at <= now:
        return RANK["expired"] if web else 0
    if invitation.last_activity_at is not None:
        return RANK["in_progress"]
    if not web:
        return 0  # a clinic session is not an invitation
    return RANK["opened"] if invitation.opened_at is not None else RANK["invited"]


def paper_rank(form):
    """A verified paper form is a submitted paper response; any other is paper received."""
    return RANK["submitted_paper"] if form.status == "verified" else RANK["paper_received"]


def own_rank(participant):
    """What the participant's own row says: paper received, deceased, withdrawn."""
    if participant.paper_received_on is not None:
        return RANK["paper_received"]
    return {"deceased": RANK["deceased"], "withdrawn": RANK["withdrawn"]}.get(
        participant.status, 0)


def participant_state(participant, now):
    """The participant's state at `now` (a name from RANKED_STATES)."""
    ranks = [1, own_rank(participant)]
    ranks += [link_rank(i, now) for i in participant.invitations]
    ranks += [paper_rank(f) for f in participant.paper_forms]
    return STATE_OF_RANK[max(ranks)]


def has_answered(participant):
    """Submitted on the web or at the clinic, or a paper form verified."""
    return (any(i.completed_at is not None for i in participant.invitations)
            or any(f.status == "verified" for f in participant.paper_forms))


def paper_is_back(participant):
    """A paper questionnaire came back: recorded as received, or keyed in."""
    return participant.paper_received_on is not None or bool(participant.paper_forms)


def has_address(participant, channel=None):
    """Whether the participant can be reached by `channel` (default: their own).

    A letter can always be made: the study team holds the postal address.
    """
    channel = channel or participant.channel
    return {"email": bool(participant.email), "sms": bool(participant.phone),
            "letter": True}[channel]


def default_channel(email, phone):
    """The channel when none is given: e-mail if there is an address, else SMS, else letter."""
    return "email" if email else "sms" if phone else "letter"


def open_web_links(participant, now):
    """The participant's web links that can still be answered (normally at most one)."""
    return [i for i in participant.invitations
            if i.mode == "web" and i.revoked_at is None and i.completed_at is None
            and i.expires_at > now]


def open_invitations(participant, now):
    """Invitations of this participant that can still be answered."""
    return [i for i in participant.invitations
            if i.revoked_at is None and i.completed_at is None and not i.is_expired(now)]


def is_invitable(participant, now):
    """May be sent an invitation: active, nothing back, and no open link."""
    return participant.status == "active" and participant_state(participant, now) in INVITABLE


def may_get_new_link(participant):
    """May get a new link (the old one revoked): active and has not answered."""
    return participant.status == "active" and not has_answered(participant)


def is_remindable(participant, now):
    """May be reminded now or later: an open web link, nothing back, active, not opted
    out, and an address for their channel."""
    return (participant_state(participant, now) in REMINDABLE
            and participant.opted_out_at is None and has_address(participant)
            and bool(open_web_links(participant, now)))


# --- when the next reminder goes out ----------------------------------------------------------


def scheduled_reminder_at(policy, invited_at, reminders_so_far, last_reminder_at, expires_at):
    """When the link's next reminder is due by the schedule; None if no more will be.

    policy.due_at: days after the invitation was sent, keeping the schedule's
    spacing after a late reminder. None, too, when that is after the link expires.
    """
    due = policy.due_at(invited_at, reminders_so_far, last_reminder_at)
    return due if due is not None and due < expires_at else None


def next_reminder_at(policy, invited_at, reminders_so_far, last_reminder_at, expires_at, now):
    """When the link's next reminder goes out, seen at `now`; None if it never will.

    Due by the schedule (scheduled_reminder_at), then the first moment from
    then on, and not before `now`, inside the sending hours; before the link
    expires. The reminder run at `now` sends it exactly when this is `now` (due by the
    schedule, and `now` inside the sending hours).
    """
    due = scheduled_reminder_at(policy, invited_at, reminders_so_far, last_reminder_at,
                                expires_at)
    if due is None:
        return None
    at = policy.next_sending_time(max(due, now))
    return at if at < expires_at else None


# --- the same rules in SQL: many participants at once -------------------------------------------
# The SQL reads the links and paper forms through Participant's relationships (the models they
# name), as the Python above does, so the entity imports none of the packages built on it.


class Greatest(FunctionElement):
    """GREATEST(a, b, ...); SQLite spells it max(a, b, ...). No argument may be NULL."""

    type = Integer()
    name = "greatest"
    inherit_cache = True


@compiles(Greatest)
def _compile_greatest(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(Greatest, "sqlite")
def _compile_greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


def open_link_sql(now):
    """The Invitation row can still be answered at `now`."""
    Invitation = related_model(Participant.invitations)
    return and_(Invitation.completed_at.is_(None), Invitation.revoked_at.is_(None),
                Invitation.expires_at > now)


def link_rank_sql(now):
    """link_rank() per Invitation row."""
    Invitation = related_model(Participant.invitations)
    web = Invitation.mode == "web"
    done = Invitation.completed_at.is_not(None)
    still_open = open_link_sql(now)
    return case((and_(done, web), RANK["submitted_web"]),
                (done, RANK["submitted_clinic"]),
                (and_(still_open, Invitation.last_activity_at.is_not(None)),
                 RANK["in_progress"]),
                (and_(still_open, web, Invitation.opened_at.is_not(None)), RANK["opened"]),
                (and_(still_open, web), RANK["invited"]),
                (and_(web, Invitation.revoked_at.is_(None), Invitation.completed_at.is_(None)),
                 RANK["expired"]),
                else_=0)


def paper_rank_sql():
    """paper_rank() per PaperForm row."""
    PaperForm = related_model(Participant.paper_forms)
    return case((PaperForm.status == "verified", RANK["submitted_paper"]),
                else_=RANK["paper_received"])


def own_rank_sql():
    """own_rank() per Participant row."""
    return case((Participant.paper_received_on.is_not(None), RANK["paper_received"]),
                (Participant.status == "deceased", RANK["deceased"]),
                (Participant.status == "withdrawn", RANK["withdrawn"]), else_=0)


def state_rank_sql(now):
    """participant_state() of the enclosing query's Participant row, as its rank."""
    Invitation = related_model(Participant.invitations)
    PaperForm = related_model(Participant.paper_forms)
    link = (select(func.max(link_rank_sql(now)))
            .where(Invitation.participant_id == Participant.id).scalar_subquery())
    paper = (select(func.max(paper_rank_sql()))
             .where(PaperForm.participant_id == Participant.id).scalar_subquery())
    return Greatest(literal_column("1"), func.coalesce(link, 0), func.coalesce(paper, 0),
                    own_rank_sql())


def has_address_sql():
    """has_address() of the Participant row, by their own channel."""
    return or_(Participant.channel == "letter",
               and_(Participant.channel == "email", Participant.email.is_not(None),
                    Participant.email != ""),
               and_(Participant.channel == "sms", Participant.phone.is_not(None),
                    Participant.phone != ""))


def may_be_sent_reminder_sql(now):
    """may_be_sent_reminder() as conditions on joined Invitation and Participant rows.

    Written out rather than through state_rank_sql, so that the reminder run
    can lock the invitation row (FOR UPDATE) with no aggregate in the query.
    """
    Invitation = related_model(Participant.invitations)
    PaperForm = related_model(Participant.paper_forms)
    other = Invitation.__table__.alias("other_link")
    return (
        Invitation.mode == "web", open_link_sql(now), Participant.status == "active",
        Participant.opted_out_at.is_(None), Participant.paper_received_on.is_(None),
        has_address_sql(),
        not_(exists().where(other.c.participant_id == Participant.id,
                            other.c.completed_at.is_not(None))),
        not_(exists().where(PaperForm.participant_id == Participant.id)),
    )
