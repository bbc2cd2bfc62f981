"""Gradient-descent optimizers: each updates a list of parameter arrays in place.

State (velocities, moments) is created on the first update, shaped like the params,
so one optimizer instance belongs to one model for one run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class Optimizer(Protocol):
    def update(self, params: list[Array], grads: list[Array]) -> None:
        """Apply one step to params, in place, given grads of the same shapes."""
        ...

    def flops_per_update(self, n_parameters: int) -> int:
        """Arithmetic of one update over n_parameters scalars, from the update formula."""
        ...


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    v <- momentum * v - learning_rate * g      3 FLOPs per parameter
    w <- w + v                                 1 FLOP per parameter
    """

    FLOPS_PER_PARAMETER = 4

    def __init__(self, learning_rate: float, momentum: float = 0.9) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocities: list[Array] = []

    def update(self, params: list[Array], grads: list[Array]) -> None:
        if not self.velocities:
            self.velocities = [np.zeros_like(p) for p in params]
        for param, grad, velocity in zip(params, grads, self.velocities, strict=True):
            velocity *= self.momentum
            velocity -= self.learning_rate * grad
            param += velocity

    def flops_per_update(self, n_parameters: int) -> int:
        return self.FLOPS_PER_PARAMETER * n_parameters


class Adam:
    """Adam (Kingma & Ba, 2015), with bias-corrected moments, at step t = 1, 2, ...

    m <- beta1 * m + (1 - beta1) * g               3 FLOPs per parameter
    v <- beta2 * v + (1 - beta2) * g**2            4
    m_hat = m / (1 - beta1**t)                     1
    v_hat = v / (1 - beta2**t)                     1
    w <- w - lr * m_hat / (sqrt(v_hat) + eps)      5: sqrt, add, divide, scale, subtract
                                                  14 in all; per-step scalars not counted
    """

    FLOPS_PER_PARAMETER = 14

    def __init__(
        self,
        learning_rate: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.first_moments: list[Array] = []
        self.second_moments: list[Array] = []

    def update(self, params: list[Array], grads: list[Array]) -> None:
        if not self.first_moments:
            self.first_moments = [np.zeros_like(p) for p in params]
            self.second_moments = [np.zeros_like(p) for p in params]
        self.t += 1
        m_correction = 1.0 - self.beta1**self.t
        v_correction = 1.0 - self.beta2**self.t
        moments = zip(params, grads, self.first_moments, self.second_moments, strict=True)
        for param, grad, m, v in moments:
            m *= self.beta1
            m += (1.0 - self.beta1) * grad
            v *= self.beta2
            v += (1.0 - self.beta2) * (grad * grad)
            denominator = np.sqrt(v / v_correction)
            denominator += self.eps
            param -= self.learning_rate * (m / m_correction) / denominator

    def flops_per_update(self, n_parameters: int) -> int:
        return self.FLOPS_PER_PARAMETER * n_parameters


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {"sgd": SGD, "adam": Adam}
