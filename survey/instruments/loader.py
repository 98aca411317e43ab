"""Read instrument definitions (TOML) into frozen data and check them at start-up.

A definition that is incomplete or inconsistent stops the app with a message
naming the file and what is wrong, because validated wording must never fall
back silently to another language or lose an item.
"""
import tomllib
from pathlib import Path

from ..codes import LANGUAGES
from .model import SCALE_KINDS, Instrument, Item, ResponseScale, ScoreRule
from .scoring import SCORE_METHODS

BUILT_IN_DIR = Path(__file__).parent / "definitions"


class InstrumentDefinitionError(ValueError):
    """An instrument definition file is not usable as it stands."""


def _require(mapping, key, where):
    if key not in mapping:
        raise InstrumentDefinitionError(f"{where}: missing {key!r}")
    return mapping[key]


def _texts(mapping, key, where):
    """A per-language text with every language present and non-empty."""
    value = _require(mapping, key, where)
    if not isinstance(value, dict):
        raise InstrumentDefinitionError(f"{where}: {key!r} must give each language, got {value!r}")
    for lang in LANGUAGES:
        if not str(value.get(lang, "")).strip():
            raise InstrumentDefinitionError(f"{where}: {key!r} has no {lang!r} text")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise InstrumentDefinitionError(f"{where}: {key!r} has unknown languages {sorted(unknown)}")
    return dict(value)


def _scale(scale_id, raw, where):
    where = f"{where} scale {scale_id!r}"
    kind = _require(raw, "kind", where)
    if kind not in SCALE_KINDS:
        raise InstrumentDefinitionError(
            f"{where}: unknown kind {kind!r}, expected one of {SCALE_KINDS}")
    low, high = _require(raw, "min", where), _require(raw, "max", where)
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        raise InstrumentDefinitionError(f"{where}: min and max must be whole numbers, min < max")
    return ResponseScale(
        id=scale_id, kind=kind, min=low, max=high,
        min_anchor=_texts(raw, "min_anchor", where), max_anchor=_texts(raw, "max_anchor", where),
    )


def _items(raw_items, scales, where):
    items, seen = [], set()
    for number, raw in enumerate(raw_items, start=1):
        item_id = _require(raw, "id", f"{where} item {number}")
        here = f"{where} item {item_id!r}"
        if item_id in seen:
            raise InstrumentDefinitionError(f"{where}: duplicate item id {item_id!r}")
        seen.add(item_id)
        scale_id = _require(raw, "scale", here)
        if scale_id not in scales:
            raise InstrumentDefinitionError(f"{here}: unknown scale {scale_id!r}")
        items.append(Item(id=item_id, number=number, text=_texts(raw, "text", here),
                          scale=scales[scale_id], reverse=bool(raw.get("reverse", False))))
    if not items:
        raise InstrumentDefinitionError(f"{where}: no items")
    return tuple(items)


def _scores(raw_scores, item_ids, where):
    scores, seen = [], set()
    for raw in raw_scores:
        score_id = _require(raw, "id", f"{where} score")
        here = f"{where} score {score_id!r}"
        if score_id in seen:
            raise InstrumentDefinitionError(f"{where}: duplicate score id {score_id!r}")
        seen.add(score_id)
        method = _require(raw, "method", here)
        if method not in SCORE_METHODS:
            raise InstrumentDefinitionError(
                f"{here}: unknown method {method!r}, expected one of {tuple(SCORE_METHODS)}")
        members = tuple(_require(raw, "items", here))
        missing = [i for i in members if i not in item_ids]
        if missing or not members:
            raise InstrumentDefinitionError(
                f"{here}: items {missing or members} are not in the instrument")
        decimals = raw.get("decimals", 2)
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
            raise InstrumentDefinitionError(f"{here}: decimals must be a whole number 0-4")
        scores.append(ScoreRule(id=score_id, method=method, item_ids=members,
                                label=_texts(raw, "label", here), decimals=decimals))
    return tuple(scores)


def parse_instrument(raw, where):
    """Turn one parsed TOML document into an Instrument, or raise InstrumentDefinitionError."""
    code, version = _require(raw, "code", where), str(_require(raw, "version", where))
    scales = {sid: _scale(sid, s, where) for sid, s in _require(raw, "scales", where).items()}
    items = _items(_require(raw, "items", where), scales, where)
    return Instrument(
        code=code, version=version,
        title=_texts(raw, "title", where), instructions=_texts(raw, "instructions", where),
        items=items, scores=_scores(raw.get("scores", []), {i.id for i in items}, where),
        recall=_texts(raw, "recall", where) if "recall" in raw else None,
    )


def load_instrument_file(path):
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentDefinitionError(f"{path}: not valid TOML: {error}") from None
    return parse_instrument(raw, str(path))


class InstrumentRegistry:
    """Every known instrument version, and which version new responses use."""

    def __init__(self, instruments, pinned_versions=None):
        self._by_key = {}
        for instrument in instruments:
            if instrument.key in self._by_key:
                raise InstrumentDefinitionError(f"instrument {instrument.key} is defined twice")
            self._by_key[instrument.key] = instrument
        self._current = {}
        for instrument in sorted(instruments, key=lambda i: _version_order(i.version)):
            self._current[instrument.code] = instrument  # the newest version wins
        for code, version in (pinned_versions or {}).items():
            self._current[code] = self.get(code, version)

    def get(self, code, version):
        try:
            return self._by_key[f"{code}-{version}"]
        except KeyError:
            raise InstrumentDefinitionError(f"no instrument {code!r} version {version!r}") from None

    def current(self, code):
        try:
            return self._current[code]
        except KeyError:
            raise InstrumentDefinitionError(f"no instrument with code {code!r}") from None

    @property
    def codes(self):
        return tuple(self._current)


def _version_order(version):
    """'1.10' sorts after '1.9'; a named part ('site') sorts after numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in version.replace("-", ".").split("."))


def parse_pinned_versions(setting):
    """'xq=1.0-site,vas=1.0' -> {'xq': '1.0-site', 'vas': '1.0'}."""
    pinned = {}
    for part in filter(None, (p.strip() for p in setting.split(","))):
        code, sep, version = part.partition("=")
        if not sep or not code or not version:
            raise InstrumentDefinitionError(
                f"SURVEY_INSTRUMENT_VERSIONS: expected CODE=VERSION, got {part!r}")
        pinned[code.strip()] = version.strip()
    return pinned


def load_registry(extra_dir=None, pinned_setting=""):
    """Load the built-in definitions plus any in `extra_dir` (a site's own wording)."""
    folders = [BUILT_IN_DIR] + ([Path(extra_dir)] if extra_dir else [])
    paths = []
    for folder in folders:
        if not folder.is_dir():
            raise InstrumentDefinitionError(f"instrument folder {folder} does not exist")
        paths.extend(sorted(folder.glob("*.toml")))
    return InstrumentRegistry([load_instrument_file(p) for p in paths],
                              parse_pinned_versions(pinned_setting))
