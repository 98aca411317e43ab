"""A FHIR R4 Bundle (collection) of the instruments, the responses and their scores.

- One Questionnaire per instrument version: linkIds are the item ids, integer items
  with their scale's minValue/maxValue, text in Danish with the English wording in
  the standard translation extension.
- One QuestionnaireResponse per exported response: questionnaire (canonical with the
  version), status, authored with the study time zone's offset, subject by study ID,
  source the participant (who filled in the form on every mode) and author the
  participant for web and clinic or the staff member who verified a paper form;
  answers as valueInteger, a missing answer with its reason in an extension.
- One Observation per score, derivedFrom its QuestionnaireResponse, valueQuantity in
  exact decimal (dataAbsentReason when the half rule gave none).

Checked against the FHIR R4 (4.0.1) models of fhir.resources 6 before it is written.
"""
import json
import re
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from fhir.resources.bundle import Bundle
from flask import current_app

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MISSING_REASON = "urn:survey:fhir:missing-reason"
STUDY_ID_SYSTEM = "urn:survey:study-id"
STAFF_SYSTEM = "urn:survey:staff-account"
SCORE_SYSTEM = "urn:survey:score"
NAMESPACE = uuid.UUID("6f1c1f0e-8f5e-5b8e-9a47-3d1a1c9e0b11")


def full_url(kind, key):
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def canonical(instrument_code):
    return f"urn:survey:questionnaire:{instrument_code}"


def fhir_id(text):
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def translated(texts, lang="en"):
    return {"extension": [{"url": TRANSLATION, "extension": [
        {"url": "lang", "valueCode": lang}, {"url": "content", "valueString": texts[lang]}]}]}


def questionnaire(instrument):
    items = [{
        "linkId": item.id, "prefix": str(item.number), "text": item.text["da"],
        "_text": translated(item.text), "type": "integer", "required": False,
        "extension": [{"url": MIN_VALUE, "valueInteger": item.scale.min},
                      {"url": MAX_VALUE, "valueInteger": item.scale.max}],
    } for item in instrument.items]
    return {
        "resourceType": "Questionnaire", "id": fhir_id(instrument.key), "language": "da",
        "url": canonical(instrument.code), "version": instrument.version,
        "name": fhir_id(instrument.code.upper()), "status": "active",
        "title": instrument.title["da"], "_title": translated(instrument.title),
        "item": items,
    }


def _local(moment):
    zone = ZoneInfo(current_app.config["SURVEY_TIMEZONE"])
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _subject(record):
    return {"type": "Patient", "identifier": {"system": STUDY_ID_SYSTEM,
                                              "value": record.participant.study_id}}


def _author(record):
    form = record.paper_form
    if record.mode == "paper" and form is not None and form.verified_by_id is not None:
        return {"type": "Practitioner", "identifier": {
            "system": STAFF_SYSTEM, "value": str(form.verified_by_id)},
            "display": "study staff (keyed in and verified the paper form)"}
    return _subject(record)


def _answer_item(item, answer):
    entry = {"linkId": item.id, "text": item.text["da"]}
    if answer is not None and answer.value is not None:
        entry["answer"] = [{"valueInteger": answer.value}]
    elif answer is not None:
        entry["extension"] = [{"url": MISSING_REASON, "valueCode": answer.state}]
    return entry


def questionnaire_response(record, instrument):
    response = record.response
    answers = record.answers
    resource = {
        "resourceType": "QuestionnaireResponse", "id": f"response-{response.id}",
        "language": response.language,
        "questionnaire": f"{canonical(instrument.code)}|{instrument.version}",
        "status": "completed" if response.status == "submitted" else "in-progress",
        "subject": _subject(record), "source": _subject(record), "author": _author(record),
        "item": [_answer_item(item, answers.get(item.id)) for item in instrument.items],
    }
    moment = response.submitted_at or response.updated_at
    resource["authored"] = _local(moment)
    return resource


def observation(record, instrument, rule, score, response_url):
    resource = {
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": SCORE_SYSTEM, "code": f"{instrument.code}_{rule.id}",
                             "display": rule.label["en"]}], "text": rule.label["da"]},
        "subject": _subject(record), "derivedFrom": [{"reference": response_url}],
        "effectiveDateTime": _local(record.response.submitted_at),
    }
    if score.value is None:
        resource["dataAbsentReason"] = {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "code": "not-performed"}], "text": "too few items answered (half rule)"}
    else:
        resource["valueQuantity"] = {"value": score.value, "unit": "score"}
    return resource


def bundle(registry, records):
    """The Bundle as a dict, and its resources."""
    used = {(r.instrument_code, r.instrument_version) for r in records if r.response}
    used |= {(code, registry.current(code).version) for code in registry.codes}
    entries = [{"fullUrl": full_url("questionnaire", f"{code}|{version}"),
                "resource": questionnaire(registry.get(code, version))}
               for code, version in sorted(used)]
    for record in records:
        if record.response is None:  # a paper form not yet verified has no answers yet
            continue
        instrument = registry.get(record.instrument_code, record.instrument_version)
        response_url = full_url("response", record.response.id)
        entries.append({"fullUrl": response_url,
                        "resource": questionnaire_response(record, instrument)})
        scores = record.scores
        if record.response.status != "submitted":
            continue
        for rule in instrument.scores:
            if rule.id in scores:
                entries.append({
                    "fullUrl": full_url("score", scores[rule.id].id),
                    "resource": observation(record, instrument, rule, scores[rule.id],
                                            response_url)})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_fhir_bundle(registry, records):
    """The Bundle as JSON bytes, validated; the row count is the number of responses."""
    content = bundle(registry, records)
    Bundle.parse_obj(content)  # raises if any resource is not valid FHIR R4
    data = json.dumps(content, ensure_ascii=False, indent=1, default=_json_number)
    return data.encode("utf-8"), sum(1 for r in records if r.response is not None)


def _json_number(value):
    """A score as a JSON number: a float's shortest text is the Decimal's own (scores have
    at most 9 significant digits), so 41.428571 stays 41.428571."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
