"""Scoring as pure functions over {item_id: value or None}, in exact decimal arithmetic.

The rules follow shared/instruments.md: a score is the mean of its answered
items, each turned so that 0 is best and 1 worst, rescaled to 0-100. When some
items are unanswered the score is still given if at least `min_fraction` of the
items were answered (the half rule, default 0.5); it is then marked prorated.
With fewer answered items the score is missing (None), never 0.

The mean is computed as an exact fraction and kept to STORED_DECIMALS places
(rounded half-up): exact for every mean of whole-number answers over 1, 2, 4, 5
or 8 items (41.875 stays 41.875); a third or a seventh keeps six decimals, far
from any half-way point, so rounding it again to the codebook's decimals gives
the same result as rounding the exact fraction. Reports and exports write the
score rounded half-up to the decimals its rule states (`ScoreRule.decimals`):
41.875 -> 41.88, 56.875 -> 56.88, never 64.99999999999999.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

DEFAULT_MIN_FRACTION = Decimal("0.5")
STORED_DECIMALS = 6


def as_decimal(value):
    """A setting or stored number as an exact Decimal: 0.5 (float), "0.5" and Decimal alike."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def round_half_up(value, decimals):
    """`value` (Decimal, Fraction or int) rounded half-up to `decimals` places, as Decimal."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return as_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def decimal_text(value):
    """A Decimal as plain text without trailing zeros: 65.000000 -> '65', 41.875000 -> '41.875'.

    This is the one text form of a stored score: the database keeps it, the
    audit trail records it, and `audit verify` compares the two as text.
    """
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed_text(value, decimals):
    """A score as an export writes it: rounded half-up, exactly `decimals` places (41.88)."""
    return "" if value is None else format(round_half_up(value, decimals), "f")


def legacy_float_score(value):
    """A score stored as a float before migration 0016, as the exact decimal it stood for.

    Floats carried noise (64.99999999999999 for 65); every mean the rules can give
    is exact or far from a tie at six decimals, so rounding there recovers it.
    """
    if value is None:
        return None
    return round_half_up(Decimal(repr(float(value))), STORED_DECIMALS)


@dataclass(frozen=True)
class ScoreResult:
    score_id: str
    value: Decimal | None
    n_answered: int
    n_items: int
    #: The half-rule fraction the score was computed with.
    min_fraction: Decimal = DEFAULT_MIN_FRACTION

    @property
    def prorated(self):
        return self.value is not None and self.n_answered < self.n_items


def aligned_fraction(item, value):
    """The answer as an exact fraction of the scale, 0 best and 1 worst."""
    fraction = Fraction(value - item.scale.min, item.scale.max - item.scale.min)
    return 1 - fraction if item.reverse else fraction


def scaled_mean(items, answers, min_fraction=DEFAULT_MIN_FRACTION):
    """Mean of the answered items' aligned values on 0-100, or None under the half rule."""
    aligned = [aligned_fraction(item, answers[item.id]) for item in items
               if answers.get(item.id) is not None]
    if not aligned or len(aligned) < as_decimal(min_fraction) * len(items):
        return None, len(aligned)
    return round_half_up(100 * sum(aligned) / len(aligned), STORED_DECIMALS), len(aligned)


#: Each scoring rule's method (the instrument files' `method`) and its function.
SCORE_METHODS = {"scaled_mean": scaled_mean}


def score_response(instrument, answers, min_fraction=DEFAULT_MIN_FRACTION):
    """Every score the instrument defines, for one response's answers.

    `answers` maps item id to the raw value as answered (or None / absent when
    not answered). Raises ValueError for a value outside an item's scale, which
    would mean a bug upstream: values are checked when they are stored.
    """
    min_fraction = as_decimal(min_fraction)
    for item_id, value in answers.items():
        item = instrument.item(item_id)
        if value is not None and not item.scale.contains(value):
            raise ValueError(f"{instrument.key} {item_id}: {value} is outside "
                             f"{item.scale.min}..{item.scale.max}")
    results = []
    for rule in instrument.scores:
        items = [instrument.item(i) for i in rule.item_ids]
        value, n_answered = SCORE_METHODS[rule.method](items, answers, min_fraction)
        results.append(ScoreResult(rule.id, value, n_answered, len(items), min_fraction))
    return results
