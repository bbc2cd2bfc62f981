"""Estimates from measured compute: assumptions, energy, CO2 and money, worked by hand."""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np
import pytest

from app.costs.estimate import (
    MEASURES,
    REGION_FIGURES,
    Assumptions,
    Cost,
    estimate,
    per_query,
    regions,
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
