import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import ngettext

from ..audit.services import cli_actor, record_export
from ..extensions import db
from ..instruments import instruments
from .export import write_responses_csv

responses_cli = AppGroup("responses", help="Export submitted responses.")


@responses_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--excel", is_flag=True,
              help="For Danish Excel: byte-order mark and semicolons between columns.")
def export_command(fmt, output, excel):
    """Write one row per submitted response, with item values and scores, as UTF-8 CSV."""
    encoding, delimiter = ("utf-8-sig", ";") if excel else ("utf-8", ",")
    codes = current_app.config["SURVEY_INSTRUMENTS"]
    if output:
        with open(output, "w", encoding=encoding, newline="") as stream:
            count = write_responses_csv(stream, instruments(), codes, delimiter)
        click.echo(ngettext("Wrote %(num)d response to %(output)s.",
                            "Wrote %(num)d responses to %(output)s.", count, output=output),
                   err=True)
    else:
        with click.open_file("-", "w", encoding=encoding) as stream:
            count = write_responses_csv(stream, instruments(), codes, delimiter)
    record_export(cli_actor(), "responses", "all", count)
    db.session.commit()
