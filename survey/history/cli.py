"""`responses import-history FILE.csv` (survey/cli.py adds it to the responses group)."""
import os

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.services import cli_actor
from ..extensions import db
from .services import HistoryImportError, check_history, import_history, read_history_file


@click.command("import-history")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_history_command(file):
    """Import the trial's earlier time points from FILE, or nothing if any row is wrong.

    FILE is UTF-8 CSV (commas or semicolons) whose first line is
    study_id,timepoint,date,instrument followed by item columns named as in the
    export (xq1 ... xq8, vas1 ... vas8). One row per participant, time point and
    instrument; the date as 2025-03-31 or 31.03.2025; an empty item cell is not
    answered. Scores are computed with the instrument's scoring. The values are
    kept apart from collected responses: they never count as answered.
    Wrong rows are listed by line number, without their values.
    """
    try:
        header, lines, digest = read_history_file(file)
    except HistoryImportError as error:
        raise click.ClickException(f"{click.format_filename(file)}: {error}") from None
    if not lines:
        raise click.ClickException(_("%(file)s has no rows", file=click.format_filename(file)))
    rows, bad = check_history(header, lines)
    if bad:
        for line, problems in bad:
            click.echo(_("line %(line)d: %(problems)s", line=line, problems="; ".join(problems)),
                       err=True)
        raise click.ClickException(_("nothing imported: %(bad)d of %(all)d rows have problems",
                                     bad=len(bad), all=len(lines)))
    count = import_history(rows, digest, os.path.basename(file), cli_actor())
    db.session.commit()
    click.echo(ngettext("Imported %(num)d earlier time point.",
                        "Imported %(num)d earlier time points.", count))
