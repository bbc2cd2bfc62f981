"""Central-difference gradient check shared by the model tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def assert_gradients_match(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    loss: Callable[[], float],
    eps: float = 1e-6,
    tolerance: float = 1e-7,
) -> None:
    """Each analytic gradient against (loss(w + eps) - loss(w - eps)) / (2 eps), per entry."""
    assert len(grads) == len(params)
    for param, grad in zip(params, grads, strict=True):
        assert grad.shape == param.shape
        numeric = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = loss()
            param[index] = saved - eps
            minus = loss()
            param[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        scale = np.abs(numeric).max() + np.abs(grad).max()
        assert scale > 0
        assert np.abs(numeric - grad).max() / scale < tolerance
