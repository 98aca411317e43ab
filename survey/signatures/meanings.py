"""What each kind of signature means: fixed words, shown above the password field and kept
with the signature in the language the signer saw them."""
from flask_babel import lazy_gettext as _l

MEANINGS = {
    "paper_values": _l("I confirm these values match the paper form."),
    "paper_correction": _l("I confirm that the corrected answers match the paper form."),
    "counting_response": _l("I confirm that this is the response that counts, for the reason "
                            "given."),
    "exclusion": _l("I confirm that this response is excluded from the analysis, for the reason "
                    "given."),
    "inclusion": _l("I confirm that this response is taken back into the analysis, for the "
                    "reason given."),
    "participant_request": _l("I confirm that this change is recorded as the participant asked "
                              "for it."),
}
