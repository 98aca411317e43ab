"""Every feature's models, imported in one place so the metadata (and Alembic) sees them all."""
from .audit.models import AccessRecord, AuditRecord
from .dashboard.models import ParticipantState, ParticipantStateChange
from .history.models import HistoricalResponse, HistoricalScore, HistoricalValue
from .invitations.models import Invitation
from .messaging.models import OutboundMessage
from .paper.models import PaperEntry, PaperEntryValue, PaperForm
from .participants.models import Participant
from .ratelimit import RateLimitTries
from .responses.models import Answer, Response, Score
from .schedule.models import ReminderSchedule
from .signatures.models import Signature
from .staff.models import RecoveryCode, StaffUser

__all__ = ["AccessRecord", "Answer", "AuditRecord", "HistoricalResponse", "HistoricalScore",
           "HistoricalValue", "Invitation", "OutboundMessage", "PaperEntry",
           "PaperEntryValue", "PaperForm", "Participant", "ParticipantState",
           "ParticipantStateChange", "RateLimitTries", "RecoveryCode", "ReminderSchedule",
           "Response", "Score", "Signature", "StaffUser"]
