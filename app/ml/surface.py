"""A model's decision surface over the data box, shaped for a heatmap."""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import DATA_BOX
from app.ml.models.linear import LinearRegression
from app.ml.models.mlp import MLP


def grid_axis(resolution: int) -> NDArray[np.float64]:
    """The (resolution,) evenly spaced coordinates spanning DATA_BOX, shared by x and y."""
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    return np.linspace(*DATA_BOX, resolution)


@functools.cache
def grid_points(resolution: int) -> NDArray[np.float64]:
    """Grid over DATA_BOX as (resolution * resolution, 2) points, row-major with y as rows.

    Point r * resolution + c is (axis[c], axis[r]), so values reshaped to
    (resolution, resolution) read z[y_index][x_index], as a heatmap expects. Built once
    per resolution (every decision map of every run uses it) and read-only.
    """
    axis = grid_axis(resolution)
    xs, ys = np.meshgrid(axis, axis)
    points = np.column_stack([xs.ravel(), ys.ravel()])
    points.flags.writeable = False
    return points


def decision_surface(model: MLP, resolution: int) -> NDArray[np.float64]:
    """Probability of class 1 on the grid: (resolution, resolution), z[y_index][x_index]."""
    proba = model.predict_proba(grid_points(resolution))
    return proba[:, 1].reshape(resolution, resolution)


def regression_curve(model: LinearRegression, resolution: int) -> NDArray[np.float64]:
    """The model's predictions (resolution,) at grid_axis(resolution), for a line plot."""
    return model.predict(grid_axis(resolution)[:, None])
