"""The certified copy from the participant's staff page (coordinators and administrators).

A POST, not a link: making a copy records its digest in the audit trail.
"""
from flask import Blueprint, Response, abort, request
from flask_login import current_user

from ..audit.services import staff_actor
from ..extensions import db
from ..participants.models import participant_or_404
from ..permissions import Permission, permission_required
from .content import VARIANTS
from .services import make_certified_copy
from .timeline import participant_charts

bp = Blueprint("records", __name__, url_prefix="/staff/participants")
bp.add_app_template_global(participant_charts)  # the participant page's charts


@bp.post("/<study_id>/certified-copy")
@permission_required(Permission.CERTIFIED_COPY)
def certified_copy(study_id):
    participant = participant_or_404(study_id)
    variant = request.form.get("variant", "staff")
    language = request.form.get("language", "da")
    if variant not in VARIANTS or language not in ("da", "en"):
        abort(400)
    pdf, digest = make_certified_copy(participant, variant, language, staff_actor(current_user),
                                      user=current_user)
    db.session.commit()
    name = f"certified-copy-{participant.study_id}-{digest[:12]}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
