"""requirements.lock pins what pyproject.toml asks for, with hashes (see README, Development)."""
import os
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[a-z0-9,._-]+\])?==([^\s;\\]+)", re.MULTILINE)


def pyproject_requirements():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["test"]
    return {canonicalize_name(r.name): r for r in map(Requirement, listed)}


def lock_entries():
    """{name: (version, the entry's text: hashes and 'via' notes)}."""
    with open(os.path.join(ROOT, "requirements.lock")) as f:
        text = f.read()
    matches = list(PIN.finditer(text))
    entries = {}
    for match, following in zip(matches, matches[1:] + [None], strict=True):
        block = text[match.start():following.start() if following else len(text)]
        entries[canonicalize_name(match.group(1))] = (match.group(2), block)
    return entries


def test_the_lock_pins_every_requirement_of_pyproject_within_its_bounds():
    entries = lock_entries()
    for name, requirement in pyproject_requirements().items():
        assert name in entries, f"{name} is in pyproject.toml but not locked: compile the lock"
        version = entries[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} in the lock is outside pyproject.toml's {requirement}")


def test_the_lock_was_compiled_from_pyproject_as_it_is():
    compiled_from = {name for name, (_, block) in lock_entries().items()
                     if "survey (pyproject.toml)" in block}
    assert compiled_from == set(pyproject_requirements()), (
        "requirements.lock was compiled from other requirements than pyproject.toml lists: "
        "compile it again (README, Development)")


def test_every_pin_carries_hashes_and_nothing_is_left_unpinned():
    entries = lock_entries()
    assert entries
    for name, (_, block) in entries.items():
        assert "--hash=sha256:" in block, f"{name} has no hash"
    with open(os.path.join(ROOT, "requirements.lock")) as f:
        lines = [line.strip() for line in f if line.strip() and not line.startswith(" ")]
    unpinned = [line for line in lines if not line.startswith("#") and "==" not in line]
    assert unpinned == []
