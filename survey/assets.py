"""Versioned URLs for static files, so browsers may cache them for a year."""
import hashlib
import os
from functools import cache

from flask import current_app

ONE_YEAR = 365 * 24 * 3600


@cache
def _file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def asset_version(filename):
    """A short content hash: the URL changes whenever the file does."""
    return _file_hash(os.path.join(current_app.static_folder, filename))


def init_assets(app):
    # Flask presets this key to None, so setdefault would not take.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
    app.jinja_env.globals["asset_version"] = asset_version
