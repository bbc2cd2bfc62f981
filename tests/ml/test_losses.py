"""The one softmax cross-entropy (app.ml.losses): values, gradient, stacks, and its users."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import assert_gradients_match

from app.ml.losses import cross_entropy_scores, softmax_cross_entropy, softmax_inplace
from app.ml.models.mlp import MLP, stacked_logits


def _logits(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=shape)
    y = rng.integers(0, shape[-1], size=shape[:-1]).astype(np.int64)
    return logits, y


def test_loss_stays_finite_for_confidently_wrong_logits() -> None:
    scored = softmax_cross_entropy(np.array([[800.0, -800.0]]), np.array([1]))
    assert float(scored.losses) == pytest.approx(1600.0)
    assert int(scored.hits) == 0
    # (P - onehot) / n with P = [1, 0] and the label 1.
    np.testing.assert_array_equal(scored.gradient, [[1.0, -1.0]])


def test_uniform_prediction_costs_log_of_the_number_of_classes() -> None:
    scored = softmax_cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2, 0]))
    assert float(scored.losses) == pytest.approx(np.log(3))


def test_loss_matches_the_log_of_the_softmax_probability() -> None:
    logits, y = _logits((9, 5))
    proba = softmax_inplace(logits.copy())
    expected = -np.mean(np.log(proba[np.arange(9), y]))
    assert float(softmax_cross_entropy(logits.copy(), y).losses) == pytest.approx(expected, 1e-14)


@pytest.mark.parametrize("k", [2, 3, 10])
def test_gradient_is_the_derivative_of_the_mean_loss(k: int) -> None:
    logits, y = _logits((7, k))
    gradient = softmax_cross_entropy(logits.copy(), y).gradient
    assert_gradients_match(
        [logits], [gradient], lambda: float(softmax_cross_entropy(logits.copy(), y).losses)
    )


@pytest.mark.parametrize("k", [2, 4, 10])
def test_a_stack_scores_each_model_with_the_bits_it_gets_alone(k: int) -> None:
    logits, y = _logits((5, 8, k))
    stacked = softmax_cross_entropy(logits.copy(), y)
    assert stacked.losses.shape == stacked.hits.shape == (5,)
    assert stacked.gradient.shape == (5, 8, k)
    for r in range(5):
        alone = softmax_cross_entropy(logits[r].copy(), y[r])
        assert stacked.losses[r] == alone.losses
        assert stacked.hits[r] == alone.hits
        np.testing.assert_array_equal(stacked.gradient[r], alone.gradient)


def test_hits_count_the_first_most_probable_class() -> None:
    logits = np.array([[2.0, 2.0, 0.0], [0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    scored = softmax_cross_entropy(logits, np.array([0, 1, 0]))
    assert int(scored.hits) == 2  # the tie goes to class 0; row 1 is wrong


def test_probabilities_of_the_loss_are_the_softmax_bits() -> None:
    logits, y = _logits((3, 11, 2))
    gradient = softmax_cross_entropy(logits.copy(), y).gradient
    expected = softmax_inplace(logits.copy())
    expected -= np.eye(2)[y]
    expected /= 11
    np.testing.assert_array_equal(gradient, expected)


def test_held_out_scores_from_logits_match_those_from_probabilities() -> None:
    # What app.runs.kinds measures: stacked_logits then cross_entropy_scores.
    models = [MLP((2, 8, 3), "tanh", seed) for seed in range(4)]
    rows = np.stack([m.flat for m in models])
    x, y = _logits((4, 30, 2), seed=1)
    y %= 3
    losses, accuracies = cross_entropy_scores(stacked_logits(rows, (2, 8, 3), "tanh", x), y)
    proba = softmax_inplace(stacked_logits(rows, (2, 8, 3), "tanh", x))
    picked = np.take_along_axis(proba, y[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(losses, -np.log(picked).mean(axis=-1), rtol=1e-14)
    np.testing.assert_array_equal(accuracies, (proba.argmax(axis=-1) == y).mean(axis=-1))
    for r, model in enumerate(models):  # the inference path, one model at a time
        assert losses[r] == pytest.approx(model.loss(x[r], y[r]), rel=1e-14)
        assert accuracies[r] == model.accuracy(x[r], y[r])
