"""Questionnaire definitions as frozen data: instruments, items, response scales, scores."""
from dataclasses import dataclass

SCALE_KINDS = ("rating", "vas")  # rating: a choice of whole numbers; vas: a position on a line


@dataclass(frozen=True)
class ResponseScale:
    id: str
    kind: str
    min: int
    max: int
    #: Wording at each end, per language: {"da": ..., "en": ...}
    min_anchor: dict
    max_anchor: dict

    def contains(self, value):
        return self.min <= value <= self.max


@dataclass(frozen=True)
class Item:
    id: str
    #: Position in the questionnaire, 1-based, as printed on paper.
    number: int
    text: dict
    scale: ResponseScale
    #: True when the scale's maximum is the best answer (e.g. "a lot of saliva").
    reverse: bool = False

    def aligned(self, value):
        """The answer on 0..1 where 0 is best and 1 is worst, whatever the item's direction."""
        fraction = (value - self.scale.min) / (self.scale.max - self.scale.min)
        return 1 - fraction if self.reverse else fraction


@dataclass(frozen=True)
class ScoreRule:
    id: str
    method: str
    item_ids: tuple
    label: dict
    #: Decimals a report or export writes the score with (rounded half-up).
    decimals: int = 2


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: dict
    instructions: dict
    items: tuple
    scores: tuple
    #: The recall period, per language, shown on every question page; None when the
    #: instrument has none (as the published XQ and VAS).
    recall: dict | None = None

    def item(self, item_id):
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.code} {self.version} has no item {item_id!r}")

    def item_at(self, number):
        """The item at 1-based position `number`, or None past either end."""
        if 1 <= number <= len(self.items):
            return self.items[number - 1]
        return None

    @property
    def key(self):
        return f"{self.code}-{self.version}"
