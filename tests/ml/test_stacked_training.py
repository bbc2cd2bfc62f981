"""Several MLPs trained as one stacked computation: each row is the same bits as alone."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from app.ml.datasets import Dataset, make_dataset
from app.ml.losses import softmax_inplace
from app.ml.models.mlp import MLP, stacked_logits, stacked_loss_and_grads
from app.ml.optimizers import SGD, Adam, Optimizer
from app.ml.training import RunTrainer, StepRecord, step_together, train_steps

SHAPES = [(2, 16, 16, 2), (2, 5, 3), (4, 8, 8, 8, 3)]
ACTIVATIONS = ["tanh", "relu"]


@pytest.fixture(scope="module")
def moons() -> Dataset:
    return make_dataset("moons", 300, 0.15, seed=0)


@pytest.fixture(scope="module")
def circles() -> Dataset:
    return make_dataset("circles", 300, 0.15, seed=1)


def _models(shape: tuple[int, ...], activation: str, count: int) -> list[MLP]:
    return [MLP(shape, activation, seed=100 + r) for r in range(count)]


def _batches(
    shape: tuple[int, ...], count: int, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, n, shape[0]))
    y = rng.integers(0, shape[-1], size=(count, n)).astype(np.int64)
    return x, y


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("count", [1, 3, 7])
def test_stacked_loss_and_grads_equal_stacks_of_one_bit_for_bit(
    shape: tuple[int, ...], activation: str, count: int
) -> None:
    models = _models(shape, activation, count)
    rows = np.stack([m.flat for m in models])
    x, y = _batches(shape, count, 29, seed=count)
    losses, grads, hits = stacked_loss_and_grads(rows, shape, activation, x, y)
    assert losses.shape == (count,)
    assert grads.shape == (count, models[0].n_parameters)
    assert hits.shape == (count,)
    for r, model in enumerate(models):
        one_loss, one_grads, one_hits = stacked_loss_and_grads(
            model.flat[None].copy(), shape, activation, x[r : r + 1], y[r : r + 1]
        )
        np.testing.assert_array_equal(losses[r : r + 1], one_loss)
        np.testing.assert_array_equal(grads[r : r + 1], one_grads)
        np.testing.assert_array_equal(hits[r : r + 1], one_hits)
        # Hits counted independently, from the inference path's probabilities.
        expected_hits = int(np.sum(model.predict_proba(x[r]).argmax(axis=1) == y[r]))
        assert int(hits[r]) == expected_hits
        # The single-model API is the stack of one.
        loss, param_grads = model.loss_and_grads(x[r], y[r])
        assert loss == float(one_loss[0])
        np.testing.assert_array_equal(np.concatenate([g.ravel() for g in param_grads]), grads[r])
    # The inputs were not touched.
    np.testing.assert_array_equal(rows, np.stack([m.flat for m in models]))


def test_hits_score_tied_classes_like_argmax_and_accuracy() -> None:
    # All-zero weights (what dead ReLU units give too): every class has the same logit,
    # argmax picks class 0, and the model's accuracy counts only the rows labelled 0.
    shape = (2, 5, 3)
    model = MLP(shape, "relu", seed=0)
    model.flat[...] = 0.0
    x, y = _batches(shape, 1, 30, seed=2)
    _, _, hits = stacked_loss_and_grads(model.flat[None], shape, "relu", x, y)
    assert 0 < int(np.sum(y[0] == 0)) < 30
    assert int(hits[0]) == int(np.sum(y[0] == 0))
    assert int(hits[0]) == round(model.accuracy(x[0], y[0]) * 30)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_row_does_not_depend_on_what_the_other_rows_hold(activation: str) -> None:
    shape = (2, 16, 16, 2)
    models = _models(shape, activation, 5)
    rows = np.stack([m.flat for m in models])
    x, y = _batches(shape, 5, 32, seed=11)
    losses, grads, hits = stacked_loss_and_grads(rows, shape, activation, x, y)

    # Other rows with wild weights (huge, NaN) and other data: row 2 is unchanged.
    other_rows = rows.copy()
    other_rows[[0, 1, 3]] *= 1e6
    other_rows[4] = np.nan
    other_x, other_y = x.copy(), y.copy()
    other_x[[0, 1, 3, 4]] = np.random.default_rng(5).normal(size=(4, 32, 2)) * 50
    other_y[[0, 1, 3, 4]] = 1 - other_y[[0, 1, 3, 4]]
    with np.errstate(all="ignore"):
        other_losses, other_grads, other_hits = stacked_loss_and_grads(
            other_rows, shape, activation, other_x, other_y
        )
    assert other_losses[2] == losses[2]
    np.testing.assert_array_equal(other_grads[2], grads[2])
    assert other_hits[2] == hits[2]


def _stacked_proba(
    rows: np.ndarray, shape: tuple[int, ...], activation: str, x: np.ndarray
) -> np.ndarray:
    """Class probabilities (R, n, k) of R models: the softmax of their stacked logits."""
    return softmax_inplace(stacked_logits(rows, shape, activation, x))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_stacked_logits_softmax_matches_predict_proba_and_stacks_of_one(
    shape: tuple[int, ...], activation: str
) -> None:
    count = 7
    models = _models(shape, activation, count)
    rows = np.stack([m.flat for m in models])
    x, _ = _batches(shape, count, 41, seed=3)
    shared = x[0]
    per_model = _stacked_proba(rows, shape, activation, x)
    together_shared = _stacked_proba(rows, shape, activation, shared)
    assert per_model.shape == (count, 41, shape[-1])
    assert together_shared.shape == (count, 41, shape[-1])
    for r, model in enumerate(models):
        np.testing.assert_allclose(per_model[r], model.predict_proba(x[r]), rtol=1e-12)
        np.testing.assert_allclose(together_shared[r], model.predict_proba(shared), rtol=1e-12)
        alone = _stacked_proba(model.flat[None], shape, activation, x[r : r + 1])
        np.testing.assert_array_equal(per_model[r : r + 1], alone)
        alone_shared = _stacked_proba(model.flat[None], shape, activation, shared)
        np.testing.assert_array_equal(together_shared[r : r + 1], alone_shared)
    np.testing.assert_allclose(per_model.sum(axis=-1), 1.0, rtol=1e-12)


# (learning rate, SGD momentum) per row: one run; runs on different settings; a class on
# the same settings (the per-run scalars are then one number for every row).
SETTINGS = [
    [(0.01, 0.9)],
    [(0.01, 0.9), (0.3, 0.5)],
    [(0.01, 0.9), (0.3, 0.5), (1e-4, 0.0), (0.05, 0.99), (2.0, 0.9)],
    [(0.02, 0.9)] * 4,
]


def _optimizers(kind: Any, settings: list[tuple[float, float]]) -> list[Any]:
    if kind is SGD:
        return [SGD(rate, momentum=momentum) for rate, momentum in settings]
    return [Adam(rate) for rate, _ in settings]


@pytest.mark.parametrize("kind", [SGD, Adam])
@pytest.mark.parametrize("settings", SETTINGS)
def test_update_rows_equals_update_per_optimizer_bit_for_bit(
    kind: Any, settings: list[tuple[float, float]]
) -> None:
    count = len(settings)
    row_optimizers, alone_optimizers = _optimizers(kind, settings), _optimizers(kind, settings)
    rng = np.random.default_rng(count)
    size = 37
    rows = rng.normal(size=(count, size))
    alone_params = [row.copy() for row in rows]
    # Runs that started earlier: their own steps first, so Adam's step counts differ by row.
    for r in range(count):
        for _ in range(r % 3):
            grad = rng.normal(size=(1, size))
            kind.update_rows([row_optimizers[r]], rows[r : r + 1], grad)
            alone_optimizers[r].update([alone_params[r]], [grad[0].copy()])
    for _ in range(6):
        grads = rng.normal(size=(count, size)) * rng.uniform(0.01, 10.0, size=(count, 1))
        kind.update_rows(row_optimizers, rows, grads)
        for r, optimizer in enumerate(alone_optimizers):
            optimizer.update([alone_params[r]], [grads[r].copy()])
        for r in range(count):
            np.testing.assert_array_equal(rows[r], alone_params[r])
    # The states are the same bits as well, kept as one flat vector each.
    names = ["velocities"] if kind is SGD else ["first_moments", "second_moments"]
    for together, alone in zip(row_optimizers, alone_optimizers, strict=True):
        for name in names:
            state = getattr(together, name)
            assert len(state) == 1
            np.testing.assert_array_equal(state[0], getattr(alone, name)[0])
        if kind is Adam:
            assert together.t == alone.t >= 6


# -- step_together ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    seed: int
    optimizer: str = "adam"
    learning_rate: float = 0.01
    hidden: tuple[int, ...] = (16, 16)
    batch_size: int = 32
    steps: int = 30
    dataset: str = "moons"
    start: int = 0  # the tick this run joins the others


def _optimizer(config: Config) -> Optimizer:
    if config.optimizer == "sgd":
        return SGD(config.learning_rate)
    return Adam(config.learning_rate)


def _parts(config: Config, data: dict[str, Dataset]) -> tuple[MLP, Dataset, Optimizer]:
    model = MLP((2, *config.hidden, 2), "tanh", seed=config.seed)
    return model, data[config.dataset], _optimizer(config)


def _alone(config: Config, data: dict[str, Dataset]) -> tuple[list[StepRecord], str]:
    model, dataset, optimizer = _parts(config, data)
    records = list(
        train_steps(model, dataset, optimizer, config.steps, config.batch_size, config.seed)
    )
    return records, model.fingerprint()


def _trainers(configs: list[Config], data: dict[str, Dataset]) -> list[RunTrainer]:
    trainers = []
    for config in configs:
        model, dataset, optimizer = _parts(config, data)
        trainers.append(
            RunTrainer(model, dataset, optimizer, config.steps, config.batch_size, config.seed)
        )
    return trainers


def _together(
    configs: list[Config], data: dict[str, Dataset]
) -> tuple[list[list[StepRecord]], list[str], list[list[StepRecord]]]:
    """Each run's records and fingerprint, all stepped together; and every tick's records."""
    trainers = _trainers(configs, data)
    records: list[list[StepRecord]] = [[] for _ in configs]
    ticks: list[list[StepRecord]] = []
    tick = 0
    while not all(t.finished for t in trainers):
        active = [i for i, t in enumerate(trainers) if not t.finished and configs[i].start <= tick]
        stepped = step_together([trainers[i] for i in active])
        assert len(stepped) == len(active)
        for i, record in zip(active, stepped, strict=True):
            records[i].append(record)
        ticks.append(stepped)
        tick += 1
    return records, [t.model.fingerprint() for t in trainers], ticks


def _without_timing(records: list[StepRecord]) -> list[StepRecord]:
    return [dataclasses.replace(record, compute_ns=0) for record in records]


@pytest.fixture(scope="module")
def data(moons: Dataset, circles: Dataset) -> dict[str, Dataset]:
    return {"moons": moons, "circles": circles}


# Runs that join late, finish early, or differ in optimizer, shape or batch size: the
# groups change from tick to tick. Their batches straddle epoch ends (210 training points
# are not a whole number of 32s or 18s) at different ticks, and still stack.
MIXED = [
    Config(seed=1),
    Config(seed=2, start=3),
    Config(seed=3, optimizer="sgd", learning_rate=0.05),
    Config(seed=4, optimizer="sgd", learning_rate=0.1, start=5),
    Config(seed=5, hidden=(8,), learning_rate=0.03, start=2),
    Config(seed=6, batch_size=18, dataset="circles", start=1, steps=25),
]


def test_step_together_gives_each_run_its_records_alone(data: dict[str, Dataset]) -> None:
    records, fingerprints, ticks = _together(MIXED, data)
    for config, got, fingerprint in zip(MIXED, records, fingerprints, strict=True):
        expected, expected_fingerprint = _alone(config, data)
        assert len(got) == config.steps
        assert _without_timing(got) == _without_timing(expected), config
        assert fingerprint == expected_fingerprint, config
        assert all(r.batch_hits is not None and 0 <= r.batch_hits <= 32 for r in got)
        assert all(r.compute_ns > 0 for r in got)
    # The mix really did stack: some tick stepped several runs of one shape together.
    assert any(len(tick) >= 4 for tick in ticks)


def test_a_group_step_charges_each_run_an_equal_share() -> None:
    dataset = make_dataset("moons", 300, 0.15, seed=0)
    trainers = [
        RunTrainer(MLP((2, 16, 16, 2), "tanh", seed=s), dataset, Adam(0.01), 5, 32, s)
        for s in range(4)
    ]
    first = step_together(trainers)
    shares = {record.compute_ns for record in first}
    assert len(shares) == 1 and shares.pop() > 0
    second = step_together(trainers)
    assert all(b.compute_ns > a.compute_ns for a, b in zip(first, second, strict=True))


def test_a_diverging_run_diverges_as_alone_and_leaves_its_group_alone(
    data: dict[str, Dataset],
) -> None:
    configs = [
        Config(seed=1),
        Config(seed=2, learning_rate=1e6),
        Config(seed=3),
        Config(seed=4, start=1),
    ]
    records, fingerprints, ticks = _together(configs, data)
    blown, blown_fingerprint = _alone(configs[1], data)
    assert blown[-1].diverged and len(blown) < configs[1].steps
    assert _without_timing(records[1]) == _without_timing(blown)
    assert fingerprints[1] == blown_fingerprint
    # It diverged inside a group of several (all four share a shape and batch size).
    divergence_tick = next(t for t in ticks if any(r.diverged for r in t))
    assert len(divergence_tick) >= 3
    for i in (0, 2, 3):
        expected, expected_fingerprint = _alone(configs[i], data)
        assert _without_timing(records[i]) == _without_timing(expected)
        assert fingerprints[i] == expected_fingerprint
        assert not any(r.diverged for r in records[i])


def test_a_diverging_sgd_run_in_a_group_matches_alone(data: dict[str, Dataset]) -> None:
    configs = [
        Config(seed=7, optimizer="sgd", learning_rate=0.05),
        Config(seed=8, optimizer="sgd", learning_rate=1e6),
        Config(seed=9, optimizer="sgd", learning_rate=0.05),
    ]
    records, fingerprints, _ = _together(configs, data)
    for config, got, fingerprint in zip(configs, records, fingerprints, strict=True):
        expected, expected_fingerprint = _alone(config, data)
        assert _without_timing(got) == _without_timing(expected), config
        assert fingerprint == expected_fingerprint, config
    assert records[1][-1].diverged and not any(r.diverged for r in records[0] + records[2])


def test_step_together_refuses_a_finished_trainer(moons: Dataset) -> None:
    trainer = RunTrainer(MLP((2, 8, 2), "tanh", seed=0), moons, Adam(0.01), 2, 32, 0)
    step_together([trainer])
    step_together([trainer])
    assert trainer.finished
    with pytest.raises(ValueError, match="nothing left to train"):
        step_together([trainer])
    fresh = RunTrainer(MLP((2, 8, 2), "tanh", seed=1), moons, Adam(0.01), 2, 32, 1)
    with pytest.raises(ValueError, match="nothing left to train"):
        step_together([fresh, trainer])
    # Refused before anything moved: the fresh run goes on exactly as it would have.
    assert fresh.step == 0
    twin = RunTrainer(MLP((2, 8, 2), "tanh", seed=1), moons, Adam(0.01), 2, 32, 1)
    for _ in range(2):
        assert _without_timing(step_together([fresh])) == _without_timing(step_together([twin]))


def _class(count: int, steps: int, dataset: Dataset) -> list[RunTrainer]:
    return [
        RunTrainer(MLP((2, 16, 16, 2), "tanh", seed=s), dataset, Adam(0.01), steps, 32, s)
        for s in range(count)
    ]


def test_a_class_keeps_its_weights_and_moments_in_one_stack_across_steps(
    moons: Dataset,
) -> None:
    trainers = _class(5, 10, moons)
    step_together(trainers)
    stack = trainers[0].stack
    assert stack is not None and all(t.stack is stack for t in trainers)
    step_together(trainers)
    assert all(t.stack is stack for t in trainers)  # the same company: not stacked again
    for row, trainer in enumerate(trainers):
        model, optimizer = trainer.model, trainer.optimizer
        assert isinstance(model, MLP) and isinstance(optimizer, Adam)
        assert np.shares_memory(model.flat, stack.rows[row])
        assert np.shares_memory(optimizer.first_moments[0], stack.states[0][row])
        assert np.shares_memory(optimizer.second_moments[0], stack.states[1][row])
    # Another company, or another order, gets a stack of its own.
    step_together(trainers[::-1])
    assert trainers[0].stack is not stack


def test_a_finished_run_keeps_its_weights_and_moments_to_itself(moons: Dataset) -> None:
    trainers = _class(4, 3, moons)
    trainers[1].steps = 2
    for _ in range(2):
        step_together(trainers)
    done = trainers[1]
    assert done.finished and done.stack is None
    others = [t for t in trainers if t is not done]
    stack = others[0].stack
    assert stack is not None
    assert isinstance(done.model, MLP) and isinstance(done.optimizer, Adam)
    owned = [done.model.flat, *done.optimizer.first_moments, *done.optimizer.second_moments]
    shared = [stack.rows, *stack.states]
    assert not any(np.shares_memory(a, b) for a in owned for b in shared)
    before = done.model.fingerprint()
    step_together(others)  # the rest go on; the finished run's weights do not move
    assert done.model.fingerprint() == before


def test_runs_regrouped_and_reordered_every_step_match_alone(data: dict[str, Dataset]) -> None:
    """Stacks are rebuilt whenever the company or its order changes; the bits never do."""
    configs = [Config(seed=s, steps=20) for s in range(1, 7)]
    trainers = _trainers(configs, data)
    records: list[list[StepRecord]] = [[] for _ in configs]
    for tick in range(configs[0].steps):
        order = list(range(len(trainers)))
        order = order[tick % len(order) :] + order[: tick % len(order)]
        # Every third tick the class splits in two groups; otherwise it steps as one.
        groups = [order[:2], order[2:]] if tick % 3 == 0 else [order]
        for group in groups:
            for i, record in zip(group, step_together([trainers[i] for i in group]), strict=True):
                records[i].append(record)
    for config, got, trainer in zip(configs, records, trainers, strict=True):
        expected, fingerprint = _alone(config, data)
        assert _without_timing(got) == _without_timing(expected), config
        assert trainer.model.fingerprint() == fingerprint


def test_runs_at_different_points_of_their_epochs_step_as_one_group(moons: Dataset) -> None:
    trainers = _class(5, 40, moons)
    for ahead, trainer in enumerate(trainers):
        for _ in range(ahead):  # each run a step further into its epochs
            step_together([trainer])
    restacked = 0
    previous = None
    for _ in range(20):  # every run crosses at least one epoch end (every 7th batch)
        step_together(trainers)
        stack = trainers[0].stack
        assert stack is not None and len(stack.members) == len(trainers)
        restacked += stack is not previous
        previous = stack
    assert restacked == 1  # stacked once, then kept for every step
