"""Gradient-descent optimizers: each updates a list of parameter arrays in place.

State (velocities, moments) is created on the first update, shaped like the params,
so one optimizer instance belongs to one model for one run.

``update_rows`` updates several runs' optimizers in one computation: their parameters and
gradients as the rows of two (R, n) arrays, their states kept as one flat vector each.
The arithmetic is elementwise, with each run's own scalars as a column, so every row gets
exactly the bits ``update`` would give it alone. ``stack_states`` puts the runs' states in
such rows once, and the runs keep them there, so a class stepping together for many steps
stacks them once, not on every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class Optimizer(Protocol):
    def update(self, params: list[Array], grads: list[Array]) -> None:
        """Apply one step to params, in place, given grads of the same shapes."""
        ...

    def update_rows(
        self,
        optimizers: Sequence[Any],
        rows: Array,
        grads: Array,
        states: list[Array] | None = None,
    ) -> None:
        """Apply one step for each of ``optimizers`` (this one's class) to its row of rows.

        ``states`` comes from ``stack_states(optimizers, ...)``; None stacks them here.
        """
        ...

    def stack_states(self, optimizers: Sequence[Any], size: int) -> list[Array]:
        """The optimizers' states as (R, size) stacks that they keep their state in."""
        ...

    def release_state(self) -> None:
        """Keep this optimizer's state in arrays of its own, out of any shared stack."""
        ...

    def flops_per_update(self, n_parameters: int) -> int:
        """Arithmetic of one update over n_parameters scalars, from the update formula."""
        ...


def _column(values: tuple[float, ...] | list[float]) -> Array | float:
    """Per-run scalars as an (R, 1) column that broadcasts across each run's row.

    When every run has the same value (one run, or a class on the same settings and
    step) it stays a float: the same arithmetic, without building an array.
    """
    first = values[0]
    if values.count(first) == len(values):  # counted in C: this runs every step
        return first
    return np.array(values, dtype=np.float64)[:, None]


@functools.lru_cache(maxsize=4096)
def _bias_correction(beta: float, t: int) -> float:
    """1 - beta**t, computed once per step number (every run of a class asks for it)."""
    return 1.0 - beta**t


def _row_state(states: list[Array], size: int) -> Array:
    """A run's state as one flat vector, created at zero on its first row update."""
    if not states:
        states.append(np.zeros(size))
    return states[0]


class _RowStates:
    """Stacking and releasing the flat state vectors named in ``STATE``."""

    STATE: tuple[str, ...] = ()

    @classmethod
    def stack_states(cls, optimizers: Sequence[Any], size: int) -> list[Array]:
        """Each named state of the optimizers as an (R, size) stack, one row per optimizer.

        Each optimizer then keeps its state in its row (a view), so updating the stack
        updates them all with no copy back. One optimizer's stack is a view of its own.
        """
        stacks = []
        for name in cls.STATE:
            if len(optimizers) == 1:
                stacks.append(_row_state(getattr(optimizers[0], name), size)[None])
                continue
            stack = np.stack([_row_state(getattr(o, name), size) for o in optimizers])
            for optimizer, row in zip(optimizers, stack, strict=True):
                getattr(optimizer, name)[0] = row
            stacks.append(stack)
        return stacks

    def release_state(self) -> None:
        """Keep the state in arrays of its own, so a shared stack is not kept alive by it."""
        for name in self.STATE:
            setattr(self, name, [state.copy() for state in getattr(self, name)])


class SGD(_RowStates):
    """Stochastic gradient descent with (heavy-ball) momentum.

    v <- momentum * v - learning_rate * g      3 FLOPs per parameter
    w <- w + v                                 1 FLOP per parameter
    """

    FLOPS_PER_PARAMETER = 4
    STATE = ("velocities",)

    def __init__(self, learning_rate: float, momentum: float = 0.9) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocities: list[Array] = []

    def update(self, params: list[Array], grads: list[Array]) -> None:
        if not self.velocities:
            self.velocities = [np.zeros_like(p) for p in params]
        for param, grad, velocity in zip(params, grads, self.velocities, strict=True):
            self._rule(param, grad, velocity, self.learning_rate, self.momentum)

    @classmethod
    def update_rows(
        cls,
        optimizers: Sequence[SGD],
        rows: Array,
        grads: Array,
        states: list[Array] | None = None,
    ) -> None:
        (velocities,) = states or cls.stack_states(optimizers, rows.shape[1])
        learning_rates = _column([o.learning_rate for o in optimizers])
        momenta = _column([o.momentum for o in optimizers])
        cls._rule(rows, grads, velocities, learning_rates, momenta)

    @staticmethod
    def _rule(
        param: Array, grad: Array, velocity: Array, learning_rate: Any, momentum: Any
    ) -> None:
        velocity *= momentum
        velocity -= learning_rate * grad
        param += velocity

    def flops_per_update(self, n_parameters: int) -> int:
        return self.FLOPS_PER_PARAMETER * n_parameters


class Adam(_RowStates):
    """Adam (Kingma & Ba, 2015), with bias-corrected moments, at step t = 1, 2, ...

    m <- beta1 * m + (1 - beta1) * g               3 FLOPs per parameter
    v <- beta2 * v + (1 - beta2) * g**2            4
    m_hat = m / (1 - beta1**t)                     1
    v_hat = v / (1 - beta2**t)                     1
    w <- w - lr * m_hat / (sqrt(v_hat) + eps)      5: sqrt, add, divide, scale, subtract
                                                  14 in all; per-step scalars not counted
    """

    FLOPS_PER_PARAMETER = 14
    STATE = ("first_moments", "second_moments")

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
        scalars = self._scalars()
        moments = zip(params, grads, self.first_moments, self.second_moments, strict=True)
        for param, grad, m, v in moments:
            self._rule(param, grad, m, v, *scalars)

    def _scalars(self) -> tuple[float, float, float, float, float, float]:
        """lr, beta1, beta2, eps and the two bias corrections at the current step."""
        m_correction = _bias_correction(self.beta1, self.t)
        v_correction = _bias_correction(self.beta2, self.t)
        return (self.learning_rate, self.beta1, self.beta2, self.eps, m_correction, v_correction)

    @classmethod
    def update_rows(
        cls,
        optimizers: Sequence[Adam],
        rows: Array,
        grads: Array,
        states: list[Array] | None = None,
    ) -> None:
        first, second = states or cls.stack_states(optimizers, rows.shape[1])
        for optimizer in optimizers:
            optimizer.t += 1
        per_run = zip(*(o._scalars() for o in optimizers), strict=True)
        cls._rule(rows, grads, first, second, *(_column(values) for values in per_run))

    @staticmethod
    def _rule(
        param: Array,
        grad: Array,
        m: Array,
        v: Array,
        learning_rate: Any,
        beta1: Any,
        beta2: Any,
        eps: Any,
        m_correction: Any,
        v_correction: Any,
    ) -> None:
        # Scalars are floats for one run, (R, 1) columns for rows: the same operations.
        m *= beta1
        m += (1.0 - beta1) * grad
        v *= beta2
        v += (1.0 - beta2) * (grad * grad)
        denominator = np.sqrt(v / v_correction)
        denominator += eps
        param -= learning_rate * (m / m_correction) / denominator

    def flops_per_update(self, n_parameters: int) -> int:
        return self.FLOPS_PER_PARAMETER * n_parameters


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {"sgd": SGD, "adam": Adam}
