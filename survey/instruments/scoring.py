"""Scoring as pure functions over {item_id: value or None}.

The rules follow shared/instruments.md: a score is the mean of its answered
items, each turned so that 0 is best and 1 worst, rescaled to 0-100. When some
items are unanswered the score is still given if at least `min_fraction` of the
items were answered (the half rule, default 0.5); it is then marked prorated.
With fewer answered items the score is missing (None), never 0.
"""
from dataclasses import dataclass

DEFAULT_MIN_FRACTION = 0.5


@dataclass(frozen=True)
class ScoreResult:
    score_id: str
    value: float | None
    n_answered: int
    n_items: int

    @property
    def prorated(self):
        return self.value is not None and self.n_answered < self.n_items


def scaled_mean(items, answers, min_fraction=DEFAULT_MIN_FRACTION):
    """Mean of the answered items' aligned values on 0-100, or None under the half rule."""
    aligned = [item.aligned(answers[item.id]) for item in items if answers.get(item.id) is not None]
    if not aligned or len(aligned) < min_fraction * len(items):
        return None, len(aligned)
    return 100 * sum(aligned) / len(aligned), len(aligned)


SCORE_METHODS = {"scaled_mean": scaled_mean}


def score_response(instrument, answers, min_fraction=DEFAULT_MIN_FRACTION):
    """Every score the instrument defines, for one response's answers.

    `answers` maps item id to the raw value as answered (or None / absent when
    not answered). Raises ValueError for a value outside an item's scale, which
    would mean a bug upstream: values are checked when they are stored.
    """
    for item_id, value in answers.items():
        item = instrument.item(item_id)
        if value is not None and not item.scale.contains(value):
            raise ValueError(f"{instrument.key} {item_id}: {value} is outside "
                             f"{item.scale.min}..{item.scale.max}")
    results = []
    for rule in instrument.scores:
        items = [instrument.item(i) for i in rule.item_ids]
        value, n_answered = SCORE_METHODS[rule.method](items, answers, min_fraction)
        results.append(ScoreResult(rule.id, value, n_answered, len(items)))
    return results
