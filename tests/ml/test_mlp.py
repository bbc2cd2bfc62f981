from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.ml.fingerprint import fingerprint
from app.ml.losses import softmax_inplace
from app.ml.models.mlp import INIT_BOUNDS, MLP, stacked_logits
from app.ml.surface import decision_surface, grid_axis, grid_points

SHAPES = [(2, 2), (2, 3, 2), (2, 5, 4, 3), (3, 8, 8, 8, 2)]


def _data(n_features: int, n_classes: int, n: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    x = rng.normal(size=(n, n_features))
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    return x, y


# -- gradients ------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("sizes", SHAPES)
def test_gradient_matches_central_differences(activation: str, sizes: tuple[int, ...]) -> None:
    model = MLP(sizes, activation, seed=1)
    # Non-zero biases so the check also covers them away from the init point.
    rng = np.random.default_rng(0)
    for b in model.params[1::2]:
        b += rng.normal(scale=0.1, size=b.shape)
    x, y = _data(sizes[0], sizes[-1])
    _, grads = model.loss_and_grads(x, y)

    eps = 1e-6
    for param, grad in zip(model.params, grads, strict=True):
        assert grad.shape == param.shape
        numeric = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = model.loss(x, y)
            param[index] = saved - eps
            minus = model.loss(x, y)
            param[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        scale = np.abs(numeric).max() + np.abs(grad).max()
        assert np.abs(numeric - grad).max() / scale < 1e-7


def test_loss_of_training_and_inference_paths_agree() -> None:
    model = MLP((2, 6, 3), "tanh", seed=0)
    x, y = _data(2, 3, n=20)
    loss, _ = model.loss_and_grads(x, y)
    assert loss == pytest.approx(model.loss(x, y), rel=1e-15)


# -- inference path -------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_predict_proba_keeps_nothing_and_matches_the_training_forward(activation: str) -> None:
    model = MLP((2, 16, 16, 2), activation, seed=0)
    x, _ = _data(2, 2, n=50)
    before = dict(vars(model))
    weights_before = [p.copy() for p in model.params]

    proba = model.predict_proba(x)

    assert vars(model).keys() == before.keys()
    assert all(vars(model)[key] is value for key, value in before.items())
    for param, saved in zip(model.params, weights_before, strict=True):
        np.testing.assert_array_equal(param, saved)
    # The training path's forward pass, for a stack of one model.
    logits = stacked_logits(model.flat[None], model.layer_sizes, activation, x[None])
    training_proba = softmax_inplace(logits)[0]
    np.testing.assert_allclose(proba, training_proba, rtol=1e-15, atol=0)
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_proba_on_one_row() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    x = np.array([[0.3, -0.2]])
    np.testing.assert_array_equal(
        model.predict_proba(x), model.predict_proba(np.repeat(x, 3, 0))[:1]
    )


def test_accuracy_counts_argmax_hits() -> None:
    model = MLP((2, 2), "tanh", seed=0)
    model.params[0][:] = [[1.0, -1.0], [0.0, 0.0]]  # class 0 when x0 > 0
    model.params[1][:] = 0.0
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 5.0], [-3.0, 1.0]])
    assert model.accuracy(x, np.array([0, 1, 1, 1])) == 0.75


# -- construction and identity --------------------------------------------------------


def test_parameters_have_the_documented_layout() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    assert [p.shape for p in model.params] == [(2, 16), (16,), (16, 16), (16,), (16, 2), (2,)]
    assert model.n_parameters == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2 == 354


def test_init_is_seeded_and_scaled_per_activation() -> None:
    assert MLP((2, 16, 2), "tanh", 5).fingerprint() == MLP((2, 16, 2), "tanh", 5).fingerprint()
    assert MLP((2, 16, 2), "tanh", 5).fingerprint() != MLP((2, 16, 2), "tanh", 6).fingerprint()
    glorot = np.sqrt(6 / (16 + 16))
    he = np.sqrt(6 / 16)
    assert np.abs(MLP((2, 16, 16, 2), "tanh", 0).params[2]).max() <= glorot
    assert np.abs(MLP((2, 16, 16, 2), "relu", 0).params[2]).max() > glorot
    assert np.abs(MLP((2, 16, 16, 2), "relu", 0).params[2]).max() <= he


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_biases_start_spread_within_the_weights_bound(activation: str) -> None:
    # Not zero: zero biases keep every first-layer boundary through the origin, where
    # symmetric patterns such as the spiral hold them (see INIT_BOUNDS).
    model = MLP((2, 32, 32, 2), activation, seed=0)
    for bias, (fan_in, fan_out) in zip(
        model.params[1::2], itertools.pairwise(model.layer_sizes), strict=True
    ):
        limit = INIT_BOUNDS[activation](fan_in, fan_out)
        assert np.abs(bias).max() <= limit
        assert np.all(bias != 0.0) and len(np.unique(bias)) == fan_out
        if fan_out == 32:  # uniform: a standard deviation of limit / sqrt(3)
            assert bias.std() > limit / 3


@pytest.mark.parametrize(
    ("sizes", "activation"),
    [((2, 4, 2), "sigmoid"), ((2,), "tanh"), ((2, 0, 2), "tanh"), ((2, 4, 1), "tanh")],
)
def test_bad_configuration_raises(sizes: tuple[int, ...], activation: str) -> None:
    with pytest.raises(ValueError):
        MLP(sizes, activation, seed=0)


def test_fingerprint_is_16_hex_chars_and_sensitive_to_one_ulp() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    digest = model.fingerprint()
    assert len(digest) == 16 and int(digest, 16) >= 0
    clone = model.copy()
    assert clone.fingerprint() == digest
    clone.params[2][3, 4] = np.nextafter(clone.params[2][3, 4], np.inf)
    assert clone.fingerprint() != digest
    assert model.fingerprint() == digest  # the copy shares no memory


def test_fingerprint_includes_shapes() -> None:
    values = np.arange(6.0)
    assert fingerprint([values.reshape(2, 3)]) != fingerprint([values.reshape(3, 2)])
    assert fingerprint([values]) != fingerprint([values[:3], values[3:]])
    # An MLP hashes its flat weights with its layer sizes: two networks of 18 weights
    # holding the same numbers are still told apart.
    wide, deep = MLP((5, 2, 2), "tanh", seed=0), MLP((2, 2, 2, 2), "tanh", seed=0)
    assert wide.n_parameters == deep.n_parameters == 18
    deep.flat[...] = wide.flat
    assert wide.fingerprint() != deep.fingerprint()


# -- FLOPs ----------------------------------------------------------------------------


def _flops_by_operation(sizes: tuple[int, ...], n: int) -> tuple[int, int]:
    """Forward and backward FLOPs, listing every operation's multiplies and adds."""
    layers = list(itertools.pairwise(sizes))
    k = sizes[-1]
    forward: list[tuple[str, int]] = []
    for layer, (fan_in, fan_out) in enumerate(layers):
        outputs = n * fan_out
        forward.append(("matmul multiplies", outputs * fan_in))
        forward.append(("matmul adds", outputs * fan_in))
        forward.append(("bias adds", outputs))
        if layer != len(layers) - 1:
            forward.append(("activation", outputs))
    for step in ("max", "subtract max", "exp", "sum", "divide"):
        forward.append((f"softmax {step}", n * k))

    backward: list[tuple[str, int]] = [("P - Y", n * k), ("divide by n", n * k)]
    for layer in reversed(range(len(layers))):
        fan_in, fan_out = layers[layer]
        backward.append(("dW multiplies", fan_in * fan_out * n))
        backward.append(("dW adds", fan_in * fan_out * n))
        backward.append(("db adds", fan_out * n))
        if layer > 0:
            backward.append(("dX multiplies", n * fan_in * fan_out))
            backward.append(("dX adds", n * fan_in * fan_out))
            backward.append(("activation derivative", n * fan_in))
            backward.append(("derivative product", n * fan_in))
    return sum(c for _, c in forward), sum(c for _, c in backward)


@pytest.mark.parametrize("sizes", [*SHAPES, (2, 16, 16, 2), (2, 64, 2)])
@pytest.mark.parametrize("n", [1, 32, 97])
def test_flops_match_an_operation_by_operation_count(sizes: tuple[int, ...], n: int) -> None:
    model = MLP(sizes, "tanh", seed=0)
    forward, backward = _flops_by_operation(sizes, n)
    assert model.flops_forward(n) == forward
    assert model.flops_backward(n) == backward
    assert model.flops_loss(n) == 3 * n


def test_flops_worked_example_for_the_default_network() -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    # forward: (2048 + 512 + 512) + (16384 + 512 + 512) + (2048 + 64) + softmax 320
    assert model.flops_forward(32) == 22_912
    # backward: P-Y 128; layer 3: 2048 + 64 + 2048 + 1024;
    # layer 2: 16384 + 512 + 16384 + 1024; layer 1: 2048 + 512 (no input gradient)
    assert model.flops_backward(32) == 42_176


# -- decision surface -----------------------------------------------------------------


def test_grid_points_are_row_major_with_y_as_rows() -> None:
    points = grid_points(3)
    np.testing.assert_array_equal(grid_axis(3), [-2.0, 0.0, 2.0])
    np.testing.assert_array_equal(points[:4], [[-2, -2], [0, -2], [2, -2], [-2, 0]])
    assert points.shape == (9, 2)
    np.testing.assert_array_equal(points.reshape(3, 3, 2)[2, 0], [-2.0, 2.0])


def test_decision_surface_reads_z_by_y_then_x() -> None:
    model = MLP((2, 2), "tanh", seed=0)
    model.params[0][:] = [[0.0, 3.0], [0.0, 0.0]]  # class 1 grows with x only
    surface = decision_surface(model, 5)
    assert surface.shape == (5, 5)
    assert np.all(np.diff(surface, axis=1) > 0)  # along x (columns)
    np.testing.assert_allclose(np.diff(surface, axis=0), 0.0, atol=1e-15)  # along y (rows)
    expected = model.predict_proba(np.array([[grid_axis(5)[4], grid_axis(5)[1]]]))[0, 1]
    assert surface[1, 4] == expected
