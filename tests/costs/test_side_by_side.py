"""The one comparison, worked by hand: training against one answer, and where they meet."""

from __future__ import annotations

from app.costs.estimate import Assumptions
from app.costs.side_by_side import MILLION, side_by_side

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


def test_counts_are_whole_answers_that_reach_training() -> None:
    # 28,056,000 / 716 = 39,184.4: the 39,185th answer is the one that reaches training,
    # and the panel, the receipt and the API all say 39,185 (never 39,184 beside it).
    side = side_by_side(28_056_000, 60_000_000, 716, 24_000, WORLD)
    assert side.break_even_by_arithmetic == 39_185
    assert side.break_even_by_time == 2_500  # 60 ms / 24 us, exactly
    assert side.training.energy_joules == 0.3 and side.per_answer.compute_seconds == 24e-6


def test_answers_at_scale_are_the_measured_answer_times_n() -> None:
    side = side_by_side(28_056_000, 60_000_000, 716, 24_000, WORLD)
    million = side.million_answers
    assert million.flops == 716 * MILLION
    assert million.compute_seconds == side.per_answer.compute_seconds * MILLION
    assert side.answers(3).money_usd == side.per_answer.money_usd * 3


def test_an_answer_too_quick_to_time_still_counts_its_arithmetic() -> None:
    side = side_by_side(1_000, 5_000, 10, 0, WORLD)
    assert side.break_even_by_arithmetic == 100
    assert side.break_even_by_time is None
