"""Two-dimensional toy datasets for binary classification, with a held-out split.

Every generator draws a *clean* pattern, then adds Gaussian jitter of standard
deviation ``noise`` (in data units) and clips to ``DATA_BOX``. Labels come from the
clean pattern, so noise blurs the class boundary instead of relabelling points.

    x : ndarray of shape (n_samples, 2), float64, inside DATA_BOX on both axes
    y : ndarray of shape (n_samples,), int64, classes 0..n_classes-1
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DATA_BOX: tuple[float, float] = (-2.0, 2.0)

# Clean patterns stay this far inside DATA_BOX so that small noise rarely needs clipping.
_REACH = 1.8
MIN_SAMPLES = 10


@dataclass(frozen=True)
class Dataset:
    """A train/validation split of one toy dataset.

    x_train : ndarray of shape (n_train, 2)
    y_train : ndarray of shape (n_train,)
    x_val : ndarray of shape (n_val, 2)
    y_val : ndarray of shape (n_val,)
    """

    x_train: NDArray[np.float64]
    y_train: NDArray[np.int64]
    x_val: NDArray[np.float64]
    y_val: NDArray[np.int64]
    n_classes: int


Generator = Callable[[int, np.random.Generator], tuple[NDArray[np.float64], NDArray[np.int64]]]


def _half_labels(n: int) -> NDArray[np.int64]:
    """Labels [0]*ceil(n/2) + [1]*floor(n/2): shape (n,)."""
    return (np.arange(n) >= (n + 1) // 2).astype(np.int64)


def _moons(n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """scikit-learn's make_moons geometry, shifted to be centred on the origin."""
    y = _half_labels(n)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    x = np.where(y[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    return x, y


def _circles(n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """An inner ring (class 1) inside an outer ring (class 0)."""
    y = _half_labels(n)
    t = rng.uniform(0.0, 2.0 * np.pi, size=n)
    radius = np.where(y == 0, 1.5, 0.7)
    return np.column_stack([radius * np.cos(t), radius * np.sin(t)]), y


def _spiral(n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaved arms, each one and a half turns, the second rotated by pi."""
    y = _half_labels(n)
    u = rng.uniform(0.0, 1.0, size=n)
    radius = 0.1 + (_REACH - 0.1) * u
    angle = 3.0 * np.pi * u + np.pi * y
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), y


def _xor(n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Four quadrant blobs; class 1 where x*y < 0 (TensorFlow Playground's XOR)."""
    quadrant = np.arange(n) % 4
    signs = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])[quadrant]
    # A margin away from the axes keeps the clean pattern unambiguous.
    x = signs * rng.uniform(0.1, _REACH, size=(n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x, y


GENERATORS: dict[str, Generator] = {
    "moons": _moons,
    "circles": _circles,
    "spiral": _spiral,
    "xor": _xor,
}
DATASET_NAMES: tuple[str, ...] = tuple(GENERATORS)


def _stratified_split(
    y: NDArray[np.int64], val_fraction: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Indices (train, val), each class split in the same proportion, both shuffled."""
    train: list[NDArray[np.int64]] = []
    val: list[NDArray[np.int64]] = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val = round(len(members) * val_fraction)
        val.append(members[:n_val])
        train.append(members[n_val:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(val))


def make_dataset(
    name: str, n_samples: int, noise: float, seed: int, val_fraction: float = 0.3
) -> Dataset:
    """Draw ``n_samples`` points of dataset ``name`` and split off ``val_fraction`` of them.

    Deterministic from ``seed``. ``noise`` in [0, 1] is the standard deviation of the
    Gaussian jitter in data units; 0.0 gives the clean pattern.
    """
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    if n_samples < MIN_SAMPLES:
        raise ValueError(f"n_samples must be at least {MIN_SAMPLES}, got {n_samples}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")

    rng = np.random.default_rng(seed)
    x, y = GENERATORS[name](n_samples, rng)
    x = np.clip(x + noise * rng.standard_normal(x.shape), *DATA_BOX)
    train, val = _stratified_split(y, val_fraction, rng)
    return Dataset(
        x_train=np.ascontiguousarray(x[train]),
        y_train=y[train],
        x_val=np.ascontiguousarray(x[val]),
        y_val=y[val],
        n_classes=2,
    )
