from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from default_runs import step_records
from gradcheck import assert_gradients_match

from app.ml.datasets import DATA_BOX, REGRESSION_SHAPES, make_regression
from app.ml.models.base import TrainableModel
from app.ml.models.linear import (
    FEATURE_SCALE,
    MSE_DIVERGENCE_LOSS,
    LinearRegression,
    least_squares,
    polynomial_features,
)
from app.ml.optimizers import SGD, Adam
from app.ml.surface import grid_axis, regression_curve
from app.ml.training import train_steps
from app.runs.specs import LinearSpec

# The app's default run: a line, the whole training set (70 points) in every batch, so each
# step is exact gradient descent and the fit settles on the least-squares answer.
LINE = LinearSpec(model="linear")
# The same with cubic features, for the gentle curve, and twice the steps: the cubic column
# makes the problem less well conditioned, so it is slower.
CURVE = LinearSpec(model="linear", shape="curve", degree=3, steps=600)


def _data(n: int = 9, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-2, 2, size=(n, 1)), rng.normal(size=n)


# -- the data -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(REGRESSION_SHAPES))
def test_regression_data_shapes_box_and_determinism(shape: str) -> None:
    data = make_regression(shape, 101, 0.3, seed=4)
    assert data.x_train.shape == (71, 1) and data.x_val.shape == (30, 1)
    assert data.y_train.shape == (71,) and data.y_train.dtype == np.float64
    assert data.n_classes == 0
    for array in (data.x_train, data.x_val, data.y_train, data.y_val):
        assert DATA_BOX[0] <= array.min() and array.max() <= DATA_BOX[1]
    again = make_regression(shape, 101, 0.3, seed=4)
    np.testing.assert_array_equal(data.y_val, again.y_val)
    assert not np.array_equal(data.y_val, make_regression(shape, 101, 0.3, seed=5).y_val)


def test_clean_regression_data_lies_on_its_shape() -> None:
    for shape, clean in REGRESSION_SHAPES.items():
        data = make_regression(shape, 50, 0.0, seed=0)
        np.testing.assert_allclose(data.y_train, clean(data.x_train[:, 0]))


@pytest.mark.parametrize("arguments", [("wave", 50, 0.1), ("line", 5, 0.1), ("line", 50, 2.0)])
def test_bad_regression_arguments_raise(arguments: tuple[str, int, float]) -> None:
    with pytest.raises(ValueError):
        make_regression(*arguments, seed=0)


# -- the model ------------------------------------------------------------------------


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_gradient_matches_central_differences(degree: int) -> None:
    model = LinearRegression(degree, seed=1)
    model.params[1] += 0.3  # away from the zero bias of the init
    x, y = _data()
    _, grads = model.loss_and_grads(x, y)
    assert_gradients_match(model.params, grads, lambda: model.loss(x, y))


def test_training_and_inference_losses_agree() -> None:
    model = LinearRegression(3, seed=0)
    x, y = _data(40)
    assert model.loss_and_grads(x, y)[0] == pytest.approx(model.loss(x, y), rel=1e-14)


def test_polynomial_features_are_scaled_powers() -> None:
    x = np.array([[-2.0], [1.0], [0.5]])
    t = x[:, 0] / FEATURE_SCALE
    np.testing.assert_allclose(polynomial_features(x, 3), np.column_stack([t, t**2, t**3]))
    assert np.abs(polynomial_features(x, 3)).max() <= 1.0


def test_predict_is_the_line_w_x_plus_b() -> None:
    model = LinearRegression(1, seed=0)
    model.params = [np.array([0.8]), np.array([-0.1])]
    x = np.array([[2.0], [0.0], [-1.0]])
    np.testing.assert_allclose(model.predict(x), 0.8 * x[:, 0] / FEATURE_SCALE - 0.1)


@pytest.mark.parametrize("degree", [0, 4])
def test_bad_degree_raises(degree: int) -> None:
    with pytest.raises(ValueError):
        LinearRegression(degree)


def test_is_a_trainable_model_and_copies_independently() -> None:
    model: TrainableModel[np.ndarray, np.ndarray] = LinearRegression(2, seed=7)
    clone = model.copy()
    assert clone.fingerprint() == model.fingerprint()
    clone.params[0][0] += 1.0
    assert clone.fingerprint() != model.fingerprint()
    assert LinearRegression(2, 7).fingerprint() == model.fingerprint()
    assert LinearRegression(2, 8).fingerprint() != model.fingerprint()
    assert model.n_parameters == 3


# -- converging to least squares ------------------------------------------------------


def _max_error(model: LinearRegression, reference: LinearRegression) -> float:
    pairs = zip(model.params, reference.params, strict=True)
    return max(float(np.abs(a - b).max()) for a, b in pairs)


def test_least_squares_matches_numpy_lstsq_on_x_directly() -> None:
    data = make_regression("line", 100, 0.15, seed=0)
    design = np.column_stack([data.x_train[:, 0], np.ones(len(data.x_train))])
    slope, intercept = np.linalg.lstsq(design, data.y_train, rcond=None)[0]
    best = least_squares(data, degree=1)
    assert best.params[0][0] / FEATURE_SCALE == pytest.approx(slope, rel=1e-12)
    assert best.params[1][0] == pytest.approx(intercept, rel=1e-12)


# Largest parameter error measured at the default seed: 1.5e-7 for the line after 300
# steps, 1.8e-6 for the curve after 600.
@pytest.mark.parametrize(("spec", "tolerance"), [(LINE, 3e-7), (CURVE, 4e-6)])
def test_default_runs_converge_to_least_squares(spec: LinearSpec, tolerance: float) -> None:
    setup, records = step_records(spec)
    steps = list(records)
    model, data = setup.model, setup.data
    best = least_squares(data, spec.degree)
    assert len(steps) == spec.steps and not steps[-1].diverged
    assert _max_error(model, best) < tolerance
    train_loss = model.loss(data.x_train, data.y_train)
    assert train_loss == pytest.approx(best.loss(data.x_train, data.y_train), rel=1e-9)


@pytest.mark.parametrize("degree", [1, 3])
def test_adam_converges_to_least_squares(degree: int) -> None:
    data = make_regression("curve", 100, 0.15, seed=0)
    model = LinearRegression(degree, seed=0)
    list(train_steps(model, data, Adam(learning_rate=0.02), 1500, 1000, seed=0))
    assert _max_error(model, least_squares(data, degree)) < 1e-8


def test_minibatch_sgd_gets_close_to_least_squares() -> None:
    data = make_regression("line", 100, 0.15, seed=0)
    model = LinearRegression(1, seed=0)
    list(train_steps(model, data, SGD(learning_rate=0.05), 300, 16, seed=0))
    best = least_squares(data, 1)
    # Minibatch noise keeps it jittering around the answer rather than on it.
    assert _max_error(model, best) < 0.05
    assert model.loss(data.x_val, data.y_val) < 1.1 * best.loss(data.x_val, data.y_val)


def test_training_is_bit_identical_under_a_seed() -> None:
    first, first_records = step_records(LINE)
    second, second_records = step_records(LINE)
    strip = [dataclasses.replace(r, compute_ns=0) for r in first_records]
    assert strip == [dataclasses.replace(r, compute_ns=0) for r in second_records]
    assert len(strip) == LINE.steps
    assert first.model.fingerprint() == second.model.fingerprint()


def test_huge_learning_rate_diverges_on_the_mse_threshold() -> None:
    spec = LinearSpec(model="linear", learning_rate=5.0, steps=500)
    setup, stream = step_records(spec)
    records = list(stream)
    last = records[-1]
    assert last.diverged and len(records) < spec.steps
    assert not math.isfinite(last.batch_loss) or last.batch_loss > MSE_DIVERGENCE_LOSS
    assert setup.model.divergence_loss == MSE_DIVERGENCE_LOSS
    # The first loss of the run is small next to the threshold: only a blow-up crosses it.
    assert records[0].batch_loss < MSE_DIVERGENCE_LOSS / 1000


# -- FLOPs ----------------------------------------------------------------------------


def _flops_by_operation(degree: int, n: int) -> tuple[int, int, int]:
    forward = [
        ("divide x by the scale", n),
        ("powers t**2 .. t**d", n * (degree - 1)),
        ("matmul multiplies", n * degree),
        ("matmul adds", n * degree),
        ("bias adds", n),
    ]
    loss = [("subtract y", n), ("square", n), ("sum", n)]
    backward = [
        ("residual times 2/n", n),
        ("dw multiplies", n * degree),
        ("dw adds", n * degree),
        ("db adds", n),
    ]
    return (
        sum(count for _, count in forward),
        sum(count for _, count in loss),
        sum(count for _, count in backward),
    )


@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("n", [1, 70, 1000])
def test_flops_match_an_operation_by_operation_count(degree: int, n: int) -> None:
    model = LinearRegression(degree)
    forward, loss, backward = _flops_by_operation(degree, n)
    assert model.flops_forward(n) == forward
    assert model.flops_loss(n) == loss
    assert model.flops_backward(n) == backward


def test_flops_worked_example() -> None:
    # A line on 70 points: forward 70 + 140 + 70 = 280; loss 210; backward 70 + 140 + 70.
    model = LinearRegression(1)
    assert (model.flops_forward(70), model.flops_loss(70), model.flops_backward(70)) == (
        280,
        210,
        280,
    )


def test_regression_curve_is_the_prediction_on_the_grid() -> None:
    model = LinearRegression(2, seed=0)
    curve = regression_curve(model, 11)
    np.testing.assert_array_equal(curve, model.predict(grid_axis(11)[:, None]))
