"""The coordinators' export page: choose a format and filters, download, audited.

The page is a GET; the download is a POST (it writes the audit record), so no GET
changes anything.
"""
from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

from ..audit.services import record_access_to_many, staff_actor
from ..extensions import db
from ..instruments import instruments
from ..permissions import Permission, permission_required
from .columns import ordered_instruments
from .forms import ExportForm
from .records import ExportFilter
from .service import DESCRIPTIONS, make_export, record_export_done

bp = Blueprint("exports", __name__, url_prefix="/staff/exports")


def export_form():
    form = ExportForm()
    form.set_instruments(ordered_instruments(instruments(),
                                             current_app.config["SURVEY_INSTRUMENTS"]))
    return form


@bp.get("/")
@permission_required(Permission.EXPORT_DATA)
def index():
    return render_template("exports/index.html", form=export_form())


def filter_of(form):
    return ExportFilter(instrument=form.instrument.data or None, mode=form.mode.data or None,
                        since=form.since.day, until=form.until.day,
                        status=form.status.data or None, include_all=form.include_all.data)


@bp.post("/")
@permission_required(Permission.EXPORT_DATA)
def download():
    form = export_form()
    if not form.validate():
        return render_template("exports/index.html", form=form), 400
    fmt, export_filter = form.fmt.data, filter_of(form)
    export = make_export(fmt, export_filter, form.excel.data)
    record_export_done(staff_actor(current_user), fmt, export_filter, form.excel.data,
                       export.rows)
    if fmt not in DESCRIPTIONS:
        record_access_to_many(current_user, export.participant_ids, "responses export")
    db.session.commit()
    return Response(export.data, mimetype=export.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{export.filename}"'})
