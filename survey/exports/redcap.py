"""A REDCap data dictionary of the instruments, so the same forms can be built in REDCap.

One row per field, with REDCap's own column set. A 0-10 rating item is a horizontal
radio field with its anchors on the end choices; a line (VAS) item is a slider
0-100 with its anchors at the ends. Labels are in the study's first language (Danish),
the English wording is the field note. The first form starts with the record ID.
"""
from ..csv_export import CsvDictWriter
from .columns import ordered_instruments

REDCAP_COLUMNS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min",
    "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
]
LABEL_LANGUAGE, NOTE_LANGUAGE = "da", "en"


def rating_choices(scale):
    choices = []
    for value in range(scale.min, scale.max + 1):
        label = str(value)
        if value == scale.min:
            label = f"{value} {scale.min_anchor[LABEL_LANGUAGE]}"
        elif value == scale.max:
            label = f"{value} {scale.max_anchor[LABEL_LANGUAGE]}"
        choices.append(f"{value}, {label}")
    return " | ".join(choices)


def item_field(instrument, item):
    scale = item.scale
    row = dict.fromkeys(REDCAP_COLUMNS, "")
    row.update({
        "Variable / Field Name": item.id, "Form Name": instrument.code,
        "Field Label": item.text[LABEL_LANGUAGE], "Field Note": item.text[NOTE_LANGUAGE],
        "Question Number (surveys only)": str(item.number),
    })
    if item.number == 1:
        row["Section Header"] = instrument.instructions[LABEL_LANGUAGE]
    if scale.kind == "vas":
        row.update({
            "Field Type": "slider",
            "Choices, Calculations, OR Slider Labels":
                f"{scale.min_anchor[LABEL_LANGUAGE]} | | {scale.max_anchor[LABEL_LANGUAGE]}",
            "Text Validation Type OR Show Slider Number": "number",
            "Text Validation Min": str(scale.min), "Text Validation Max": str(scale.max),
        })
    else:
        row.update({"Field Type": "radio", "Custom Alignment": "LH",
                    "Choices, Calculations, OR Slider Labels": rating_choices(scale)})
    return row


def dictionary_rows(registry, study_codes=()):
    instruments = ordered_instruments(registry, study_codes)
    record_id = dict.fromkeys(REDCAP_COLUMNS, "")
    record_id.update({"Variable / Field Name": "study_id", "Form Name": instruments[0].code,
                      "Field Type": "text", "Field Label": "Studie-ID",
                      "Field Note": "Study ID"})
    return [record_id] + [item_field(instrument, item) for instrument in instruments
                          for item in instrument.items]


def write_redcap_dictionary(stream, registry, study_codes=()):
    writer = CsvDictWriter(stream, REDCAP_COLUMNS)
    writer.writeheader()
    rows = dictionary_rows(registry, study_codes)
    for row in rows:
        writer.writerow(row)
    return len(rows)
