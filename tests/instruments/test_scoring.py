"""Scoring of XQ and VAS over the built-in definitions, against hand-computed values.

Each table row gives the raw answers as a participant gave them (None = left blank
on purpose) and every score as (value, prorated), worked out by hand from the rules
in shared/instruments.md: XQ total = sum of 8 items x 1.25 (= mean x 10); the
subscales are the mean of their 4 items x 10; VAS item 3 is turned (100 - raw) and
the VAS mean is the mean of the 8 aligned values; a scale with fewer than half of
its items answered has no score.
"""
import copy
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from survey.instruments.loader import load_registry
from survey.instruments.scoring import (
    DEFAULT_MIN_FRACTION,
    STORED_DECIMALS,
    decimal_text,
    fixed_text,
    legacy_float_score,
    round_half_up,
    score_response,
)

XQ_IDS = [f"xq{n}" for n in range(1, 9)]
VAS_IDS = [f"vas{n}" for n in range(1, 9)]
VAS_SCORES = [f"item{n}_aligned" for n in range(1, 9)] + ["mean"]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def xq(registry):
    return registry.current("xq")


@pytest.fixture(scope="module")
def vas(registry):
    return registry.current("vas")


def answers_of(ids, values):
    return dict(zip(ids, values, strict=True))


def scores(instrument, answers, **kwargs):
    """{score_id: (value, prorated)}."""
    return {r.score_id: (r.value, r.prorated)
            for r in score_response(instrument, answers, **kwargs)}


def exact(value):
    """A hand-computed value (int, exact float like 48.75, or Fraction) as the Decimal the
    scoring stores: exact, or for thirds and sevenths six decimals rounded half-up."""
    return round_half_up(Fraction(value), STORED_DECIMALS)


def expected(table):
    """The hand-computed table, compared exactly (no tolerance: scores are exact decimals)."""
    return {score_id: (None if value is None else exact(value), prorated)
            for score_id, (value, prorated) in table.items()}


# --- the definitions match the published instruments ------------------------------------


def test_xq_definition_has_eight_items_on_0_to_10_and_the_published_subscales(xq):
    assert [item.id for item in xq.items] == XQ_IDS
    assert {(item.scale.min, item.scale.max) for item in xq.items} == {(0, 10)}
    assert not any(item.reverse for item in xq.items)
    rules = {rule.id: rule.item_ids for rule in xq.scores}
    assert rules == {
        "total": tuple(XQ_IDS),
        "eating": ("xq2", "xq3", "xq5", "xq7"),
        "not_eating": ("xq1", "xq4", "xq6", "xq8"),
    }


def test_vas_definition_has_eight_items_on_0_to_100_and_only_saliva_reversed(vas):
    assert [item.id for item in vas.items] == VAS_IDS
    assert {(item.scale.min, item.scale.max) for item in vas.items} == {(0, 100)}
    assert [item.id for item in vas.items if item.reverse] == ["vas3"]
    rules = {rule.id: rule.item_ids for rule in vas.scores}
    assert list(rules) == VAS_SCORES
    assert rules["mean"] == tuple(VAS_IDS)
    assert all(rules[f"item{n}_aligned"] == (f"vas{n}",) for n in range(1, 9))


def test_default_is_the_half_rule():
    assert DEFAULT_MIN_FRACTION == 0.5


# --- XQ ---------------------------------------------------------------------------------


@pytest.mark.parametrize("values, total, eating, not_eating", [
    pytest.param([0] * 8, (0, False), (0, False), (0, False), id="all-0"),
    pytest.param([10] * 8, (100, False), (100, False), (100, False), id="all-10"),
    pytest.param([5] * 8, (50, False), (50, False), (50, False), id="all-5"),
    # sum 39 x 1.25 = 48.75; eating 5+0+7+2 = 14 -> 3.5 x 10; not eating 3+10+8+4 = 25 -> 62.5
    pytest.param([3, 5, 0, 10, 7, 8, 2, 4], (48.75, False), (35, False), (62.5, False),
                 id="mixed"),
    # sum 36 x 1.25 = 45; eating 2+3+5+7 = 17 -> 42.5; not eating 1+4+6+8 = 19 -> 47.5
    pytest.param([1, 2, 3, 4, 5, 6, 7, 8], (45, False), (42.5, False), (47.5, False),
                 id="ascending"),
    # only eating items at 10: total 40 x 1.25 = 50
    pytest.param([0, 10, 10, 0, 10, 0, 10, 0], (50, False), (100, False), (0, False),
                 id="eating-only"),
    # 7 of 8: (3+5+0+7+8+2+4) = 29 / 7 x 10; not eating 3+8+4 = 15 / 3 x 10 = 50
    pytest.param([3, 5, 0, None, 7, 8, 2, 4], (Fraction(290, 7), True), (35, False), (50, True),
                 id="7-of-8"),
    # 4 of 8 (exactly half): (4+6+8+10)/4 = 7 -> 70; eating xq5, xq7 = 6 -> 60; not eating
    # xq6, xq8 = 8 -> 80
    pytest.param([None, None, None, None, 4, 6, 8, 10], (70, True), (60, True), (80, True),
                 id="4-of-8-half"),
    # 3 of 8: no total; eating only xq7 (1 of 4): none; not eating xq1, xq8 = 5.5 -> 55
    pytest.param([2, None, None, None, None, None, 6, 9], (None, False), (None, False),
                 (55, True), id="3-of-8"),
    # test_flow's case: 3 of 8, eating xq3, xq5 = 7 -> 70 prorated, not eating none answered
    pytest.param([4, None, 6, None, 8, None, None, None], (None, False), (70, True),
                 (None, False), id="3-of-8-flow"),
    pytest.param([None] * 8, (None, False), (None, False), (None, False), id="none"),
])
def test_xq_scores(xq, values, total, eating, not_eating):
    result = scores(xq, answers_of(XQ_IDS, values))
    assert result == expected({"total": total, "eating": eating, "not_eating": not_eating})


def test_xq_total_is_published_sum_times_1_25_for_any_complete_answers(xq):
    rng = random.Random(20010401)
    for _ in range(200):
        values = [rng.randint(0, 10) for _ in range(8)]
        (total,) = [r for r in score_response(xq, answers_of(XQ_IDS, values))
                    if r.score_id == "total"]
        assert total.value == sum(values) * Decimal("1.25"), values
        assert total.prorated is False and total.n_answered == total.n_items == 8


def test_xq_counts_answered_items(xq):
    results = {r.score_id: r for r in score_response(
        xq, answers_of(XQ_IDS, [2, None, None, None, None, None, 6, 9]))}
    assert (results["total"].n_answered, results["total"].n_items) == (3, 8)
    assert (results["eating"].n_answered, results["eating"].n_items) == (1, 4)
    assert (results["not_eating"].n_answered, results["not_eating"].n_items) == (2, 4)


def test_xq_blank_is_never_scored_as_zero(xq):
    # Half answered at the worst value: with blanks as 0 the total would be 50, not 100.
    result = scores(xq, answers_of(XQ_IDS, [10, 10, 10, 10, None, None, None, None]))
    assert result == expected({"total": (100, True), "eating": (100, True),
                               "not_eating": (100, True)})


def test_xq_absent_items_count_as_blank_like_none(xq):
    with_none = answers_of(XQ_IDS, [None, None, None, None, 4, 6, 8, 10])
    absent = {k: v for k, v in with_none.items() if v is not None}
    assert scores(xq, absent) == scores(xq, with_none)
    assert scores(xq, {}) == scores(xq, answers_of(XQ_IDS, [None] * 8))


@pytest.mark.parametrize("values, min_fraction, total, eating, not_eating", [
    # 5 of 8: enough for half (4), not for three quarters (6)
    pytest.param([1, 2, 3, None, 5, None, None, 8], 0.5, (Fraction(190, 5), True),
                 (Fraction(100, 3), True), (45, True), id="5-of-8-half"),
    pytest.param([1, 2, 3, None, 5, None, None, 8], 0.75, (None, False),
                 (Fraction(100, 3), True),
                 (None, False), id="5-of-8-three-quarters"),
    # 6 of 8 at 0.75: total (1+2+3+5+7+8)/6 = 26/6; eating 2,3,5,7 all -> 42.5;
    # not eating xq1, xq8 = 4.5 -> 2 of 4 is under 0.75 -> none
    pytest.param([1, 2, 3, None, 5, None, 7, 8], 0.75, (Fraction(260, 6), True), (42.5, False),
                 (None, False), id="6-of-8-three-quarters"),
    # all answered is always enough
    pytest.param([3, 5, 0, 10, 7, 8, 2, 4], 1.0, (48.75, False), (35, False), (62.5, False),
                 id="complete-strict"),
    # 1.0: any blank means no score
    pytest.param([3, 5, 0, None, 7, 8, 2, 4], 1.0, (None, False), (35, False), (None, False),
                 id="7-of-8-strict"),
    # 0: one answer is enough, none is still no score
    pytest.param([None, None, None, None, None, None, None, 4], 0.0, (40, True), (None, False),
                 (40, True), id="1-of-8-any"),
])
def test_xq_min_fraction_is_configurable(xq, values, min_fraction, total, eating, not_eating):
    result = scores(xq, answers_of(XQ_IDS, values), min_fraction=min_fraction)
    assert result == expected({"total": total, "eating": eating, "not_eating": not_eating})


@pytest.mark.parametrize("item_id, value", [
    ("xq1", -1), ("xq1", 11), ("xq8", 100), ("xq4", -10),
])
def test_xq_value_outside_the_scale_raises(xq, item_id, value):
    answers = answers_of(XQ_IDS, [5] * 8) | {item_id: value}
    with pytest.raises(ValueError, match=rf"{item_id}: {value} is outside 0\.\.10"):
        score_response(xq, answers)


# --- VAS --------------------------------------------------------------------------------


def vas_expected(aligned, mean):
    """Expected VAS scores from the 8 hand-aligned values (None = blank) and the mean."""
    table = {f"item{n}_aligned": (value, False) for n, value in enumerate(aligned, start=1)}
    table["mean"] = mean
    return expected(table)


@pytest.mark.parametrize("raw, aligned, mean", [
    # raw 0 everywhere: vas3 "no saliva at all" is the worst -> aligned 100; mean 100 / 8
    pytest.param([0] * 8, [0, 0, 100, 0, 0, 0, 0, 0], (12.5, False), id="all-0"),
    # raw 100 everywhere: vas3 "a lot of saliva" is the best -> aligned 0; mean 700 / 8
    pytest.param([100] * 8, [100, 100, 0, 100, 100, 100, 100, 100], (87.5, False),
                 id="all-100"),
    pytest.param([50] * 8, [50] * 8, (50, False), id="all-50"),
    pytest.param([0, 0, 100, 0, 0, 0, 0, 0], [0] * 8, (0, False), id="best"),
    pytest.param([100, 100, 0, 100, 100, 100, 100, 100], [100] * 8, (100, False), id="worst"),
    # test_flow's case: aligned 10,20,10,40,50,60,70,80 = 340 / 8
    pytest.param([10, 20, 90, 40, 50, 60, 70, 80], [10, 20, 10, 40, 50, 60, 70, 80],
                 (42.5, False), id="mixed"),
    pytest.param([1, 99, 37, 0, 100, 63, 2, 55], [1, 99, 63, 0, 100, 63, 2, 55],
                 (Fraction(383, 8), False), id="uneven"),
    # 4 of 8: aligned 10, 70, 50, 70 = 200 / 4
    pytest.param([10, None, 30, None, 50, None, 70, None], [10, None, 70, None, 50, None, 70,
                                                            None], (50, True), id="4-of-8-half"),
    # 7 of 8 with vas3 blank: 10+20+40+50+60+70+80 = Fraction(330, 7)
    pytest.param([10, 20, None, 40, 50, 60, 70, 80], [10, 20, None, 40, 50, 60, 70, 80],
                 (Fraction(330, 7), True), id="7-of-8"),
    pytest.param([None, None, 0, None, None, 20, None, 90], [None, None, 100, None, None, 20,
                                                             None, 90], (None, False),
                 id="3-of-8"),
    pytest.param([None] * 8, [None] * 8, (None, False), id="none"),
])
def test_vas_scores(vas, raw, aligned, mean):
    assert scores(vas, answers_of(VAS_IDS, raw)) == vas_expected(aligned, mean)


def test_vas_single_item_scores_are_never_prorated(vas):
    results = {r.score_id: r for r in score_response(vas, {"vas3": 25})}
    assert results["item3_aligned"].value == 75
    assert results["item3_aligned"].prorated is False
    assert results["item1_aligned"].value is None and results["item1_aligned"].prorated is False


def test_vas_raw_values_are_left_as_answered(vas):
    answers = answers_of(VAS_IDS, [10, 20, 90, 40, 50, 60, 70, 80])
    before = copy.deepcopy(answers)
    score_response(vas, answers)
    assert answers == before


@pytest.mark.parametrize("raw, fraction", [(0, 1.0), (25, 0.75), (90, 0.1), (100, 0.0)])
def test_vas_item3_aligned_value(vas, raw, fraction):
    assert vas.item("vas3").aligned(raw) == pytest.approx(fraction)
    assert vas.item("vas4").aligned(raw) == pytest.approx(raw / 100)


def test_vas_blank_is_never_scored_as_zero(vas):
    # Worst answers on 4 items, the rest blank: with blanks as 0 the mean would be 50.
    result = scores(vas, answers_of(VAS_IDS, [100, 100, 0, 100, None, None, None, None]))
    assert result["mean"] == (100, True)
    assert result["item5_aligned"] == (None, False)


@pytest.mark.parametrize("min_fraction, mean", [
    (0.5, (40, True)),     # 5 of 8 >= 4
    (0.75, (None, False)),  # 5 of 8 < 6
])
def test_vas_min_fraction_is_configurable(vas, min_fraction, mean):
    # aligned 0, 20, 60 (raw 40 reversed), 80, 40 = 200 / 5
    answers = answers_of(VAS_IDS, [0, 20, 40, 80, 40, None, None, None])
    assert scores(vas, answers, min_fraction=min_fraction)["mean"] == mean


@pytest.mark.parametrize("item_id, value", [
    ("vas1", -1), ("vas3", 101), ("vas3", -1), ("vas8", 1000),
])
def test_vas_value_outside_the_line_raises(vas, item_id, value):
    answers = answers_of(VAS_IDS, [50] * 8) | {item_id: value}
    with pytest.raises(ValueError, match=rf"{item_id}: {value} is outside 0\.\.100"):
        score_response(vas, answers)


# --- exact decimals, rounding half-up, the fraction used --------------------------------


@pytest.mark.parametrize("value, decimals, written", [
    (Decimal("41.875"), 2, "41.88"), (Decimal("56.875"), 2, "56.88"),
    (Decimal("41.865"), 2, "41.87"), (Decimal("65"), 2, "65.00"), (Decimal("0"), 1, "0.0"),
    (Fraction(290, 7), 2, "41.43"), (Fraction(100, 3), 0, "33"), (Decimal("12.5"), 0, "13"),
    (None, 2, ""),
])
def test_scores_are_written_rounded_half_up(value, decimals, written):
    assert fixed_text(value, decimals) == written


def test_a_mean_that_float_arithmetic_gets_wrong_is_exact(xq, vas):
    # Float arithmetic gave 47.50000000000001 for these answers' total.
    result = scores(xq, answers_of(XQ_IDS, [2, 9, 1, 4, 1, 7, 7, 7]))
    assert result["total"][0] == Decimal("47.5")
    assert decimal_text(result["total"][0]) == "47.5"
    # VAS half-way means: 41.875 and 56.875 are stored exactly, and written .88 both.
    low = scores(vas, answers_of(VAS_IDS, [40, 41, 60, 42, 43, 44, 45, 40]))["mean"][0]
    high = scores(vas, answers_of(VAS_IDS, [55, 56, 43, 57, 58, 59, 60, 53]))["mean"][0]
    assert (low, high) == (Decimal("41.875"), Decimal("56.875"))
    assert (fixed_text(low, 2), fixed_text(high, 2)) == ("41.88", "56.88")


def test_every_score_records_the_fraction_it_was_computed_with(xq):
    results = score_response(xq, answers_of(XQ_IDS, [1] * 8), min_fraction=0.75)
    assert {r.min_fraction for r in results} == {Decimal("0.75")}
    assert {r.min_fraction for r in score_response(xq, {})} == {Decimal("0.5")}


def test_the_codebook_states_two_decimals_for_the_built_in_scores(xq, vas):
    assert {rule.decimals for rule in xq.scores + vas.scores} == {2}


@pytest.mark.parametrize("stored, exact_value", [
    (64.99999999999999, Decimal("65")), (41.875, Decimal("41.875")),
    (41.42857142857143, Decimal("41.428571")), (0.0, Decimal("0")),
])
def test_legacy_float_scores_become_the_decimal_they_stood_for(stored, exact_value):
    assert legacy_float_score(stored) == exact_value
    assert decimal_text(legacy_float_score(stored)) == decimal_text(exact_value)
