"""Which software collected a response: the package version and, where known, the commit.

The version comes from the installed package's metadata (pyproject.toml). The
commit is the setting SURVEY_COMMIT (set by a deployment that ships without
.git), else read once from git when the code runs from a checkout; when neither
is available it is empty. Nothing here ever stops the application.
"""
import functools
import os
import subprocess
from importlib import metadata
from pathlib import Path

from flask import current_app

PACKAGE = "survey"


@functools.cache
def package_version():
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def commit_from_git():
    """The checked-out commit of the code's folder, or None (no git, not a checkout)."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=5,
            check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and len(commit) == 40 else None


def software_commit():
    configured = (current_app.config.get("SURVEY_COMMIT")
                  or os.environ.get("SURVEY_COMMIT", "")).strip()
    return configured[:40] or commit_from_git()


def stamp(response):
    """Record on `response` the software version and commit collecting it now."""
    response.software_version = package_version()
    response.software_commit = software_commit()
