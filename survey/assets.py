"""Versioned URLs for static files, so browsers may cache them for a year."""
import hashlib
import os
from functools import cache

from flask import current_app, url_for

ONE_YEAR = 365 * 24 * 3600


@cache
def _file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def asset_version(filename):
    """A short content hash: the URL changes whenever the file does."""
    return _file_hash(os.path.join(current_app.static_folder, filename))


def asset_url(filename, blueprint=None):
    """The versioned URL of a static file: the app's, or the named blueprint's own."""
    if blueprint is None:
        return url_for("static", filename=filename, v=asset_version(filename))
    folder = current_app.blueprints[blueprint].static_folder
    return url_for(f"{blueprint}.static", filename=filename,
                   v=_file_hash(os.path.join(folder, filename)))


def init_assets(app):
    # Flask presets this key to None, so setdefault would not take.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
    app.jinja_env.globals.update(asset_version=asset_version, asset_url=asset_url)
