"""Is an input like anything the model was trained on? Distance to the nearest training point.

A model answers every query, with confidence, even far from its training data, where
its answer is a guess (lesson 11). The nearest training point is a simple, honest
signal: it needs no model, and a reader can see it on the plot.

    x : (m, d) queries, x_train : (n, d) training inputs, distances : (m,)

The default threshold is ``SPACING_MULTIPLE`` times the typical spacing of the training
set, the median distance from a training point to its nearest other training point.
Within the data, a query is about one spacing from its nearest neighbour; three
spacings away it sits in a hole or beyond the edge of the data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

SPACING_MULTIPLE = 3.0
# Queries compared at once: bounds the (chunk, n_train) distance matrix.
_CHUNK = 1024


class TrainingPoints:
    """A training set made ready for many distance questions.

    The server asks it once per question, a class thousands of times a minute; the
    training set's transpose (scaled by -2) and squared norms never change, so they are
    computed once here rather than on every question.
    """

    def __init__(self, x_train: Array) -> None:
        if x_train.ndim != 2 or len(x_train) == 0:
            raise ValueError("x_train must be a non-empty (n, d) array")
        self.x_train = x_train
        self._minus_twice_transposed = -2.0 * x_train.T
        self._norms = (x_train * x_train).sum(axis=1)

    def nearest_distances(self, x: Array) -> Array:
        """Euclidean distance (m,) from each row of x (m, d) to its nearest training row."""
        queries = np.atleast_2d(np.asarray(x, dtype=np.float64))
        if queries.shape[1] != self.x_train.shape[1]:
            raise ValueError(
                f"x has {queries.shape[1]} features, x_train has {self.x_train.shape[1]}"
            )
        out = np.empty(len(queries))
        for start in range(0, len(queries), _CHUNK):
            q = queries[start : start + _CHUNK]
            # |q - t|^2 = |t|^2 - 2 q.t + |q|^2: one matmul instead of an (m, n, d)
            # difference, and |q|^2 added after the minimum, as it is the same for every t.
            squared = q @ self._minus_twice_transposed
            squared += self._norms
            nearest = squared.min(axis=1)
            nearest += (q * q).sum(axis=1)
            np.maximum(nearest, 0.0, out=nearest)
            out[start : start + _CHUNK] = np.sqrt(nearest, out=nearest)
        return out


def nearest_distances(x: Array, x_train: Array) -> Array:
    """Euclidean distance (m,) from each row of x (m, d) to its nearest row of x_train (n, d)."""
    return TrainingPoints(x_train).nearest_distances(x)


def typical_spacing(x_train: Array) -> float:
    """Median distance from a training point to its nearest *other* training point."""
    if len(x_train) < 2:
        raise ValueError("need at least two training points to measure their spacing")
    nearest = np.empty(len(x_train))
    norms = (x_train * x_train).sum(axis=1)
    for start in range(0, len(x_train), _CHUNK):
        block = x_train[start : start + _CHUNK]
        squared = norms[start : start + _CHUNK, None] - 2.0 * (block @ x_train.T) + norms
        # A point is its own nearest neighbour at distance 0: mask it out.
        rows = np.arange(len(block))
        squared[rows, start + rows] = np.inf
        nearest[start : start + _CHUNK] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return float(np.median(nearest))


def default_threshold(x_train: Array) -> float:
    """SPACING_MULTIPLE times the typical spacing of x_train."""
    return SPACING_MULTIPLE * typical_spacing(x_train)


def outside_training_data(
    x: Array, x_train: Array, threshold: float | None = None
) -> NDArray[np.bool_]:
    """True (m,) where a query is farther than ``threshold`` from every training point.

    threshold : in the data's units; None uses ``default_threshold(x_train)``.
    """
    limit = default_threshold(x_train) if threshold is None else threshold
    if limit < 0:
        raise ValueError(f"threshold must be >= 0, got {limit}")
    return nearest_distances(x, x_train) > limit
