from __future__ import annotations

import numpy as np
import pytest

from app.ml.datasets import DATA_BOX, DATASET_NAMES, Dataset, make_dataset


def _all_x(data: Dataset) -> np.ndarray:
    return np.concatenate([data.x_train, data.x_val])


def _all_y(data: Dataset) -> np.ndarray:
    return np.concatenate([data.y_train, data.y_val])


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_same_seed_gives_identical_data(name: str) -> None:
    first = make_dataset(name, 200, 0.2, seed=3)
    second = make_dataset(name, 200, 0.2, seed=3)
    for field in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(first, field), getattr(second, field))


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_different_seeds_differ(name: str, noise: float) -> None:
    first = make_dataset(name, 200, noise, seed=1)
    second = make_dataset(name, 200, noise, seed=2)
    assert not np.array_equal(first.x_train, second.x_train)


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("n_samples", [10, 101, 300])
def test_shapes_dtypes_and_split_sizes(name: str, n_samples: int) -> None:
    data = make_dataset(name, n_samples, 0.1, seed=0, val_fraction=0.3)
    n_train, n_val = len(data.y_train), len(data.y_val)
    assert n_train + n_val == n_samples
    assert abs(n_val - 0.3 * n_samples) <= 1
    assert data.x_train.shape == (n_train, 2) and data.x_val.shape == (n_val, 2)
    assert data.x_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert data.n_classes == 2
    assert set(np.unique(_all_y(data))) == {0, 1}


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_classes_are_balanced_in_both_splits(name: str) -> None:
    data = make_dataset(name, 301, 0.1, seed=0)
    counts = np.bincount(_all_y(data))
    assert abs(counts[0] - counts[1]) <= 1
    for labels in (data.y_train, data.y_val):
        assert 0.45 <= labels.mean() <= 0.55


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
def test_points_lie_inside_the_data_box(name: str, noise: float) -> None:
    x = _all_x(make_dataset(name, 500, noise, seed=0))
    low, high = DATA_BOX
    assert x.min() >= low and x.max() <= high


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_validation_split_is_disjoint_from_training(name: str) -> None:
    data = make_dataset(name, 300, 0.2, seed=0)
    train_rows = {tuple(row) for row in data.x_train}
    assert not any(tuple(row) in train_rows for row in data.x_val)
    assert len(train_rows) == len(data.x_train)


def test_clean_xor_labels_follow_the_sign_of_x_times_y() -> None:
    data = make_dataset("xor", 200, 0.0, seed=0)
    x, y = _all_x(data), _all_y(data)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(np.int64))


def test_clean_circles_are_two_rings_with_the_inner_one_class_1() -> None:
    data = make_dataset("circles", 200, 0.0, seed=0)
    radius = np.hypot(*_all_x(data).T)
    y = _all_y(data)
    assert radius[y == 1].max() < radius[y == 0].min()


def test_noise_blurs_the_pattern() -> None:
    clean = make_dataset("circles", 400, 0.0, seed=0)
    blurred = make_dataset("circles", 400, 0.3, seed=0)
    assert np.hypot(*_all_x(clean).T).std() < np.hypot(*_all_x(blurred).T).std()


def test_unknown_name_raises_and_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError) as info:
        make_dataset("swiss-roll", 100, 0.1, seed=0)
    for name in DATASET_NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("n_samples", "noise", "val_fraction"),
    [(5, 0.1, 0.3), (100, -0.1, 0.3), (100, 1.5, 0.3), (100, 0.1, 0.0), (100, 0.1, 1.0)],
)
def test_out_of_range_arguments_raise(n_samples: int, noise: float, val_fraction: float) -> None:
    with pytest.raises(ValueError):
        make_dataset("moons", n_samples, noise, seed=0, val_fraction=val_fraction)
