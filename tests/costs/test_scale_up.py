"""Scale-up: real models' training arithmetic at the reader's rate and on their hardware."""

from __future__ import annotations

import math

import pytest

from app.costs.estimate import Assumptions
from app.costs.figures import FIGURES
from app.costs.scale_up import (
    flops_per_second,
    kaplan_inference_flops,
    kaplan_training_flops,
    scale_to,
)

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


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


def test_gpt3_hardware_is_read_from_the_figures() -> None:
    hardware = scale_to(1e9, "gpt3", WORLD).hardware
    assert hardware is not None
    assert hardware.name == "V100 GPUs"
    assert hardware.chips == FIGURES["gpt3_run_gpus"].number == 10_000
    assert hardware.chip_flops_per_second == FIGURES["gpt3_run_flops_per_gpu"].number
    assert hardware.flops_per_second == pytest.approx(10_000 * 24.6e12)
    assert hardware.cite == "Patterson et al. 2021"
    up = scale_to(1e9, "gpt3", WORLD)
    assert up.published_seconds == FIGURES["gpt3_run_days"].number * 86400
    assert up.published_seconds_cite == FIGURES["gpt3_run_days"].cite
    assert scale_to(1e9, "bert_base", WORLD).hardware is None
