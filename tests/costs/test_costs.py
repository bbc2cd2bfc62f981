"""The cost model against hand-worked cases; numbers in comments are worked by hand."""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from app.costs.costs import (
    FIGURES,
    MEASURES,
    REGION_FIGURES,
    Assumptions,
    Cost,
    ReaderRun,
    bloomz_break_even,
    break_even_queries,
    comparison_table,
    cost_ratio,
    cumulative_curves,
    estimate,
    flops_per_second,
    kaplan_inference_flops,
    kaplan_training_flops,
    per_query,
    regions,
    scale_to,
)

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


# ------------------------------------------------------------------------- conversions


def test_two_seconds_at_five_watts() -> None:
    cost = estimate(flops=1000, compute_ns=2_000_000_000, assumptions=WORLD)
    # 2 s x 5 W = 10 J = 10 / 3600 Wh = 0.0027778 Wh = 2.7778e-6 kWh
    assert cost.compute_seconds == 2.0
    assert cost.energy_joules == pytest.approx(10.0)
    assert cost.energy_wh == pytest.approx(0.0027778, rel=1e-4)
    assert cost.energy_kwh == pytest.approx(2.7778e-6, rel=1e-4)
    # 2.7778e-6 kWh x 473 g/kWh = 1.3139e-3 g
    assert cost.co2_grams == pytest.approx(1.3139e-3, rel=1e-4)
    # 2 s = 1/1800 h; x $0.05 per hour = $2.7778e-5
    assert cost.money_usd == pytest.approx(2.7778e-5, rel=1e-4)
    assert cost.flops == 1000


@pytest.mark.parametrize(
    ("region", "grams"),
    # 10 J = 2.7778e-6 kWh, times each grid's g/kWh
    [("world", 1.3139e-3), ("us", 1.0667e-3), ("china", 1.5556e-3), ("india", 1.9667e-3),
     ("france", 1.5833e-4)],
)  # fmt: skip
def test_co2_per_region(region: str, grams: float) -> None:
    cost = estimate(0, 2_000_000_000, dataclasses.replace(WORLD, region=region))
    assert cost.co2_grams == pytest.approx(grams, rel=1e-4)


def test_one_millisecond_on_a_700_watt_gpu() -> None:
    a = Assumptions(watts=700, region="us", price_per_hour=3.6)
    cost = estimate(0, 1_000_000, a)
    # 1 ms x 700 W = 0.7 J; 0.7 / 3.6e6 kWh x 384 = 7.4667e-5 g; 1e-3 / 3600 h x $3.6 = $1e-6
    assert cost.energy_joules == pytest.approx(0.7)
    assert cost.co2_grams == pytest.approx(7.4667e-5, rel=1e-4)
    assert cost.money_usd == pytest.approx(1e-6)


def test_defaults_come_from_the_figures() -> None:
    default = Assumptions.default()
    assert default == WORLD
    assert default.grid_g_per_kwh == 473
    assert default.figure_ids() == {
        "watts": "cpu_watts_per_core",
        "region": "grid_world_2024",
        "price_per_hour": "cpu_core_hour_price",
    }
    assert estimate(5, 7) == estimate(5, 7, default)


def test_reader_choices_are_not_attributed_to_a_source() -> None:
    ids = Assumptions(12, "india", 0.2).figure_ids()
    assert ids == {"watts": None, "region": "grid_india_2024", "price_per_hour": None}


def test_regions_menu() -> None:
    menu = {r.key: (r.label, r.year, r.g_per_kwh) for r in regions()}
    assert menu == {
        "world": ("World", 2024, 473),
        "us": ("United States", 2024, 384),
        "china": ("China", 2024, 560),
        "india": ("India", 2024, 708),
        "france": ("France", 2022, 57),
    }


# ------------------------------------------- a changed assumption changes its dependents only

BASE = estimate(123_456, 1_500_000_000, WORLD)


def _changed(other: Cost) -> set[str]:
    return {
        f.name for f in dataclasses.fields(Cost) if getattr(other, f.name) != getattr(BASE, f.name)
    }


def test_region_changes_co2_only() -> None:
    assert _changed(
        estimate(123_456, 1_500_000_000, dataclasses.replace(WORLD, region="india"))
    ) == {"co2_grams"}


def test_watts_change_energy_and_co2_only() -> None:
    other = estimate(123_456, 1_500_000_000, dataclasses.replace(WORLD, watts=50))
    assert _changed(other) == {"energy_joules", "co2_grams"}
    assert other.energy_joules == pytest.approx(10 * BASE.energy_joules)


def test_price_changes_money_only() -> None:
    assert _changed(
        estimate(123_456, 1_500_000_000, dataclasses.replace(WORLD, price_per_hour=1))
    ) == {"money_usd"}


def test_measured_time_changes_every_estimate_but_not_flops() -> None:
    other = estimate(123_456, 3_000_000_000, WORLD)
    assert _changed(other) == {"compute_seconds", "energy_joules", "co2_grams", "money_usd"}


def test_flops_change_nothing_estimated() -> None:
    assert _changed(estimate(999, 1_500_000_000, WORLD)) == {"flops"}


# ------------------------------------------------------------------------------ guards


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("watts", 0, r"watts must be between 0.1 and 1000 W"),
        ("watts", -5, r"watts must be between 0.1 and 1000 W"),
        ("watts", 1e6, r"watts must be between 0.1 and 1000 W"),
        ("watts", math.nan, r"watts must be between"),
        ("watts", math.inf, r"watts must be between"),
        ("price_per_hour", -0.01, r"price_per_hour must be between 0 and 100 USD per core-hour"),
        ("price_per_hour", 101, r"price_per_hour must be between 0 and 100"),
        ("price_per_hour", math.nan, r"price_per_hour must be between"),
        ("region", "mars", r"region must be one of world, us, china, india, france"),
    ],
)
def test_assumptions_bounds(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(WORLD, **{field: value})


def test_assumptions_refuse_non_numbers() -> None:
    with pytest.raises(TypeError):
        Assumptions(watts=True, region="world", price_per_hour=0.05)
    with pytest.raises(TypeError):
        Assumptions(watts="5", region="world", price_per_hour=0.05)  # type: ignore[arg-type]


def test_zero_price_is_allowed_and_costs_nothing() -> None:
    free = estimate(10, 10**9, dataclasses.replace(WORLD, price_per_hour=0))
    assert free.money_usd == 0.0


@pytest.mark.parametrize(
    ("flops", "ns"),
    [(-1, 0), (0, -1), (math.nan, 0), (0, math.inf), (1.5, 0), (0, 2.5)],
)
def test_estimate_refuses_bad_inputs(flops: float, ns: float) -> None:
    with pytest.raises(ValueError):
        estimate(flops, ns, WORLD)  # type: ignore[arg-type]


def test_cost_refuses_negative_or_nan_fields() -> None:
    with pytest.raises(ValueError, match="energy_joules must not be negative"):
        Cost(0, 0.0, -1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="co2_grams must be a finite number"):
        Cost(0, 0.0, 0.0, math.nan, 0.0)


def test_numpy_integers_are_accepted() -> None:
    numpy_cost = estimate(np.int64(10), np.int64(10**9), WORLD)  # type: ignore[arg-type]
    assert numpy_cost == estimate(10, 10**9, WORLD)


WATTS = [0.1, 5, 1000]
PRICES = [0, 0.05, 100]
FLOPS = [0, 1, 10**6, 10**30]
NANOSECONDS = [0, 1, 10**9, 10**18]


@pytest.mark.parametrize("region", list(REGION_FIGURES))
def test_no_estimate_is_nan_or_negative_across_a_grid(region: str) -> None:
    for watts, price, flops, ns in itertools.product(WATTS, PRICES, FLOPS, NANOSECONDS):
        a = Assumptions(watts, region, price)
        for cost in (
            estimate(flops, ns, a),
            per_query(flops, ns, 7, a),
            estimate(flops, ns, a) * 3,
        ):
            values = [cost.compute_seconds, cost.energy_joules, cost.energy_wh, cost.energy_kwh,
                      cost.co2_grams, cost.money_usd, float(cost.flops)]  # fmt: skip
            assert all(math.isfinite(v) and v >= 0 for v in values), (cost, a)
            assert not any(math.copysign(1, v) < 0 for v in values)  # no -0.0 either


# ---------------------------------------------------------------- sums, counts, per query


def test_add_and_scale() -> None:
    one = estimate(2_300, 12_000, WORLD)  # 12 us
    three = one * 3
    assert three.flops == 6_900
    assert three.compute_seconds == pytest.approx(36e-6)
    assert three.energy_joules == pytest.approx(3 * 12e-6 * 5)
    assert 3 * one == three
    summed = one + one + one
    for field in dataclasses.fields(Cost):
        assert getattr(summed, field.name) == pytest.approx(getattr(three, field.name))
    assert one * 0 == Cost.zero()
    assert sum([one, one], Cost.zero()) == one + one


def test_scaling_refuses_negative_and_fractional_counts() -> None:
    one = estimate(1, 1, WORLD)
    with pytest.raises(ValueError):
        one * -1
    with pytest.raises(ValueError):
        one * 2.5  # type: ignore[operator]


def test_per_query_divides_a_timed_batch() -> None:
    # 1,000 queries answered together in 12 ms with 2,300,000 FLOPs: 12 us and 2,300 each
    one = per_query(2_300_000, 12_000_000, 1000, WORLD)
    assert one.flops == 2_300
    assert one.compute_seconds == pytest.approx(12e-6)
    assert one.energy_joules == pytest.approx(60e-6)
    # a batch too fast for whole nanoseconds per query still gives a non-zero time
    assert per_query(1000, 1, 1000, WORLD).compute_seconds == pytest.approx(1e-12)
    with pytest.raises(ValueError, match="queries must be at least 1"):
        per_query(10, 10, 0, WORLD)


def test_amount_by_measure() -> None:
    cost = estimate(1000, 2_000_000_000, WORLD)
    assert [cost.amount(m) for m in MEASURES] == [  # type: ignore[arg-type]
        1000.0, 2.0, cost.energy_joules, cost.co2_grams, cost.money_usd
    ]  # fmt: skip
    with pytest.raises(ValueError):
        cost.amount("watts")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ break-even


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


# -------------------------------------------------------------------------------- scale-up


def test_kaplan_rules_for_gpt3() -> None:
    # 6 x 175e9 x 300e9 = 3.15e23, against the published 3.14e23
    assert kaplan_training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert kaplan_training_flops(175e9, 300e9) / FIGURES["gpt3_training_flops"].number == (
        pytest.approx(1.0032, abs=1e-4)
    )
    # 2 x 175e9 = 3.5e11 per token answered
    assert kaplan_inference_flops(175e9) == pytest.approx(3.5e11)


def test_kaplan_rules_for_a_small_model() -> None:
    # 386 parameters, 300 examples: 6 x 386 x 300 = 694,800 per epoch; 2 x 386 = 772
    assert kaplan_training_flops(386, 300) == 694_800
    assert kaplan_inference_flops(386) == 772
    with pytest.raises(ValueError):
        kaplan_training_flops(-1, 10)


def test_gpt3_on_its_published_hardware_takes_about_14_8_days() -> None:
    up = scale_to(1e9, "gpt3", WORLD)
    # 3.14e23 / (10,000 x 24.6e12) = 1,276,423 s = 14.773 days
    assert up.seconds_on_hardware == pytest.approx(1_276_423, rel=1e-6)
    assert up.seconds_on_hardware is not None
    assert up.seconds_on_hardware / 86400 == pytest.approx(14.8, rel=0.02)
    assert up.ratio_to_published == pytest.approx(0.9982, abs=1e-4)
    assert up.published_energy_wh == pytest.approx(1.287e9)
    assert up.published_co2_grams == pytest.approx(552.1e6)


def test_gpt3_at_the_readers_rate() -> None:
    up = scale_to(1e9, "gpt3", WORLD)  # 1 GFLOP/s, a small numpy model on one core
    # 3.14e23 / 1e9 = 3.14e14 s (about 10 million years)
    assert up.seconds_here == pytest.approx(3.14e14)
    # x 5 W = 1.57e15 J; / 3.6e6 x 473 = 2.0628e11 g; 3.14e14 / 3600 x $0.05 = $4.3611e9
    assert up.here.energy_joules == pytest.approx(1.57e15)
    assert up.here.co2_grams == pytest.approx(2.0628e11, rel=1e-4)
    assert up.here.money_usd == pytest.approx(4.3611e9, rel=1e-4)
    # 3.14e14 s against 1.2764e6 s: 2.46e8 times slower (10,000 GPUs x 24.6e12 / 1e9)
    assert up.slowdown == pytest.approx(2.46e8)


def test_scale_targets_without_published_hardware() -> None:
    up = scale_to(2e9, "llama31_405b", WORLD)
    assert up.seconds_here == pytest.approx(3.8e25 / 2e9)
    assert up.seconds_on_hardware is None and up.ratio_to_published is None
    assert up.published_co2_grams == pytest.approx(8930e6)


@pytest.mark.parametrize("rate", [0, 0.5, -1, math.nan, math.inf])
def test_scale_to_refuses_bad_rates(rate: float) -> None:
    with pytest.raises(ValueError):
        scale_to(rate)


def test_scale_to_refuses_unknown_targets() -> None:
    with pytest.raises(ValueError, match="target must be one of gpt3"):
        scale_to(1e9, "gpt5")


def test_flops_per_second() -> None:
    assert flops_per_second(2_000_000, 1_000_000) == pytest.approx(2e9)  # 2e6 in 1 ms
    with pytest.raises(ValueError, match="too quick"):
        flops_per_second(10, 0)


# ------------------------------------------------------------------------ comparison table


def test_reader_row_is_counted_and_estimated() -> None:
    rows = comparison_table(ReaderRun(386, estimate(26_400_000, 61_800_000, WORLD), WORLD))
    reader = rows[0]
    assert reader.key == "reader"
    assert (reader.parameters.value, reader.parameters.provenance) == (386, "counted")
    assert (reader.training_flops.value, reader.training_flops.provenance) == (26.4e6, "counted")
    # 61.8 ms x 5 W = 0.309 J = 8.5833e-5 Wh; x 473 g/kWh = 4.0599e-5 g
    assert reader.energy_wh.value == pytest.approx(8.5833e-5, rel=1e-4)
    assert reader.energy_wh.provenance == "estimated"
    assert reader.energy_wh.figure_ids == ("cpu_watts_per_core",)
    assert reader.co2_grams.value == pytest.approx(4.0599e-5, rel=1e-4)
    assert reader.co2_grams.figure_ids == ("cpu_watts_per_core", "grid_world_2024")


def test_published_rows() -> None:
    rows = {row.key: row for row in comparison_table(ReaderRun(1, Cost.zero(), WORLD))}
    gpt3 = rows["gpt3"]
    assert gpt3.training_flops.value == 3.14e23
    assert gpt3.training_flops.provenance == "published"
    assert gpt3.training_flops.figure_ids == ("gpt3_training_flops",)
    assert gpt3.energy_wh.value == pytest.approx(1.287e9)
    assert gpt3.co2_grams.value == pytest.approx(552.1e6)

    llama2 = rows["llama2_70b"]
    # 6 x 70e9 x 2.0e12 = 8.4e23, by the rule
    assert llama2.training_flops.value == pytest.approx(8.4e23)
    assert llama2.training_flops.provenance == "estimated"
    assert "kaplan_training_flops_per_param_token" in llama2.training_flops.figure_ids
    # 1,720,320 GPU-hours x 400 W = 688,128,000 Wh
    assert llama2.energy_wh.value == pytest.approx(688_128_000)
    assert llama2.energy_wh.provenance == "estimated"
    assert llama2.co2_grams.provenance == "published"

    # 30.84e6 GPU-hours x 700 W = 21,588 MWh
    assert rows["llama31_405b"].energy_wh.value == pytest.approx(21.588e9)
    assert rows["bloom"].training_flops.provenance == "unavailable"
    assert rows["bloom"].training_flops.value is None


def test_every_cell_says_how_it_is_known() -> None:
    rows = comparison_table(ReaderRun(386, estimate(26_400_000, 61_800_000, WORLD), WORLD))
    assert len({row.key for row in rows}) == len(rows) >= 8
    for row in rows:
        for cell in (row.parameters, row.training_flops, row.energy_wh, row.co2_grams):
            assert cell.unit
            if cell.provenance == "unavailable":
                assert cell.value is None
                continue
            assert cell.value is not None and math.isfinite(cell.value) and cell.value >= 0
            if cell.provenance == "published":
                assert len(cell.figure_ids) == 1
            if cell.provenance == "estimated":
                assert cell.how
                if row.key != "reader":
                    assert len(cell.figure_ids) >= 2
            assert set(cell.figure_ids) <= set(FIGURES)
