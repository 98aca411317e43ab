"""Every message has a Danish translation, and the catalogue matches the code."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def read_catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def test_every_danish_message_is_translated_and_not_fuzzy():
    catalog = read_catalog(ROOT / "translations/da/LC_MESSAGES/messages.po")
    untranslated = [m.id for m in catalog if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogues_hold_every_message_in_the_code(tmp_path):
    """A message added in code or templates but not extracted would show in English."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), "--no-location",
                    str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    in_code = {m.id for m in read_catalog(pot) if m.id}
    for lang in ("da", "en"):
        in_catalogue = {m.id for m in read_catalog(
            ROOT / f"translations/{lang}/LC_MESSAGES/messages.po") if m.id}
        assert in_code - in_catalogue == set(), lang
