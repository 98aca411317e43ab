"""Making a certified copy (its SHA-256 goes into the audit trail) and checking one."""
import hashlib

from flask_babel import force_locale

from ..audit.models import AuditRecord
from ..audit.services import record_access, record_change
from ..extensions import db
from .content import VARIANTS, certified_record
from .pdf import record_pdf

CERTIFY = "certify"
#: The audit record's field names the variant: for the study team or for the participant.
VARIANT_FIELDS = {"staff": "copy_for_staff", "participant": "copy_for_participant"}
ACCESS_PURPOSE = "certified copy"


def make_certified_copy(participant, variant, language, actor, user=None):
    """The participant's record as PDF bytes, in `language` (da or en), and its SHA-256.

    The digest is recorded in the audit trail (who, when, which participant and
    variant) in the caller's transaction, so any file can later be shown to be
    exactly a copy that was made (`find_certified_copy`). A staff member's
    download is also noted in the access log. The caller commits.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    with force_locale(language):
        pdf = record_pdf(certified_record(participant, variant))
    digest = hashlib.sha256(pdf).hexdigest()
    if user is not None:
        record_access(user, participant, ACCESS_PURPOSE)
    record_change(actor, CERTIFY, "participant", participant.id, field=VARIANT_FIELDS[variant],
                  new=digest, participant_id=participant.id)
    return pdf, digest


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def find_certified_copy(digest):
    """The audit record of the certified copy with this SHA-256, or None if none was made."""
    return db.session.execute(
        db.select(AuditRecord).where(AuditRecord.action == CERTIFY,
                                     AuditRecord.new_value == digest.lower())
        .order_by(AuditRecord.id).limit(1)).scalar_one_or_none()
