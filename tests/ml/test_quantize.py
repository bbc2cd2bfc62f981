from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.ml.datasets import Dataset
from app.ml.models.mlp import MLP
from app.ml.quantize import (
    INT8_LIMIT,
    agreement,
    float_size_bytes,
    quantize,
    quantize_tensor,
)


def test_tensor_quantisation_is_symmetric_and_within_half_a_step() -> None:
    weights = np.random.default_rng(0).normal(size=(40, 30))
    weights[0, 0] = 0.0
    values, scale = quantize_tensor(weights)
    assert values.dtype == np.int8
    assert np.abs(values).max() == INT8_LIMIT and values.min() >= -INT8_LIMIT
    assert scale == pytest.approx(np.abs(weights).max() / 127, rel=1e-6)
    assert np.float32(scale) == scale  # stored as float32
    assert np.abs(values * scale - weights).max() <= scale / 2 * (1 + 1e-6)
    assert values[0, 0] == 0


def test_all_zero_tensor_quantises_to_zeros() -> None:
    values, scale = quantize_tensor(np.zeros((3, 2)))
    assert not values.any() and scale == 1.0


def test_quantize_leaves_the_model_alone_and_is_deterministic() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    before = model.fingerprint()
    first, second = quantize(model), quantize(model)
    assert model.fingerprint() == before
    assert first.fingerprint() == second.fingerprint() != before
    assert [w.shape for w in first.weights] == [p.shape for p in model.params[0::2]]
    assert all(b.dtype == np.float32 for b in first.biases)


def test_sizes_of_the_moons_network() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    small = quantize(model)
    # 320 int8 weights, 3 float32 scales, 34 float32 biases.
    assert small.size_bytes() == 320 + 4 * 3 + 4 * 34 == 468
    assert float_size_bytes(model) == 8 * 354 == 2832
    assert float_size_bytes(model, 4) == 1416
    # Biases are a tenth of this tiny network and stay 32-bit, so it only shrinks ~6x.
    assert small.size_bytes() / float_size_bytes(model) == pytest.approx(0.165, abs=0.001)


def test_digits_network_shrinks_to_about_an_eighth(trained_digits: tuple[MLP, Dataset]) -> None:
    model, _ = trained_digits
    small = quantize(model)
    ratio = small.size_bytes() / float_size_bytes(model)
    assert small.size_bytes() == 256 * 64 + 64 * 10 + 4 * (2 + 64 + 10)
    assert 1 / 8 <= ratio < 1 / 7.8
    assert small.size_bytes() / float_size_bytes(model, 4) < 1 / 3.9


def test_moons_answers_agree_after_quantisation(trained_moons: tuple[MLP, Dataset]) -> None:
    model, data = trained_moons
    small = quantize(model)
    assert agreement(model, small, data.x_val) >= 0.95
    np.testing.assert_allclose(
        small.predict_proba(data.x_val), model.predict_proba(data.x_val), atol=0.05
    )


def test_digits_answers_agree_after_quantisation(trained_digits: tuple[MLP, Dataset]) -> None:
    model, data = trained_digits
    small = quantize(model)
    assert agreement(model, small, data.x_val) >= 0.95
    accuracy = float(np.mean(small.predict(data.x_val) == data.y_val))
    assert accuracy >= model.accuracy(data.x_val, data.y_val) - 0.01


def test_agreement_counts_matching_classes() -> None:
    model = MLP((2, 2), "tanh", seed=0)
    model.params[0][:] = [[1.0, -1.0], [0.0, 0.0]]
    small = quantize(model)
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0]])
    assert agreement(model, small, x) == 1.0
    small.biases[0][:] = [-1.5, 1.5]  # now only x0 > 1.5 is class 0
    assert agreement(model, small, x) == pytest.approx(2 / 3)


@pytest.mark.parametrize("sizes", [(2, 16, 16, 2), (256, 64, 10)])
@pytest.mark.parametrize("n", [1, 50])
def test_flops_are_the_mlps_plus_one_scale_multiply_per_output(
    sizes: tuple[int, ...], n: int
) -> None:
    model = MLP(sizes, "relu", seed=0)
    extra = sum(n * fan_out for _, fan_out in itertools.pairwise(sizes))
    assert quantize(model).flops_forward(n) == model.flops_forward(n) + extra
