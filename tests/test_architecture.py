"""The package layers hold: lint-imports keeps the contracts in pyproject.toml, a deliberate
back-import into a copy of the package breaks them (so the check can fail), and the feature
packages import each other in no cycle at all."""
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"



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
    assert "each imports only the ones below it BROKEN" in " ".join(result.stdout.split())


def test_a_back_import_between_features_is_caught_even_inside_a_function(tmp_path):
    config = copy_with_contracts(tmp_path)
    path = tmp_path / "survey/invitations/services.py"
    path.write_text(path.read_text() + "\n\ndef _late():\n"
                    "    from ..messaging.services import send_invitation  # noqa: F401\n")
    result = lint_imports(tmp_path, config)
    assert result.returncode == 1
    assert "survey.invitations.services -> survey.messaging.services" in result.stdout


def test_a_cli_registering_another_features_commands_is_caught(tmp_path):
    config = copy_with_contracts(tmp_path)
    add_import(tmp_path / "survey/invitations/cli.py", "from ..messaging import cli  # noqa: F401")
    result = lint_imports(tmp_path, config)
    assert result.returncode == 1
    assert "survey.invitations.cli -> survey.messaging.cli" in result.stdout


def feature_packages():
    return sorted(p.name for p in (ROOT / "survey").iterdir() if (p / "__init__.py").exists())


def package_imports():
    """{package: the feature packages it imports} (function-level imports included, as
    import-linter counts them)."""
    graph = grimp.build_graph("survey", cache_dir=None)
    features = feature_packages()
    return {a: {b for b in features if a != b and graph.direct_import_exists(
        importer=f"survey.{a}", imported=f"survey.{b}", as_packages=True)} for a in features}


def cycle_in(imports):
    """One cycle of packages as a list, or None when the graph has none."""
    done, path = set(), []

    def visit(package):
        if package in path:
            return path[path.index(package):] + [package]
        if package in done:
            return None
        path.append(package)
        for imported in sorted(imports[package]):
            if found := visit(imported):
                return found
        path.pop()
        done.add(package)
        return None

    return next((found for package in sorted(imports) if (found := visit(package))), None)


def test_the_feature_packages_import_each_other_in_no_cycle():
    assert cycle_in(package_imports()) is None


def test_the_cycle_check_finds_a_cycle():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None


def test_every_feature_package_has_its_layer():
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in layers["contracts"] if c["id"] == "layers")
    placed = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    assert placed == set(feature_packages())


def routes_by_blueprint(app):
    """{blueprint name: the modules its view functions are defined in} (static files aside)."""
    modules = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        blueprint = rule.endpoint.rsplit(".", 1)[0]
        modules.setdefault(blueprint, set()).add(app.view_functions[rule.endpoint].__module__)
    return modules


def blueprint_problems(modules):
    """What breaks 'one blueprint per package, named after it, its routes in views.py'."""
    problems = []
    for blueprint, where in sorted(modules.items()):
        if where != {f"survey.{blueprint}.views"}:
            problems.append(f"{blueprint}: routes in {', '.join(sorted(where))}")
    return problems


def test_every_blueprint_is_named_after_its_package_with_its_routes_in_views(app):
    modules = routes_by_blueprint(app)
    assert blueprint_problems(modules) == []
    assert {b.import_name for b in app.blueprints.values()} == {
        f"survey.{name}.views" for name in app.blueprints}


def test_the_blueprint_check_finds_a_split_package_and_a_wrong_name():
    assert blueprint_problems({"paper": {"survey.paper.views"}}) == []
    assert blueprint_problems({"paper": {"survey.paper.views", "survey.paper.more_views"}}) == [
        "paper: routes in survey.paper.more_views, survey.paper.views"]
    assert blueprint_problems({"start": {"survey.invitations.views"}}) == [
        "start: routes in survey.invitations.views"]
