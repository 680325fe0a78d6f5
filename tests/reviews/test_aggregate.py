"""How scores add up (reviews/aggregate.py), pinned by examples worked by hand."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from reviews.aggregate import rank, summarise, weighted_total

D = Decimal


def test_weighted_total_with_uneven_weights_and_maxima():
    criteria = [SimpleNamespace(pk=1, weight=33, max_score=D("7")), SimpleNamespace(pk=2, weight=67, max_score=D("9"))]
    # 33 × 5/7 = 23.5714…, 67 × 4/9 = 29.7777…; together 53.3492… → 53.35
    assert weighted_total(criteria, {"1": D("5"), "2": D("4")}) == D("53.35")
    criteria = [SimpleNamespace(pk=1, weight=30, max_score=D("50")), SimpleNamespace(pk=2, weight=70, max_score=D("20"))]
    # 30 × 40/50 = 24, 70 × 15/20 = 52.5 → 76.50; full marks give 100
    assert weighted_total(criteria, {"1": "40", "2": "15"}) == D("76.50")
    assert weighted_total(criteria, {"1": "50", "2": "20"}) == D("100.00")
    assert weighted_total(criteria, {"1": "0", "2": "0"}) == D("0.00")


def test_trimmed_mean_at_five_scores():
    s = summarise([D("71"), D("99"), D("50"), D("80"), D("72")], threshold=D("20"))
    # drop 50 and 99: (71 + 72 + 80) / 3 = 74.333… → 74.33
    assert (s.count, s.score, s.trimmed, s.minimum, s.maximum) == (5, D("74.33"), True, D("50"), D("99"))


def test_trimmed_mean_at_six_scores():
    s = summarise([D("95"), D("50"), D("60"), D("61"), D("70"), D("90")], threshold=D("100"))
    # drop 50 and 95: (60 + 61 + 70 + 90) / 4 = 70.25
    assert (s.score, s.trimmed) == (D("70.25"), True)
    assert not s.divergent  # 45 apart, under the threshold of 100


@pytest.mark.parametrize("totals, expected", [
    ([D("70"), D("80"), D("91")], D("80.33")),  # 241 / 3
    ([D("60"), D("70"), D("80"), D("95")], D("76.25")),  # four: still the plain mean, nothing dropped
])
def test_plain_mean_below_five(totals, expected):
    s = summarise(totals, threshold=D("50"))
    assert (s.score, s.trimmed) == (expected, False)


def test_population_standard_deviation():
    # mean 80; deviations 10, 0, 10 → variance 200/3 = 66.67 → 8.1649… → 8.16
    assert summarise([D("70"), D("80"), D("90")], threshold=D("20")).stdev == D("8.16")
    # 2 and 4: mean 3, variance 1 → 1.00
    assert summarise([D("2"), D("4")], threshold=D("20")).stdev == D("1.00")


def test_divergence_is_strictly_more_than_the_threshold():
    assert not summarise([D("70"), D("90")], threshold=D("20")).divergent  # exactly 20 apart
    assert summarise([D("70"), D("90.01")], threshold=D("20")).divergent  # 20.01 apart
    # the spread is over every submitted total, the dropped ones included
    assert summarise([D("60"), D("75"), D("76"), D("77"), D("80.01")], threshold=D("20")).divergent


def test_no_scores():
    s = summarise([], threshold=D("20"))
    assert (s.count, s.score, s.stdev, s.divergent) == (0, None, None, False)


def test_rank_ties_share_a_place_and_the_next_skips():
    rows = [SimpleNamespace(pk=pk, summary=SimpleNamespace(score=score))
            for pk, score in [(1, D("80")), (2, None), (3, D("90")), (4, D("70")), (5, D("80"))]]
    ranked = rank(rows)
    assert [(r.pk, r.rank) for r in ranked] == [(3, 1), (1, 2), (5, 2), (4, 4), (2, None)]
