from __future__ import annotations

import math

import numpy as np
import pytest

from app.ml.optimizers import OPTIMIZERS, SGD, Adam


def _params() -> list[np.ndarray]:
    return [np.array([1.0, -2.0]), np.array([[0.5]])]


def _grads() -> list[np.ndarray]:
    return [np.array([0.5, -0.25]), np.array([[2.0]])]


def test_sgd_momentum_two_steps_by_hand() -> None:
    params = _params()
    optimizer = SGD(learning_rate=0.1, momentum=0.9)

    optimizer.update(params, _grads())
    # v = 0.9 * 0 - 0.1 * g = [-0.05, 0.025], [[-0.2]];  w += v
    np.testing.assert_allclose(params[0], [0.95, -1.975], rtol=0, atol=1e-15)
    np.testing.assert_allclose(params[1], [[0.3]], rtol=0, atol=1e-15)

    optimizer.update(params, _grads())
    # v = 0.9 * v - 0.1 * g = [-0.095, 0.0475], [[-0.38]]
    np.testing.assert_allclose(params[0], [0.855, -1.9275], rtol=0, atol=1e-15)
    np.testing.assert_allclose(params[1], [[-0.08]], rtol=0, atol=1e-15)


def test_sgd_without_momentum_is_plain_gradient_descent() -> None:
    params = _params()
    SGD(learning_rate=0.5, momentum=0.0).update(params, _grads())
    np.testing.assert_allclose(params[0], [0.75, -1.875], rtol=0, atol=1e-15)


def test_adam_first_step_moves_each_weight_by_about_the_learning_rate() -> None:
    params = _params()
    Adam(learning_rate=0.1).update(params, _grads())
    # t=1: m_hat = g and v_hat = g**2, so the step is lr * g / (|g| + eps).
    expected = [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 0.25 / (0.25 + 1e-8)]
    np.testing.assert_allclose(params[0], expected, rtol=1e-15)
    np.testing.assert_allclose(params[1], [[0.5 - 0.1 * 2.0 / (2.0 + 1e-8)]], rtol=1e-15)


def test_adam_second_step_by_hand() -> None:
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w = np.array([3.0])
    optimizer = Adam(lr, b1, b2, eps)
    g1, g2 = 0.5, 0.1

    optimizer.update([w], [np.array([g1])])
    optimizer.update([w], [np.array([g2])])

    m = b1 * ((1 - b1) * g1) + (1 - b1) * g2  # 0.055
    v = b2 * ((1 - b2) * g1**2) + (1 - b2) * g2**2  # 0.00025975
    m_hat, v_hat = m / (1 - b1**2), v / (1 - b2**2)
    step1 = lr * g1 / (g1 + eps)
    expected = 3.0 - step1 - lr * m_hat / (math.sqrt(v_hat) + eps)
    np.testing.assert_allclose(w, [expected], rtol=1e-14)


def test_updates_are_in_place() -> None:
    params = _params()
    originals = [id(p) for p in params]
    for optimizer in (SGD(0.1), Adam(0.1)):
        optimizer.update(params, _grads())
    assert [id(p) for p in params] == originals


def test_flops_per_update_follow_the_formulas() -> None:
    # SGD momentum: v*mu, lr*g, subtract, add = 4 per parameter.
    assert SGD(0.1).flops_per_update(354) == 4 * 354
    # Adam: m 3, v 4, two bias corrections 2, sqrt/add/divide/scale/subtract 5 = 14.
    assert Adam(0.1).flops_per_update(354) == 14 * 354


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_registry_builds_each_optimizer_from_a_learning_rate(name: str) -> None:
    optimizer = OPTIMIZERS[name](learning_rate=0.05)
    params = _params()
    optimizer.update(params, _grads())
    assert params[0][0] < 1.0  # moved against a positive gradient
