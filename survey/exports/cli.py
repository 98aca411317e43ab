import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.services import cli_actor
from ..extensions import db
from ..instruments import instruments
from ..participants.models import STATUSES
from ..responses.models import MODES
from .records import ExportFilter
from .service import FORMATS, make_export, record_export_done

responses_cli = AppGroup("responses", help="Export responses for analysis.")


@responses_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="csv",
              show_default=True,
              help="csv: one row per response; long: one row per item answer; codebook: "
                   "every column of both described; stata, spss: the wide table with labels; "
                   "redcap-dictionary: the instruments as a REDCap data dictionary; fhir: an "
                   "R4 Bundle of questionnaires, responses and scores.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--excel", is_flag=True,
              help="For Danish Excel (csv, long, codebook): byte-order mark, semicolons, "
                   "decimal comma.")
@click.option("--instrument", help="Only this instrument (its code, e.g. xq).")
@click.option("--mode", type=click.Choice(MODES), help="Only answers collected this way.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Only responses submitted on or after this day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Only responses submitted on or before this day (YYYY-MM-DD).")
@click.option("--status", type=click.Choice(STATUSES),
              help="Only participants with this status now.")
@click.option("--all", "include_all", is_flag=True,
              help="Also responses not counted (begun, duplicates, paper not yet verified), "
                   "with their state.")
def export_command(fmt, output, excel, instrument, mode, since, until, status, include_all):
    """Export responses (only those counted in the analysis, unless --all). Contact
    details are never part of it. Every export is recorded in the audit trail."""
    if instrument is not None and instrument not in instruments().codes:
        raise click.BadParameter(
            _("no instrument %(code)s; known: %(codes)s", code=instrument,
              codes=", ".join(instruments().codes)), param_hint="--instrument")
    export_filter = ExportFilter(instrument=instrument, mode=mode,
                                 since=since and since.date(), until=until and until.date(),
                                 status=status, include_all=include_all)
    export = make_export(fmt, export_filter, excel)
    if output:
        with open(output, "wb") as stream:
            stream.write(export.data)
        click.echo(ngettext("Wrote %(num)d row to %(output)s.",
                            "Wrote %(num)d rows to %(output)s.", export.rows, output=output),
                   err=True)
    else:
        with click.open_file("-", "wb") as stream:
            stream.write(export.data)
    record_export_done(cli_actor(), fmt, export_filter, excel, export.rows)
    db.session.commit()
