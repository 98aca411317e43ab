"""The package layers hold: lint-imports keeps the contracts in pyproject.toml, and a
deliberate back-import into a copy of the package breaks them (so the check can fail)."""
import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

#: Feature packages that still import each other both ways (issue 12: an acyclic house).
#: The list only shrinks: a new two-way pair fails below, and so does one that is gone
#: but still listed, so that the list stays the truth.
TWO_WAY_PAIRS_LEFT = {
    ("audit_reports", "participants"), ("invitations", "participants"),
    ("messaging", "participants"), ("paper", "participants"), ("participants", "staff"),
}


def lint_imports(folder, config):
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
                          cwd=folder, capture_output=True, text=True, check=False)


def copy_with_contracts(tmp_path):
    shutil.copytree(ROOT / "survey", tmp_path / "survey",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "definitions"))
    config = tmp_path / "contracts.toml"
    shutil.copy(ROOT / "pyproject.toml", config)
    return config


def add_import(path, line):
    source = path.read_text()
    path.write_text(line + "\n" + source if not source.startswith('"""') else
                    re.sub(r'^(""".*?"""\n)', lambda m: m.group(1) + line + "\n", source,
                           count=1, flags=re.DOTALL))


def test_the_contracts_are_kept():
    result = lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_unchanged_copy_keeps_them(tmp_path):
    config = copy_with_contracts(tmp_path)
    result = lint_imports(tmp_path, config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_back_import_into_the_audit_write_api_is_caught(tmp_path):
    config = copy_with_contracts(tmp_path)
    add_import(tmp_path / "survey/audit/services.py",
               "from ..participants.models import Participant  # noqa: F401")
    result = lint_imports(tmp_path, config)
    assert result.returncode == 1
    assert "survey.audit.services -> survey.participants.models" in result.stdout


def test_a_cli_registering_another_features_commands_is_caught(tmp_path):
    config = copy_with_contracts(tmp_path)
    add_import(tmp_path / "survey/invitations/cli.py", "from ..messaging import cli  # noqa: F401")
    result = lint_imports(tmp_path, config)
    assert result.returncode == 1
    assert "survey.invitations.cli -> survey.messaging.cli" in result.stdout


def feature_packages():
    return sorted(p.name for p in (ROOT / "survey").iterdir() if (p / "__init__.py").exists())


def two_way_pairs():
    """Pairs of feature packages each of which imports the other (function-level imports
    included, as import-linter counts them)."""
    graph = grimp.build_graph("survey", cache_dir=None)
    features = feature_packages()
    imports = set()
    for a, b in itertools.permutations(features, 2):
        if graph.direct_import_exists(importer=f"survey.{a}", imported=f"survey.{b}",
                                      as_packages=True):
            imports.add((a, b))
    return {tuple(sorted(pair)) for pair in imports if pair[::-1] in imports}


def test_no_new_two_way_imports_between_feature_packages():
    assert two_way_pairs() == TWO_WAY_PAIRS_LEFT
