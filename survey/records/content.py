"""What a certified copy holds, as plain text in the copy's language.

Gathered here, drawn in pdf.py: the study, the participant, every response with
each item's wording in the language it was answered, its value (and, for a line,
where the mark is), who keyed, verified, resolved or changed what, and the
participant's audit and access trail. Two variants: for the study team or a
monitor (`staff`: no contact details), and for the participant's own access
request (`participant`, GDPR Art. 15: their contact details, and staff named
by role, never by e-mail address).
"""
from collections import namedtuple

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from ..audit_reports.labels import VALUE_NAMES, actor_name, readable_records
from ..audit_reports.trail import access_history, audit_history
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, current_language, format_score, localized, staff_time
from ..instruments import InstrumentDefinitionError, instruments
from ..labels import (
    ANSWER_STATE_NAMES,
    CHANNEL_NAMES,
    MODE_NAMES,
    PURPOSE_NAMES,
    STATUS_NAMES,
    label,
)
from ..paper.models import PaperForm
from ..participant_pages.views import participant_responses
from ..provenance import package_version, software_commit
from ..staff.models import StaffUser
from ..timeutil import now_utc

VARIANTS = ("staff", "participant")
#: Audit fields whose values are contact details: left out of the staff variant.
CONTACT_FIELDS = ("email", "phone")

Record = namedtuple("Record", "variant title study made footer facts responses trail access")
ResponseCopy = namedtuple("ResponseCopy", "title facts items scores handled")
#: One item: number, wording (answer's language), the value in words, the VAS line
#: (None, or (position, min, max, left anchor, right anchor)) and what was added later.
ItemCopy = namedtuple("ItemCopy", "number text value line added")
TrailLine = namedtuple("TrailLine", "when who action what old new reason")


class ActorNames:
    """Who did something, as the copy names them: staff by e-mail address for the study
    team, by role for the participant."""

    def __init__(self, variant, user_ids):
        users = db.session.execute(
            db.select(StaffUser).where(StaffUser.id.in_(set(user_ids) or {0}))).scalars()
        self.variant, self.users = variant, {u.id: u for u in users}

    def staff(self, user_id):
        user = self.users.get(user_id)
        if user is None:
            return _("Study team")
        if self.variant == "participant":
            return _("Study team (%(role)s)", role=label(VALUE_NAMES["role"], user.role))
        return user.email

    def actor(self, actor):
        kind, _sep, rest = actor.partition(":")
        if kind == "staff" and rest.isdigit():
            return self.staff(int(rest))
        if kind == "participant":
            return _("The participant")
        return actor_name(actor.rsplit(":", 1)[0] if actor.startswith("system:cli:") else actor)


def staff_ids(records, accesses, responses):
    ids = {int(r.actor[6:]) for r in records if r.actor.startswith("staff:")
           and r.actor[6:].isdigit()}
    ids |= {a.staff_user_id for a in accesses}
    ids |= {r.started_by_id for r in responses if r.started_by_id}
    return ids


def _software(version, commit):
    """"survey 0.9.0 (commit 1a2b3c4d5e6f)", or "–" when nothing was recorded."""
    if not version:
        return "–"
    return f"survey {version}" + (f" (commit {commit[:12]})" if commit else "")


def participant_facts(participant, variant):
    facts = [
        (_("Study ID"), participant.study_id),
        (_("Status"), label(STATUS_NAMES, participant.status)
         + (f", {format_date(participant.status_date)}" if participant.status_date else "")),
        (_("Preferred language"), LANGUAGE_NAMES[participant.language]),
        (_("Way of contact"), label(CHANNEL_NAMES, participant.channel)),
        (_("Added"), staff_time(participant.created_at)),
    ]
    if participant.opted_out_at:
        facts.append((_("Opted out of reminders"), staff_time(participant.opted_out_at)))
    if variant == "participant":
        facts += [(_("E-mail address"), participant.email or "–"),
                  (_("Mobile number"), participant.phone or "–")]
    return facts


def value_words(state, value, scale_max):
    if state != "answered":
        return label(ANSWER_STATE_NAMES, state)
    return _("%(value)s (of %(max)s)", value=value, max=scale_max)


def item_copies(response, instrument):
    answers = {a.item_id: a for a in response.answers}
    changes = response.latest_requests()
    notes = {}
    for note in response.notes:
        notes.setdefault(note.item_id, []).append(_("Note: %(text)s", text=note.text))
    copies = []
    for item in instrument.items:
        answer = answers.get(item.id)
        language = (answer and answer.language) or response.language
        scale = item.scale
        value = (value_words(answer.state, answer.value, scale.max) if answer
                 else _("No answer recorded"))
        line = None
        if answer and answer.state == "answered" and scale.kind == "vas":
            line = (answer.value, scale.min, scale.max, scale.min_anchor[language],
                    scale.max_anchor[language])
        added = list(notes.get(item.id, []))
        change = changes.get(item.id)
        if change is not None:
            added.insert(0, _("The participant asked on %(day)s to change the answer to: "
                              "%(value)s", day=format_date(change.requested_on),
                              value=value_words(change.state, change.value, scale.max)))
        copies.append(ItemCopy(item.number, item.text[language], value, line, added))
    return copies


def paper_handling(response, names):
    """Who keyed in and verified a paper response (the trail has every detail)."""
    form = db.session.execute(
        db.select(PaperForm).where(PaperForm.response_id == response.id)).scalar_one_or_none()
    if form is None:
        return []
    lines = [_("Entry %(n)d keyed in by %(who)s, %(when)s", n=e.entry_number,
               who=names.staff(e.entered_by_id), when=staff_time(e.entered_at))
             for e in form.entries]
    if form.verified_by_id:
        lines.append(_("Verified by %(who)s, %(when)s", who=names.staff(form.verified_by_id),
                       when=staff_time(form.verified_at)))
    return lines


def response_copy(response, names):
    try:
        instrument = instruments().get(response.instrument_code, response.instrument_version)
    except InstrumentDefinitionError:
        instrument = None
    facts = [
        (_("Version"), response.instrument_version),
        (_("Collected with"), _software(response.software_version, response.software_commit)),
        (_("Source"), label(MODE_NAMES, response.mode)),
        (_("Language"), LANGUAGE_NAMES[response.language]),
        (_("Started"), staff_time(response.started_at)),
        (_("Submitted"), staff_time(response.submitted_at) or "–"),
    ]
    if response.started_by_id:
        facts.append((_("Started by"), names.staff(response.started_by_id)))
    if response.excluded:
        facts.append((_("Excluded from analysis"), response.exclusion_reason))
    if instrument is None:
        return ResponseCopy(response.instrument_code, facts, [], [], [])
    rule_labels = {rule.id: localized(rule.label) for rule in instrument.scores}
    prorated = _("prorated")
    scores = [(rule_labels.get(s.score_id, s.score_id),
               _("Too few answers for a score") if s.value is None
               else format_score(s.value) + (f" ({prorated})" if s.prorated else ""),
               _("%(n)s of %(total)s", n=s.n_answered, total=s.n_items))
              for s in response.scores]
    return ResponseCopy(localized(instrument.title), facts, item_copies(response, instrument),
                        scores, paper_handling(response, names))


def trail_lines(records, names, variant):
    lines = []
    for row in readable_records(records):
        r = row.record
        old, new = row.old, row.new
        if variant == "staff" and r.field in CONTACT_FIELDS:
            old, new = (_("(not shown)") if v else v for v in (old, new))
        lines.append(TrailLine(staff_time(r.at), names.actor(r.actor), row.action, row.what,
                               old, new, r.reason or ""))
    return lines


def certified_record(participant, variant):
    """Everything the copy shows, in the current language (call inside force_locale)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    responses = participant_responses(participant)
    records = audit_history(participant_id=participant.id)
    accesses = access_history(participant.id)
    names = ActorNames(variant, staff_ids(records, accesses, responses))
    made = _("Made %(when)s with %(version)s", when=staff_time(now_utc()),
             version=_software(package_version(), software_commit()))
    title = (_("Copy of your data (access request)") if variant == "participant"
             else _("Certified copy of a participant's record"))
    study = current_app.config["SURVEY_STUDY_NAME"][current_language()]
    access = [(staff_time(a.at), names.staff(a.staff_user_id),
               label(PURPOSE_NAMES, a.purpose)) for a in accesses]
    footer = _("Participant %(study_id)s", study_id=participant.study_id)
    return Record(variant, title, study, made, footer, participant_facts(participant, variant),
                  [response_copy(r, names) for r in responses],
                  trail_lines(records, names, variant), access)
