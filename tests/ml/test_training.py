from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from app.ml.datasets import Dataset, make_dataset
from app.ml.models.mlp import MLP
from app.ml.optimizers import SGD, Adam
from app.ml.training import (
    DIVERGENCE_LOSS,
    StepRecord,
    _shuffled_batches,
    minibatches,
    train_steps,
)


@pytest.fixture(scope="module")
def moons() -> Dataset:
    return make_dataset("moons", 300, 0.15, seed=0)


def _run(dataset: Dataset, steps: int, seed: int = 7) -> tuple[list[StepRecord], MLP]:
    model = MLP((2, 16, 16, 2), "tanh", seed=seed)
    records = list(train_steps(model, dataset, Adam(0.01), steps, 32, seed))
    return records, model


def _without_timing(records: list[StepRecord]) -> list[StepRecord]:
    return [dataclasses.replace(record, compute_ns=0) for record in records]


def test_identical_arguments_give_identical_records_and_weights(moons: Dataset) -> None:
    first, first_model = _run(moons, 60)
    second, second_model = _run(moons, 60)
    assert [r.batch_loss for r in first] == [r.batch_loss for r in second]
    assert _without_timing(first) == _without_timing(second)
    assert first_model.fingerprint() == second_model.fingerprint()


def test_replaying_k_steps_equals_the_first_k_of_a_longer_run(moons: Dataset) -> None:
    k = 23  # not a multiple of the 7 batches per epoch, so the replay stops mid-epoch
    model = MLP((2, 16, 16, 2), "tanh", seed=7)
    stream = train_steps(model, moons, Adam(0.01), 100, 32, 7)
    head = list(itertools.islice(stream, k))
    fingerprint_at_k = model.fingerprint()
    rest = list(stream)  # the interrupted generator carries on where it paused

    replay, replayed_model = _run(moons, k)
    assert _without_timing(replay) == _without_timing(head)
    assert replayed_model.fingerprint() == fingerprint_at_k

    full, full_model = _run(moons, 100)
    assert _without_timing(head + rest) == _without_timing(full)
    assert model.fingerprint() == full_model.fingerprint()


def test_records_count_steps_examples_flops_and_time(moons: Dataset) -> None:
    records, model = _run(moons, 10)
    assert len(moons.y_train) == 210  # six batches of 32, then 18 topped up from epoch 2
    assert [r.step for r in records] == list(range(1, 11))
    batch_sizes = [32] * 10
    assert [r.examples_seen for r in records] == list(itertools.accumulate(batch_sizes))
    # One step on 32 rows of 2-16-16-2 with Adam: forward 22912 + loss 96 + backward 42176
    # + update 14 * 354, worked in tests/ml/test_mlp.py and test_optimizers.py.
    assert records[0].flops == 22_912 + 96 + 42_176 + 14 * 354
    per_step = [
        model.flops_forward(b) + model.flops_loss(b) + model.flops_backward(b) + 14 * 354
        for b in batch_sizes
    ]
    assert [r.flops for r in records] == list(itertools.accumulate(per_step))
    assert all(b.compute_ns > a.compute_ns > 0 for a, b in itertools.pairwise(records))
    assert not any(r.diverged for r in records)


def test_each_epoch_is_a_permutation_and_every_batch_is_full() -> None:
    batches = minibatches(10, 4, seed=0)
    stream = np.concatenate([next(batches) for _ in range(10)])  # 40 indices: 4 epochs
    epochs = stream.reshape(4, 10)
    for epoch in epochs:
        assert sorted(epoch) == list(range(10))
    assert len({tuple(epoch) for epoch in epochs}) == 4  # a fresh shuffle each time
    # The third batch ends epoch 1 with 2 indices and starts epoch 2 with 2 more.
    third = minibatches(10, 4, seed=0)
    assert [len(next(third)) for _ in range(5)] == [4] * 5


def test_minibatches_read_one_permutation_per_epoch_end_to_end() -> None:
    """Against the plainest statement of the order: epochs' permutations, one after the
    other from one generator, cut in batches. 120 batches of 32 over 210 rows cross the
    refills of several epochs at a time."""
    rng = np.random.default_rng(5)
    stream = np.concatenate([rng.permutation(210) for _ in range(20)])
    batches = minibatches(210, 32, seed=5)
    for number in range(120):
        expected = stream[number * 32 : (number + 1) * 32]
        np.testing.assert_array_equal(next(batches), expected)


def test_shuffled_batches_are_the_rows_of_minibatches(moons: Dataset) -> None:
    rows = _shuffled_batches(moons.x_train, moons.y_train, 32, seed=3)
    indices = minibatches(len(moons.y_train), 32, seed=3)
    for _ in range(20):  # three epochs, two of their batches straddling a boundary
        x, y = next(rows)
        index = next(indices)
        np.testing.assert_array_equal(x, moons.x_train[index])
        np.testing.assert_array_equal(y, moons.y_train[index])


def test_a_batch_larger_than_the_data_is_one_whole_epoch_each_step() -> None:
    batches = minibatches(3, 10, seed=0)
    for _ in range(3):
        assert sorted(next(batches)) == [0, 1, 2]


def test_batch_larger_than_the_training_set_uses_all_of_it(moons: Dataset) -> None:
    model = MLP((2, 4, 2), "tanh", seed=0)
    records = list(train_steps(model, moons, SGD(0.1), 3, 10_000, seed=0))
    n_train = len(moons.y_train)
    assert [r.examples_seen for r in records] == [n_train, 2 * n_train, 3 * n_train]
    # Full-batch gradient: the first loss is the whole training set's loss.
    assert records[0].batch_loss == pytest.approx(
        MLP((2, 4, 2), "tanh", seed=0).loss(moons.x_train, moons.y_train), rel=1e-12
    )


def test_huge_learning_rate_diverges_and_stops(moons: Dataset) -> None:
    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    records = list(train_steps(model, moons, SGD(learning_rate=50.0), 400, 32, seed=0))
    last = records[-1]
    assert last.diverged and last.step == len(records) < 400
    assert not any(r.diverged for r in records[:-1])
    loss_blew_up = not math.isfinite(last.batch_loss) or last.batch_loss > DIVERGENCE_LOSS
    weights_blew_up = not all(np.isfinite(p).all() for p in model.params)
    assert loss_blew_up or weights_blew_up


def test_non_finite_loss_is_divergence_at_that_step(moons: Dataset) -> None:
    x_train = moons.x_train.copy()
    x_train[:] = np.nan
    broken = dataclasses.replace(moons, x_train=x_train)
    model = MLP((2, 4, 2), "tanh", seed=0)
    before = model.fingerprint()
    records = list(train_steps(model, broken, SGD(0.1), 50, 32, seed=0))
    assert len(records) == 1 and records[0].diverged and math.isnan(records[0].batch_loss)
    assert model.fingerprint() == before  # a non-finite loss never reaches the weights


def test_zero_steps_yield_nothing(moons: Dataset) -> None:
    model = MLP((2, 4, 2), "tanh", seed=0)
    before = model.fingerprint()
    assert list(train_steps(model, moons, SGD(0.1), 0, 32, seed=0)) == []
    assert model.fingerprint() == before


def test_default_run_reaches_97_percent_held_out(trained_moons: tuple[MLP, Dataset]) -> None:
    model, data = trained_moons  # the app's default run (MlpSpec), trained to its end
    assert model.layer_sizes == (2, 16, 16, 2)
    # Measured 97.8 % at the default seed 7 (88 of the 90 held-out points); over seeds 0-39,
    # 98.8 % on average and 96.7 % at the lowest (5 seeds of 40 below 97 %).
    assert model.accuracy(data.x_val, data.y_val) >= 0.97
