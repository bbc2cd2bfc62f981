"""When inference catches up with training: the break-even count, its chart, a real case.

Training is paid once; every answer costs a little. The break-even count is the first
number of answers whose total cost reaches training's: in energy, time, CO2 or money
(all proportional to measured time) or in counted arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from app.costs.estimate import Cost, Measure
from app.costs.figures import FIGURES, Figure, FigureError, energy_wh
from app.costs.guards import non_negative, whole

# Ratios this close to a whole number count as that number. Float inputs carry ~1e-16
# relative error (0.1 x 3 != 0.3), so without it 0.3 J / 0.1 J could say 4 queries, not 3.
_WHOLE_TOLERANCE = Fraction(1, 10**12)


def _amount(name: str, cost: Cost | float, by: Measure) -> float:
    return cost.amount(by) if isinstance(cost, Cost) else non_negative(name, cost)


def break_even_queries(
    training: Cost | float, per_query: Cost | float, by: Measure = "energy"
) -> int | None:
    """How many queries until inference has cost as much as training.

    The smallest whole n with n x per_query >= training, i.e. ceil(training / per_query),
    worked in exact fractions of the given floats; a ratio within one part in 10^12 of a
    whole number counts as that number. Plain floats are amounts in ``by``'s unit.

    Returns 0 when training cost nothing, and None when a query costs nothing but training
    did not: inference then never catches up (the UI says "never", not infinity).

    Every estimate is proportional to measured time, so for one run the answer is the same
    by seconds, energy, CO2 and money; by FLOPs it differs (the timing overheads differ).
    """
    train = Fraction(_amount("training", training, by))
    query = Fraction(_amount("per_query", per_query, by))
    if train == 0:
        return 0
    if query == 0:
        return None
    ratio = train / query
    whole = math.floor(ratio)
    return whole if ratio - whole <= ratio * _WHOLE_TOLERANCE else whole + 1


def cost_ratio(
    training: Cost | float, per_query: Cost | float, by: Measure = "energy"
) -> float | None:
    """Training over one query, in ``by``; None when a query cost nothing measurable."""
    query = _amount("per_query", per_query, by)
    if query == 0:
        return None
    return _amount("training", training, by) / query


MAX_CHART_QUERIES = 10**15  # well inside int64 and float64's exact integers


def cumulative_curves(
    training: Cost | float,
    per_query: Cost | float,
    max_queries: int,
    points: int = 60,
    by: Measure = "energy",
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The break-even chart: cumulative inference cost against the one-off training cost.

    queries : (m,) int64, log-spaced from 1 to max_queries (m <= points + 1: duplicates
        from rounding small counts are dropped, and the break-even count is added when in
        range, so the crossing is drawn exactly)
    training_line : (m,) the training cost, flat
    inference_line : (m,) queries x per-query cost
    """
    limit = whole("max_queries", max_queries)
    if not 1 <= limit <= MAX_CHART_QUERIES:
        raise ValueError(f"max_queries must be between 1 and {MAX_CHART_QUERIES:,}; got {limit}")
    steps = whole("points", points)
    if not 2 <= steps <= 10_000:
        raise ValueError(f"points must be between 2 and 10,000; got {steps}")
    train = _amount("training", training, by)
    query = _amount("per_query", per_query, by)

    queries = np.unique(np.rint(np.geomspace(1, limit, steps)).astype(np.int64))
    crossing = break_even_queries(train, query)
    if crossing is not None and 1 <= crossing <= limit:
        queries = np.union1d(queries, np.array([crossing], dtype=np.int64))
    training_line = np.full(queries.shape, train, dtype=np.float64)
    inference_line = queries.astype(np.float64) * query
    return queries, training_line, inference_line


@dataclass(frozen=True)
class PublishedBreakEven:
    """A published break-even case, recomputed from its published parts."""

    model: str
    training_kwh: float
    finetune_kwh: float
    per_query_kwh: float
    queries_training_only: int
    queries: int  # training + fine-tuning, as the published figure counts them
    published_queries: float
    figure_ids: tuple[str, ...]
    cite: str

    @property
    def agreement(self) -> float:
        """Our recomputation over the published figure (1.0 = identical)."""
        return self.queries / self.published_queries


def bloomz_break_even(figures: Mapping[str, Figure] = FIGURES) -> PublishedBreakEven:
    """BLOOMz-7B (Luccioni et al. 2024): inference catches up after about 592 million answers.

    Training alone (51,686 kWh / 0.0001 kWh) gives about 517 million; the published figure
    also counts fine-tuning (7,571 kWh), which gives 592.57 million.
    """
    ids = (
        "bloomz7b_training_energy",
        "bloomz7b_finetune_energy",
        "bloomz7b_inference_energy",
        "bloomz7b_break_even",
    )
    training, finetune, per_answer, published = (figures[i] for i in ids)
    train_kwh = energy_wh(training) / 1e3
    finetune_kwh = energy_wh(finetune) / 1e3
    if per_answer.unit != "kWh per inference":
        raise FigureError(f"figure {per_answer.id!r}: expected kWh per inference")
    query_kwh = per_answer.number
    only = break_even_queries(train_kwh, query_kwh)
    both = break_even_queries(train_kwh + finetune_kwh, query_kwh)
    if only is None or both is None:
        raise FigureError(f"figure {per_answer.id!r}: an answer must cost some energy")
    return PublishedBreakEven(
        model="BLOOMz-7B",
        training_kwh=train_kwh,
        finetune_kwh=finetune_kwh,
        per_query_kwh=query_kwh,
        queries_training_only=only,
        queries=both,
        published_queries=published.number,
        figure_ids=ids,
        cite=published.cite,
    )
