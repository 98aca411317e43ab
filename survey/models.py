"""Every feature's models, imported in one place so the metadata (and Alembic) sees them all."""
from .audit.models import AccessRecord, AuditRecord
from .invitations.models import Invitation
from .messaging.models import OutboundMessage
from .paper.models import PaperEntry, PaperEntryValue, PaperForm
from .participants.models import Participant
from .responses.models import Answer, Response, Score
from .staff.models import RecoveryCode, StaffUser

__all__ = ["AccessRecord", "Answer", "AuditRecord", "Invitation", "OutboundMessage", "PaperEntry",
           "PaperEntryValue", "PaperForm", "Participant", "RecoveryCode", "Response", "Score",
           "StaffUser"]
