"""Seeded synthetic datasets with a held-out split: 2-D classification and 1-D regression.

Every generator draws a *clean* pattern, then adds Gaussian jitter of standard
deviation ``noise`` (in data units) and clips to ``DATA_BOX``. Labels come from the
clean pattern, so noise blurs the class boundary instead of relabelling points.

2-D classification (``make_dataset``):
    x : ndarray of shape (n_samples, 2), float64, inside DATA_BOX on both axes
    y : ndarray of shape (n_samples,), int64, classes 0..n_classes-1

1-D regression (``make_regression``):
    x : ndarray of shape (n_samples, 1), float64, inside DATA_BOX
    y : ndarray of shape (n_samples,), float64, inside DATA_BOX (the noise is on y only)

The world can shift (``variant``): ``drift`` moves and turns the whole pattern, the
"after" world for lesson 7; ``gap`` removes a disc of points from the training split
only, so the held-out split shows the blind spot (lesson 11).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

DATA_BOX: tuple[float, float] = (-2.0, 2.0)

# Clean patterns stay this far inside DATA_BOX so that small noise rarely needs clipping.
_REACH = 1.8
MIN_SAMPLES = 10

X = TypeVar("X")
Y = TypeVar("Y")


@dataclass(frozen=True)
class DataSplit(Generic[X, Y]):
    """A train/validation split of one dataset; X and Y are the input and target arrays.

    x_train : ndarray of shape (n_train, ...)
    y_train : ndarray of shape (n_train,)
    x_val : ndarray of shape (n_val, ...)
    y_val : ndarray of shape (n_val,)
    n_classes : number of classes a classifier predicts; 0 for a regression target
    """

    x_train: X
    y_train: Y
    x_val: X
    y_val: Y
    n_classes: int


# Float features and int classes: the 2-D datasets and the digits.
Dataset = DataSplit[NDArray[np.float64], NDArray[np.int64]]
# Float inputs (n, 1) and float targets (n,): the 1-D regression data.
RegressionDataset = DataSplit[NDArray[np.float64], NDArray[np.float64]]
# Int token ids (n, context) and int next-token ids (n,): the next-word data.
TokenDataset = DataSplit[NDArray[np.int64], NDArray[np.int64]]


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


def stratified_split(
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


VARIANTS: tuple[str, ...] = ("none", "drift", "gap")

# Drift at amount 1: the pattern turned a quarter turn about the origin, then moved by
# this vector. Both, because a rotation alone leaves the circles dataset unchanged.
DRIFT_MAX_ANGLE = np.pi / 2
DRIFT_MAX_SHIFT: tuple[float, float] = (0.4, 0.2)

# Gap at amount 1: a disc of this radius (data units) with no training points.
GAP_MAX_RADIUS = 1.0
# Each centre sits on a part of the pattern that the rest of it does not predict, so the
# model has to guess there. The blind spot is plainest on moons (the default preset at
# amount 0.5: 27 % held-out accuracy inside the disc, 99 % outside), on circles from
# amount 0.7 (40 % inside, 100 % outside) and on xor at amount 1 (25 % inside, 92 %
# outside).
GAP_CENTRES: dict[str, tuple[float, float]] = {
    "moons": (0.5, -0.25),  # the tip of the upper moon, inside the lower moon's bend
    "circles": (0.0, 1.5),  # the top of the outer ring
    "spiral": (0.0, -0.95),  # halfway along the first arm
    "xor": (1.0, 1.0),  # the middle of the top-right blob
}


def drift(x: NDArray[np.float64], amount: float) -> NDArray[np.float64]:
    """Points x (n, 2) turned by amount * DRIFT_MAX_ANGLE, then moved by amount * shift."""
    angle = amount * DRIFT_MAX_ANGLE
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, sin], [-sin, cos]])  # row vectors: x @ R turns anticlockwise
    moved: NDArray[np.float64] = x @ rotation + amount * np.asarray(DRIFT_MAX_SHIFT)
    return moved


def gap_disc(name: str, amount: float) -> tuple[tuple[float, float], float]:
    """Centre and radius of the disc the ``gap`` variant removes from dataset ``name``."""
    if name not in GAP_CENTRES:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(GAP_CENTRES)}")
    return GAP_CENTRES[name], amount * GAP_MAX_RADIUS


def check_sizes(n_samples: int, noise: float, val_fraction: float) -> None:
    """Refuse a data set too small to split, noise outside [0, 1] or an empty split."""
    if n_samples < MIN_SAMPLES:
        raise ValueError(f"n_samples must be at least {MIN_SAMPLES}, got {n_samples}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")


def make_dataset(
    name: str,
    n_samples: int,
    noise: float,
    seed: int,
    val_fraction: float = 0.3,
    *,
    variant: str = "none",
    amount: float = 0.5,
) -> Dataset:
    """Draw ``n_samples`` points of dataset ``name`` and split off ``val_fraction`` of them.

    Deterministic from ``seed``. ``noise`` in [0, 1] is the standard deviation of the
    Gaussian jitter in data units; 0.0 gives the clean pattern.

    ``variant`` shifts the world by ``amount`` in [0, 1]:
      "none"   the pattern as it is (amount ignored)
      "drift"  the clean pattern turned and moved by ``drift(x, amount)`` before the noise;
               the random draws are those of "none" with the same seed, so the points
               are the same points, moved (amount 0 gives exactly "none")
      "gap"    training points inside ``gap_disc(name, amount)`` are removed; the held-out
               split keeps its points there, so n_train + n_val < n_samples
    """
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    check_sizes(n_samples, noise, val_fraction)
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must be in [0, 1], got {amount}")

    rng = np.random.default_rng(seed)
    x, y = GENERATORS[name](n_samples, rng)
    if variant == "drift":
        x = drift(x, amount)
    x = np.clip(x + noise * rng.standard_normal(x.shape), *DATA_BOX)
    train, val = stratified_split(y, val_fraction, rng)
    if variant == "gap":
        centre, radius = gap_disc(name, amount)
        outside = np.hypot(*(x[train] - np.asarray(centre)).T) > radius
        train = train[outside]
    return Dataset(
        x_train=np.ascontiguousarray(x[train]),
        y_train=y[train],
        x_val=np.ascontiguousarray(x[val]),
        y_val=y[val],
        n_classes=2,
    )


# -- 1-D regression -------------------------------------------------------------------


def _line(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A straight line of slope 0.6 through (0, 0.3)."""
    return 0.6 * x + 0.3


def _curve(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A gentle S-bend: a cubic, so polynomial features of degree 3 can fit it exactly."""
    return 0.15 * x**3 - 0.2 * x**2 - 0.25 * x + 0.4


REGRESSION_SHAPES: dict[str, Callable[[NDArray[np.float64]], NDArray[np.float64]]] = {
    "line": _line,
    "curve": _curve,
}


def make_regression(
    shape: str, n_samples: int, noise: float, seed: int, val_fraction: float = 0.3
) -> RegressionDataset:
    """Draw ``n_samples`` (x, y) pairs of the 1-D ``shape`` ("line" or "curve").

    x is uniform over [-_REACH, _REACH]; y is the clean shape at x plus Gaussian noise of
    standard deviation ``noise`` in [0, 1], clipped to DATA_BOX. The split is random, not
    stratified (there are no classes). n_classes is 0.
    """
    if shape not in REGRESSION_SHAPES:
        names = ", ".join(REGRESSION_SHAPES)
        raise ValueError(f"unknown regression shape {shape!r}; choose one of {names}")
    check_sizes(n_samples, noise, val_fraction)

    rng = np.random.default_rng(seed)
    x = rng.uniform(-_REACH, _REACH, size=n_samples)
    y = np.clip(REGRESSION_SHAPES[shape](x) + noise * rng.standard_normal(n_samples), *DATA_BOX)
    order = rng.permutation(n_samples)
    n_val = round(n_samples * val_fraction)
    val, train = order[:n_val], order[n_val:]
    return RegressionDataset(
        x_train=np.ascontiguousarray(x[train, None]),
        y_train=y[train],
        x_val=np.ascontiguousarray(x[val, None]),
        y_val=y[val],
        n_classes=0,
    )
