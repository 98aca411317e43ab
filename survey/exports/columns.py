"""The one list of export columns: every format writes these, the codebook describes these.

A Column says what a value is (name, type, labels in Danish and English, allowed
values and their labels, missing codes, for a score its scoring rule) and how to
read it from an ExportRecord. `wide_columns` (one row per response) and
`long_columns` (one row per item answer) are built from the instrument definitions,
so no export can have a column the codebook lacks, or the other way round.
"""
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..codes import LANGUAGES
from ..participants.models import STATUSES
from ..responses.models import ANSWER_STATES, INPUT_METHODS, MODES
from .records import RECORD_STATES

KINDS = ("integer", "decimal", "text", "date", "datetime", "code")

#: Answer states other than "answered": why an item has no value.
MISSING_CODES = tuple(s for s in ANSWER_STATES if s != "answered")
CODE_LABELS = {
    "web": _l("On the web (own device)"), "clinic": _l("At the clinic (on a device)"),
    "paper": _l("On paper (keyed in by staff)"),
    "not_answered": _l("Not answered"), "multiple_marks": _l("Two or more marks"),
    "unreadable": _l("Unreadable or off the line"),
    "tap": _l("Tapped on the line"), "keyboard": _l("Moved with the keyboard"),
    "typed": _l("Typed as a number"),
    "self": _l("The participant"), "helped": _l("The participant, with help"),
    "proxy": _l("Someone else for the participant"),
    "active": _l("Active"), "withdrawn": _l("Withdrawn"), "deceased": _l("Deceased"),
    "counted": _l("Counted in the analysis"),
    "duplicate_pending": _l("Duplicate, not yet decided"),
    "duplicate_not_counted": _l("Duplicate that does not count"),
    "in_progress": _l("Begun, not submitted"),
    "paper_awaiting_second_entry": _l("Paper form waiting for the second entry"),
    "paper_awaiting_verification": _l("Paper form waiting to be checked"),
    "paper_discrepancy": _l("Paper form with a difference between entries"),
    "verified": _l("Verified"), "awaiting_second_entry": _l("Waiting for the second entry"),
    "awaiting_verification": _l("Waiting to be checked"),
    "discrepancy": _l("The two entries differ"), "double_entry": _l("Keyed in twice"),
    "visual": _l("Keyed in once and checked against the paper"),
    "da": _l("Danish"), "en": _l("English"),
    "email": _l("E-mail"), "sms": _l("Text message"), "letter": _l("Letter"),
    "phone": _l("Phone"), "in_person": _l("In person"),
    0: _l("No"), 1: _l("Yes"),
}
YES_NO = (0, 1)
PAPER_STATES = ("verified", "awaiting_second_entry", "awaiting_verification", "discrepancy")


def in_both_languages(text):
    """{'da': ..., 'en': ...} of a lazy text, or of a dict that already is one."""
    if isinstance(text, dict):
        return text
    result = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            result[lang] = str(text)
    return result


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    #: A lazy text, or {"da": ..., "en": ...} from an instrument definition.
    label: object
    #: record -> value (None: empty); long item columns: (record, item_id) -> value.
    get: object
    #: Coded columns: the allowed codes, each with a label in CODE_LABELS.
    codes: tuple = ()
    #: Numeric range ("0-10"), for the codebook and the FHIR / REDCap constraints.
    minimum: int | None = None
    maximum: int | None = None
    #: Why a value may be empty, for the codebook.
    missing: object = ""
    #: Score columns: the scoring rule in words; decimals written.
    rule: str = ""
    decimals: int | None = None
    #: Item columns: the item's scale anchors {value: {"da", "en"}} for value labels.
    anchors: dict = field(default_factory=dict)

    def allowed_text(self):
        if self.codes:
            return ", ".join(str(c) for c in self.codes)
        if self.minimum is not None:
            return f"{self.minimum}-{self.maximum}"
        return ""

    def value_labels(self):
        """{value: {"da": ..., "en": ...}} for coded columns and item anchors."""
        if self.codes:
            return {code: in_both_languages(CODE_LABELS[code]) for code in self.codes}
        return dict(self.anchors)


def _iso(moment):
    return None if moment is None else moment.isoformat(timespec="seconds")


def _local_day(moment):
    return moment.astimezone(ZoneInfo(current_app.config["SURVEY_TIMEZONE"])).date()


def days_to_submission(record):
    sent = record.contact.invitation_sent_at
    submitted = record.response and record.response.submitted_at
    if sent is None or submitted is None:
        return None
    return (_local_day(submitted) - _local_day(sent)).days


def _response(attribute):
    return lambda r: None if r.response is None else getattr(r.response, attribute)


def _paper(attribute):
    return lambda r: None if r.paper_form is None else getattr(r.paper_form, attribute)


def _min_fraction(record):
    fractions = {s.min_fraction for s in record.scores.values()}
    return fractions.pop() if len(fractions) == 1 else None


def _who_answered(record):
    invitation = record.response and record.response.invitation
    return invitation.who_answered if invitation else None


def _excluded(record):
    return None if record.response is None else int(record.response.excluded)


NOT_SUBMITTED = _l("empty until submitted")
PAPER_ONLY = _l("empty for web and clinic responses")
WEB_ONLY = _l("empty for paper responses, and where not known")

# Identifying and describing columns, in the order of the wide export.
IDENTIFYING = [
    Column("study_id", "text", _l("Study ID"), lambda r: r.participant.study_id),
    Column("instrument", "text", _l("Instrument code"), lambda r: r.instrument_code),
    Column("instrument_version", "text", _l("Instrument version (wording) answered"),
           lambda r: r.instrument_version),
    Column("mode", "code", _l("How the answers were collected"), lambda r: r.mode,
           codes=MODES),
    Column("language", "code", _l("Language of the questionnaire"),
           lambda r: r.response.language if r.response else r.participant.language,
           codes=LANGUAGES),
    Column("submitted_at", "datetime",
           _l("Submitted (UTC; for paper: when verified)"),
           lambda r: _iso(r.response and r.response.submitted_at), missing=NOT_SUBMITTED),
    Column("response_id", "integer", _l("Response number in the database"), _response("id"),
           missing=_l("empty for paper forms not yet verified")),
]
#: The time point of answers collected here; imported earlier ones carry the trial's label.
COLLECTED_TIMEPOINT = "follow-up"


def _answered_day(record):
    submitted = record.response and record.response.submitted_at
    return None if submitted is None else _local_day(submitted)


#: Long export only: which time point a row belongs to, so the trial's earlier values
#: (`responses import-history`) and the follow-up stand in one table, never mixed up.
TIMEPOINT_COLUMNS = [
    Column("timepoint", "text",
           _l("Time point: follow-up for answers collected here, else the trial's label "
              "of an imported earlier time point"), lambda r: COLLECTED_TIMEPOINT),
    Column("timepoint_date", "date",
           _l("Day the answers were given (Danish time; imported: the date in the file)"),
           _answered_day, missing=NOT_SUBMITTED),
    Column("imported", "code", _l("Imported from the trial's earlier time points"),
           lambda r: 0, codes=YES_NO),
]
WHO_ANSWERED_COLUMN = Column(
    "who_answered", "code", _l("Who filled in the questionnaire (review page)"),
    _who_answered, codes=("self", "helped", "proxy"),
    missing=_l("empty when not said, and for paper"))
STATUS_COLUMNS = [
    Column("participant_status", "code", _l("Participant's status (now)"),
           lambda r: r.participant.status, codes=STATUSES),
    Column("participant_status_date", "date", _l("Date of the participant's status"),
           lambda r: r.participant.status_date, missing=_l("empty for active participants")),
    Column("excluded", "code", _l("Excluded from analysis by the study team"), _excluded,
           codes=YES_NO),
    Column("exclusion_reason", "text", _l("Why it was excluded"),
           _response("exclusion_reason"), missing=_l("empty when not excluded")),
]
PROVENANCE_COLUMNS = [
    Column("export_state", "code", _l("State of the record"), lambda r: r.state,
           codes=RECORD_STATES),
    Column("paper_completed_on", "date", _l("Date written on the paper form"),
           lambda r: r.paper_dates.get("completed_on"),
           missing=_l("empty when none was written, and for web and clinic")),
    Column("paper_received_on", "date", _l("Date the paper form was received"),
           lambda r: r.paper_dates.get("received_on"), missing=PAPER_ONLY),
    Column("paper_verification_state", "code", _l("Verification state of the paper form"),
           _paper("status"), codes=PAPER_STATES, missing=PAPER_ONLY),
    Column("paper_verification_method", "code", _l("How the paper form was verified"),
           _paper("verification"), codes=("double_entry", "visual"), missing=PAPER_ONLY),
    Column("invitation_sent_at", "datetime", _l("Invitation sent (UTC)"),
           lambda r: _iso(r.contact.invitation_sent_at), missing=WEB_ONLY),
    Column("reminders_before", "integer", _l("Reminders sent before the response"),
           lambda r: r.contact.reminders_before, minimum=0, maximum=99, missing=WEB_ONLY),
    Column("last_reminder_channel", "code", _l("How the last reminder was sent"),
           lambda r: r.contact.last_reminder_channel, codes=("email", "sms", "letter"),
           missing=_l("empty when no reminder was sent before the response")),
    Column("days_to_submission", "integer",
           _l("Days from the invitation to the submission (study time zone)"),
           days_to_submission, minimum=0, maximum=9999, missing=WEB_ONLY),
    Column("software_version", "text", _l("Software version that collected it"),
           _response("software_version"),
           missing=_l("empty for responses collected before it was recorded")),
    Column("software_commit", "text", _l("Software commit that collected it"),
           _response("software_commit"), missing=_l("empty where not known")),
    Column("min_fraction", "decimal",
           _l("Half-rule fraction the scores were computed with"), _min_fraction,
           decimals=2, missing=_l("empty when not scored or not recorded")),
]


def scoring_rule_text(instrument, rule):
    """The scoring rule in words, from the definition (the codebook's 'rule' column)."""
    items = [instrument.item(i) for i in rule.item_ids]
    reversed_ids = [i.id for i in items if i.reverse]
    turned = f" ({', '.join(reversed_ids)} reversed: maximum = best)" if reversed_ids else ""
    return (f"Mean of the answered items {', '.join(rule.item_ids)}, each as a fraction of "
            f"its scale with 0 = best and 1 = worst{turned}, times 100 (0-100, higher = "
            f"worse). Given when at least min_fraction of its {len(items)} items are "
            f"answered (prorated when fewer than all), else empty. Exact decimal "
            f"arithmetic; written rounded half-up to {rule.decimals} decimals.")


def _answer(item_id, attribute):
    def get(record):
        answer = record.answers.get(item_id)
        return None if answer is None else getattr(answer, attribute)
    return get


def _missing_reason(item_id):
    def get(record):
        answer = record.answers.get(item_id)
        return None if answer is None or answer.state == "answered" else answer.state
    return get


def _score(score_id, attribute):
    def get(record):
        score = record.scores.get(score_id)
        if score is None or (attribute == "prorated" and score.value is None):
            return None
        value = getattr(score, attribute)
        return int(value) if attribute == "prorated" else value
    return get


def _requested(item_id):
    def get(record):
        change = record.response and record.response.latest_requests().get(item_id)
        return None if not change else change.value
    return get


def _notes(item_id):
    def get(record):
        if record.response is None:
            return None
        texts = [n.text for n in record.response.notes if n.item_id == item_id]
        return " | ".join(texts) or None
    return get


def _as_submitted(score_id):
    def get(record):
        return record.as_submitted_scores().get(score_id)
    return get


def _anchors(item):
    return {item.scale.min: item.scale.min_anchor, item.scale.max: item.scale.max_anchor}


def item_column(item):
    return Column(item.id, "integer", item.text, _answer(item.id, "value"),
                  minimum=item.scale.min, maximum=item.scale.max, anchors=_anchors(item),
                  missing=_l("empty when not answered: the reason is in %(name)s_missing",
                             name=item.id))


def score_columns(instrument, rule):
    name = f"{instrument.code}_{rule.id}"
    return [
        Column(name, "decimal", rule.label, _score(rule.id, "value"), minimum=0, maximum=100,
               rule=scoring_rule_text(instrument, rule), decimals=rule.decimals,
               missing=_l("empty when too few items were answered (the half rule)")),
        Column(f"{name}_prorated", "code", _l("Score computed from fewer than all items"),
               _score(rule.id, "prorated"), codes=YES_NO, missing=_l("empty when no score")),
    ]


def answer_context_columns(instrument):
    columns = [Column(f"{item.id}_lang", "code", _l("Language %(item)s was answered in",
                                                     item=item.id),
                      _answer(item.id, "language"), codes=LANGUAGES,
                      missing=_l("empty for paper")) for item in instrument.items]
    columns += [Column(f"{item.id}_input", "code", _l("How %(item)s was answered on the line",
                                                       item=item.id),
                       _answer(item.id, "input_method"), codes=INPUT_METHODS, missing=WEB_ONLY)
                for item in instrument.items if item.scale.kind == "vas"]
    return columns


def clarification_columns(instrument):
    columns = []
    for item in instrument.items:
        columns += [
            Column(f"{item.id}_requested", "integer",
                   _l("%(item)s as the participant asked after submitting", item=item.id),
                   _requested(item.id), minimum=item.scale.min, maximum=item.scale.max,
                   anchors=_anchors(item), missing=_l("empty when nothing was asked")),
            Column(f"{item.id}_note", "text",
                   _l("Data-clarification notes on %(item)s", item=item.id),
                   _notes(item.id), missing=_l("empty when none")),
        ]
    for rule in instrument.scores:
        columns.append(Column(
            f"{instrument.code}_{rule.id}_as_submitted", "decimal",
            _l("%(score)s from the answers as submitted", score=f"{instrument.code}_{rule.id}"),
            _as_submitted(rule.id), minimum=0, maximum=100,
            rule=scoring_rule_text(instrument, rule) + " From the submitted answers, "
            "without the participant's requested changes.", decimals=rule.decimals,
            missing=_l("empty when too few items were answered (the half rule)")))
    return columns


def missing_columns(instrument):
    return [Column(f"{item.id}_missing", "code", _l("Why %(item)s has no value", item=item.id),
                   _missing_reason(item.id), codes=MISSING_CODES,
                   missing=_l("empty when answered"))
            for item in instrument.items]


def ordered_instruments(registry, study_codes=()):
    """The study's instruments first, then every other known one (current versions)."""
    codes = list(study_codes) + [c for c in registry.codes if c not in study_codes]
    return [registry.current(code) for code in codes]


def wide_columns(registry, study_codes=()):
    """Every column of the wide export, in order. Columns added later come after the
    earlier ones, so a statistician's script that reads by position keeps working."""
    instruments = ordered_instruments(registry, study_codes)
    columns = list(IDENTIFYING)
    for instrument in instruments:
        columns += [item_column(item) for item in instrument.items]
        for rule in instrument.scores:
            columns += score_columns(instrument, rule)
    columns.append(WHO_ANSWERED_COLUMN)
    for instrument in instruments:
        columns += answer_context_columns(instrument)
    columns += STATUS_COLUMNS
    for instrument in instruments:
        columns += clarification_columns(instrument)
    columns += PROVENANCE_COLUMNS
    for instrument in instruments:
        columns += missing_columns(instrument)
    return columns


class ItemRecord:
    """One item answer of an ExportRecord: a row of the long export. The response's
    columns read through it as from the record itself."""

    def __init__(self, record, item):
        self.record, self.item = record, item

    def __getattr__(self, name):
        return getattr(self.record, name)


def _item_answer(attribute):
    def get(row):
        answer = row.answers.get(row.item.id)
        return None if answer is None else getattr(answer, attribute)
    return get


def _item_missing(row):
    return _missing_reason(row.item.id)(row.record)


LONG_ITEM_COLUMNS = [
    Column("item", "text", _l("Item ID (as the wide export's column)"), lambda r: r.item.id),
    Column("item_number", "integer", _l("Item's position in the questionnaire"),
           lambda r: r.item.number, minimum=1, maximum=99),
    Column("value", "integer", _l("The answer as submitted (for paper: as verified)"),
           _item_answer("value"), minimum=0, maximum=100,
           missing=_l("empty when not answered: the reason is in value_missing")),
    Column("value_missing", "code", _l("Why the item has no value"), _item_missing,
           codes=MISSING_CODES, missing=_l("empty when answered")),
    Column("answer_language", "code", _l("Language the item was answered in"),
           _item_answer("language"), codes=LANGUAGES, missing=_l("empty for paper")),
    Column("input_method", "code", _l("How a line item was answered"),
           _item_answer("input_method"), codes=INPUT_METHODS, missing=WEB_ONLY),
    Column("requested", "integer", _l("The answer as the participant asked after submitting"),
           lambda r: _requested(r.item.id)(r.record), minimum=0, maximum=100,
           missing=_l("empty when nothing was asked")),
    Column("note", "text", _l("Data-clarification notes on the answer"),
           lambda r: _notes(r.item.id)(r.record), missing=_l("empty when none")),
]


def long_columns():
    """Every column of the long export: the response's identifying columns, then the item's."""
    response_columns = [c for c in PROVENANCE_COLUMNS if c.name != "min_fraction"]
    return (IDENTIFYING + TIMEPOINT_COLUMNS + [WHO_ANSWERED_COLUMN] + STATUS_COLUMNS
            + response_columns + LONG_ITEM_COLUMNS)


def long_rows(record, registry):
    """One ItemRecord per item of the record's instrument version, in the form's order."""
    instrument = registry.get(record.instrument_code, record.instrument_version)
    return [ItemRecord(record, item) for item in instrument.items]
