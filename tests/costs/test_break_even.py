"""Break-even: when answering has cost as much as training, worked by hand."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from app.costs.break_even import (
    bloomz_break_even,
    break_even_queries,
    cost_ratio,
    cumulative_curves,
)
from app.costs.estimate import Assumptions, estimate
from app.costs.figures import FIGURES

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


@pytest.mark.parametrize(
    ("training", "query", "n"),
    [
        (10.0, 3.0, 4),  # 3 x 3 = 9 < 10, 4 x 3 = 12 >= 10
        (9.0, 3.0, 3),  # exactly 3
        (1.0, 1.0, 1),
        (1.0, 2.0, 1),  # one query already costs more than training
        (0.3, 0.1, 3),  # decimal inputs float cannot hold exactly
        (0.1 * 3, 0.1, 3),  # 0.30000000000000004 / 0.1: still 3, not 4
        (0.7, 0.1, 7),
        (1e6, 1e-6, 10**12),
        (0.0, 5.0, 0),  # training cost nothing: caught up before the first query
        (0.0, 0.0, 0),
    ],
)
def test_break_even_hand_worked(training: float, query: float, n: int) -> None:
    assert break_even_queries(training, query) == n


def test_break_even_never_when_a_query_costs_nothing() -> None:
    assert break_even_queries(1.0, 0.0) is None
    assert cost_ratio(1.0, 0.0) is None


def test_break_even_is_the_smallest_count() -> None:
    for training, query in itertools.product([1, 7, 10, 1e3, 12345.678], [0.5, 3, 7, 9.99]):
        n = break_even_queries(training, query)
        assert n is not None
        assert n * Fraction(query) >= Fraction(training)
        assert (n - 1) * Fraction(query) < Fraction(training)


def test_break_even_refuses_negative_or_nan() -> None:
    with pytest.raises(ValueError):
        break_even_queries(-1.0, 1.0)
    with pytest.raises(ValueError):
        break_even_queries(1.0, math.nan)


def test_break_even_of_costs_by_each_measure() -> None:
    training = estimate(1_000_000, 2_000_000_000, WORLD)  # 1e6 FLOPs in 2 s
    query = estimate(2_000, 1_000_000, WORLD)  # 2,000 FLOPs in 1 ms
    # by time: 2 s / 1 ms = 2,000; energy, CO2 and money are all proportional to time
    for by in ("seconds", "energy", "co2", "money"):
        assert break_even_queries(training, query, by) == 2_000
    # by arithmetic: 1e6 / 2,000 = 500
    assert break_even_queries(training, query, "flops") == 500
    assert cost_ratio(training, query, "flops") == pytest.approx(500)
    assert cost_ratio(training, query) == pytest.approx(2000)


def test_break_even_with_mixed_cost_and_number() -> None:
    query = estimate(0, 1_000_000, WORLD)  # 1 ms at 5 W = 5 mJ
    assert break_even_queries(1.0, query) == 200  # 1 J / 5 mJ


def test_bloomz_break_even_reproduces_the_published_592_million() -> None:
    case = bloomz_break_even()
    # 51,686 kWh / 1.0e-4 kWh = 516,860,000: training alone is 13% short of 592 million
    assert case.queries_training_only == 516_860_000
    # (51,686 + 7,571) kWh / 1.0e-4 kWh = 592,570,000: what the paper published
    assert case.queries == 592_570_000
    assert case.queries == pytest.approx(592e6, rel=1e-3)
    assert case.agreement == pytest.approx(1.0, abs=1e-3)
    assert set(case.figure_ids) <= set(FIGURES)


def test_cumulative_curves() -> None:
    training = estimate(0, 50_000_000, WORLD)  # 50 ms: 0.25 J
    query = estimate(0, 30_000, WORLD)  # 30 us: 150 uJ
    queries, train_line, infer_line = cumulative_curves(training, query, 10**6, points=25)
    crossing = 1667  # 0.25 / 150e-6 = 1666.7 -> 1,667
    assert queries[0] == 1 and queries[-1] == 10**6
    assert np.all(np.diff(queries) > 0)
    assert crossing in queries
    assert queries.dtype == np.int64
    assert np.all(train_line == pytest.approx(0.25))
    assert infer_line == pytest.approx(queries * 150e-6)
    at = int(np.searchsorted(queries, crossing))
    assert infer_line[at] >= train_line[at] and infer_line[at - 1] < train_line[at - 1]
    # log-spaced: about as many points per decade at the top as at the bottom
    assert np.sum(queries >= 10**5) >= 3


def test_cumulative_curves_by_flops_and_without_crossing() -> None:
    queries, train_line, infer_line = cumulative_curves(1e9, 10.0, 1000, points=4, by="flops")
    assert list(queries) == [1, 10, 100, 1000]
    assert infer_line[-1] == 10_000 < train_line[-1]


@pytest.mark.parametrize(("max_queries", "points"), [(0, 10), (10**16, 10), (100, 1), (100, 10**5)])
def test_cumulative_curves_bounds(max_queries: int, points: int) -> None:
    with pytest.raises(ValueError):
        cumulative_curves(1.0, 1.0, max_queries, points)
