"""Stata and SPSS read back with pyreadstat; the REDCap dictionary; the FHIR R4 Bundle."""
import csv
import io
import json
import math

import fhir.resources
import pyreadstat
import pytest
from fhir.resources.bundle import Bundle  # FHIR R4 (4.0.1)

from survey.exports.redcap import REDCAP_COLUMNS

from .conftest import read_csv

STATS_SUFFIX = {"stata": ".dta", "spss": ".sav"}


def read_statistics(export, tmp_path, fmt, *options):
    path = tmp_path / f"export{STATS_SUFFIX[fmt]}"
    path.write_bytes(export("--format", fmt, *options))
    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    return reader(str(path))


@pytest.mark.parametrize("fmt", ["stata", "spss"])
def test_statistics_files_read_back_with_the_same_values_and_labels(study, export, tmp_path,
                                                                     fmt):
    frame, meta = read_statistics(export, tmp_path, fmt)
    header, rows = read_csv(export())
    assert list(frame.columns) == header
    assert len(frame) == len(rows)
    for index, row in enumerate(rows):
        for name in header:
            value = frame[name][index]
            if isinstance(value, str):
                assert value == row[name], (fmt, name)
            elif row[name] == "":
                assert math.isnan(value), (fmt, name)
            else:
                assert value == float(row[name]), (fmt, name)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["xq1"].startswith("How difficult is it for you to talk")
    assert labels["xq_total"] == "Total score (0–100)"
    assert labels["excluded"] == "Excluded from analysis by the study team"
    values = meta.variable_value_labels
    assert values["xq1"] == {0: "Not difficult at all", 10: "Extremely difficult"}
    assert values["vas3"] == {0: "No saliva at all", 100: "A lot of saliva"}
    assert values["excluded"] == {0: "No", 1: "Yes"}
    web_vas = rows.index(next(r for r in rows if (r["study_id"], r["instrument"]) == (
        "W001", "vas")))
    assert frame["vas_mean"][web_vas] == 41.88


@pytest.mark.parametrize("fmt", ["stata", "spss"])
def test_statistics_files_follow_the_filter(study, export, tmp_path, fmt):
    frame, _ = read_statistics(export, tmp_path, fmt, "--mode", "paper")
    assert list(frame["study_id"]) == ["P002"]


def test_redcap_dictionary_has_redcaps_columns_and_every_item(study, export):
    data = export("--format", "redcap-dictionary").decode("utf-8")
    reader = csv.DictReader(io.StringIO(data, newline=""))
    rows = list(reader)
    assert reader.fieldnames == REDCAP_COLUMNS
    assert rows[0]["Variable / Field Name"] == "study_id" and rows[0]["Field Type"] == "text"
    fields = {r["Variable / Field Name"]: r for r in rows}
    assert [r["Variable / Field Name"] for r in rows[1:]] == (
        [f"xq{n}" for n in range(1, 9)] + [f"vas{n}" for n in range(1, 9)])
    xq1 = fields["xq1"]
    assert (xq1["Form Name"], xq1["Field Type"]) == ("xq", "radio")
    choices = xq1["Choices, Calculations, OR Slider Labels"].split(" | ")
    assert choices[0] == "0, 0 Slet ikke svært" and choices[-1] == "10, 10 Ekstremt svært"
    assert len(choices) == 11 and choices[5] == "5, 5"
    vas3 = fields["vas3"]
    assert (vas3["Field Type"], vas3["Text Validation Min"], vas3["Text Validation Max"]) == (
        "slider", "0", "100")
    assert vas3["Choices, Calculations, OR Slider Labels"] == "Slet intet spyt | | Meget spyt"
    assert vas3["Field Note"] == "How much saliva do you have in your mouth?"


def fhir_bundle(export, *options):
    data = export("--format", "fhir", *options)
    return Bundle.parse_raw(data), json.loads(data)


def resources(raw, kind):
    return [e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_bundle_validates_and_round_trips_the_values(study, export):
    assert fhir.resources.__fhir_version__ == "4.0.1"  # the models checking it are R4
    bundle, raw = fhir_bundle(export)
    assert bundle.type == "collection"
    again = Bundle.parse_raw(bundle.json(exclude_none=True, by_alias=True))
    assert again.dict(exclude_none=True) == bundle.dict(exclude_none=True)
    _, rows = read_csv(export())
    responses = {r["id"]: r for r in resources(raw, "QuestionnaireResponse")}
    assert len(responses) == len(rows) == 3
    for row in rows:
        resource = responses[f"response-{row['response_id']}"]
        code = row["instrument"]
        assert resource["questionnaire"] == f"urn:survey:questionnaire:{code}|1.0"
        assert resource["status"] == "completed"
        assert resource["subject"]["identifier"]["value"] == row["study_id"]
        for item in resource["item"]:
            if "answer" in item:
                assert str(item["answer"][0]["valueInteger"]) == row[item["linkId"]]
            else:
                assert row[item["linkId"]] == ""
                assert item["extension"][0]["valueCode"] == row[f"{item['linkId']}_missing"]
    observations = resources(raw, "Observation")
    by_code = {(o["derivedFrom"][0]["reference"], o["code"]["coding"][0]["code"]): o
               for o in observations}
    vas = next(r for r in rows if r["study_id"] == "W001" and r["instrument"] == "vas")
    response_url = next(e["fullUrl"] for e in raw["entry"]
                        if e["resource"].get("id") == f"response-{vas['response_id']}")
    mean = by_code[response_url, "vas_mean"]
    assert mean["valueQuantity"]["value"] == 41.875  # exact; the CSV writes it 41.88


def test_fhir_questionnaires_have_link_ids_constraints_and_both_languages(study, export):
    _, raw = fhir_bundle(export)
    questionnaires = {q["url"]: q for q in resources(raw, "Questionnaire")}
    xq = questionnaires["urn:survey:questionnaire:xq"]
    assert xq["version"] == "1.0" and xq["language"] == "da"
    first = xq["item"][0]
    assert first["linkId"] == "xq1" and first["type"] == "integer"
    assert first["text"].startswith("Hvor svært")
    translation = first["_text"]["extension"][0]
    assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    assert {e["url"]: e.get("valueCode", e.get("valueString")) for e in
            translation["extension"]}["content"].startswith("How difficult")
    limits = {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in first["extension"]}
    assert limits == {"minValue": 0, "maxValue": 10}


def test_fhir_tells_participant_from_staff_keying_and_gives_the_offset(study, export):
    _, raw = fhir_bundle(export)
    by_study = {}
    for resource in resources(raw, "QuestionnaireResponse"):
        by_study.setdefault(resource["subject"]["identifier"]["value"], []).append(resource)
    web, paper = by_study["W001"][0], by_study["P002"][0]
    assert web["author"]["type"] == "Patient" and web["source"]["type"] == "Patient"
    assert paper["author"]["type"] == "Practitioner"
    assert paper["source"]["type"] == "Patient"
    assert web["authored"] == "2026-11-17T13:00:00+01:00"  # 12:00 UTC in Copenhagen
