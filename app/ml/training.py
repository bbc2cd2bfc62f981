"""The training loop: a lazy, deterministic stream of minibatch steps.

``train_steps`` is a pure function of its arguments (given a fresh model and a fresh
optimizer): replaying k steps from scratch reproduces the first k records and the
weights bit for bit, so a caller can stop early and rebuild any step later.

It trains any ``TrainableModel`` (app.ml.models.base) on a ``DataSplit`` whose inputs
are float features or int token ids and whose targets are int classes or float values.
Fine-tuning is the same loop started from a copy of a trained model (``fine_tune``).

A run's state is a ``RunTrainer``; ``step_together`` steps several at once, MLPs of one
shape as one stacked computation (a class training together), and ``train_steps`` is a
run stepped alone. A run's records and weights are the same either way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import DataSplit
from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS, TrainableModel
from app.ml.models.mlp import MLP, stacked_loss_and_grads
from app.ml.optimizers import Optimizer

# The classifiers' threshold (cross-entropy; see app.ml.models.base). Each model carries
# its own as ``divergence_loss``: the regression's mean squared error has another scale.
DIVERGENCE_LOSS = CROSS_ENTROPY_DIVERGENCE_LOSS

# Constrained, so mypy checks the loop once per array kind it really meets.
Inputs = TypeVar("Inputs", NDArray[np.float64], NDArray[np.int64])
Targets = TypeVar("Targets", NDArray[np.float64], NDArray[np.int64])
Model = TypeVar("Model", bound=TrainableModel[Any, Any])


@dataclass(slots=True)
class StepRecord:
    """One optimizer step (a value: nothing changes a record once made).

    Not declared frozen: a frozen dataclass takes several times as long to create
    ("StepRecord is not frozen" in docs/benchmarks-history.md), and a class training
    together makes one per learner per step.

    flops counts forward + loss + backward + optimizer update, cumulative from step 1
    (see app.ml.models.mlp for the convention). compute_ns is the only field that
    is measured rather than computed, so the only one that differs between replays.
    """

    step: int
    batch_loss: float
    examples_seen: int
    flops: int
    compute_ns: int
    diverged: bool
    # Minibatch examples the model classified right before the update; None where the
    # training step does not count them (only the stacked MLP step does).
    batch_hits: int | None = None


def minibatches(n: int, batch_size: int, seed: int) -> Iterator[NDArray[np.intp]]:
    """Endless index batches over range(n), each of min(batch_size, n) indices.

    Each epoch is a fresh permutation, read in order; a batch that reaches the end of one
    epoch takes the rest of its rows from the start of the next. Every example is seen
    once per epoch, and every step sees the same number of examples, so runs on the same
    settings stack (step_together) wherever they are in their epochs.
    """
    indices = np.arange(n)
    for _, batch in _shuffled_batches(indices, indices, batch_size, seed):
        yield batch


# Epochs shuffled and gathered at a time: the gathering's fixed cost, paid every few
# steps otherwise, is then paid every fifty or so (210 rows, batches of 32).
EPOCHS_AHEAD = 8


def _shuffled_batches(x: Any, y: Any, batch_size: int, seed: int) -> Iterator[tuple[Any, Any]]:
    """The minibatches of ``minibatches``, as (x, y) rows of each epoch's shuffled copy.

    One shuffle per epoch, drawn in order from one generator. The rows not yet used are
    kept with the next epochs' behind them, so every batch is a cheap view.
    """
    n = len(y)
    size = min(batch_size, n)
    rng = np.random.default_rng(seed)
    x_rows, y_rows = x[:0], y[:0]
    at = 0
    while True:
        if at + size > len(y_rows):
            order = np.concatenate([rng.permutation(n) for _ in range(EPOCHS_AHEAD)])
            x_rows = np.concatenate([x_rows[at:], x[order]])
            y_rows = np.concatenate([y_rows[at:], y[order]])
            at = 0
        yield x_rows[at : at + size], y_rows[at : at + size]
        at += size


class RunTrainer:
    """One run's training state: its model, optimizer, batch order and running counts.

    ``step_together`` advances it, alone or with other runs'. Given a fresh model and a
    fresh optimizer, its records are a pure function of the arguments, whichever runs
    it stepped with (each run's arithmetic is its own; see step_together).
    """

    def __init__(
        self,
        model: TrainableModel[Any, Any],
        dataset: DataSplit[Any, Any],
        optimizer: Optimizer,
        steps: int,
        batch_size: int,
        seed: int,
    ) -> None:
        if steps < 0 or batch_size < 1:
            raise ValueError(f"need steps >= 0 and batch_size >= 1, got {steps}, {batch_size}")
        self.model = model
        self.optimizer = optimizer
        x, y = dataset.x_train, dataset.y_train
        self.steps = steps
        self._batches = _shuffled_batches(x, y, batch_size, seed)
        self.step = self.examples_seen = self.flops = self.compute_ns = 0
        self.diverged = False
        self._flops: dict[tuple[int, bool], int] = {}
        self.stack: _Stack | None = None  # set while it steps with others (_step_stacked)
        # What runs must share to step as one stack (every batch has the same size); None
        # for a model that steps alone.
        self.stack_key: tuple[object, ...] | None = None
        if isinstance(model, MLP):
            size = min(batch_size, len(y))
            self.stack_key = (
                model.layer_sizes,
                model.activation,
                type(optimizer),
                size,
                x.shape[1:],
            )

    @property
    def finished(self) -> bool:
        return self.diverged or self.step >= self.steps

    def next_batch(self) -> tuple[Any, Any]:
        """The next minibatch's inputs and targets."""
        return next(self._batches)

    def record(
        self, n: int, loss: float, updated: bool, finite: bool, ns: int, hits: int | None = None
    ) -> StepRecord:
        """Count one step of n examples and return its record."""
        flops = self._flops.get((n, updated))
        if flops is None:
            model = self.model
            flops = model.flops_forward(n) + model.flops_loss(n) + model.flops_backward(n)
            if updated:
                flops += self.optimizer.flops_per_update(model.n_parameters)
            self._flops[(n, updated)] = flops
        self.step += 1
        self.examples_seen += n
        self.flops += flops
        self.compute_ns += ns
        self.diverged = not updated or not finite
        return StepRecord(
            self.step, loss, self.examples_seen, self.flops, self.compute_ns, self.diverged, hits
        )


def _accepts(loss: float, limit: float) -> bool:
    # A blown-up loss would only push the weights further: skip that update.
    return math.isfinite(loss) and loss <= limit


def _step_alone(trainer: RunTrainer) -> StepRecord:
    start = time.perf_counter_ns()
    x, y = trainer.next_batch()
    model = trainer.model
    loss, grads = model.loss_and_grads(x, y)
    updated = _accepts(loss, model.divergence_loss)
    if updated:
        trainer.optimizer.update(model.params, grads)
    finite = all(bool(np.isfinite(p).all()) for p in model.params)
    return trainer.record(len(y), loss, updated, finite, time.perf_counter_ns() - start)


class _Stack:
    """Where runs that step together keep their weights and optimizer state: as rows of
    shared arrays, row r for ``members[r]``.

    A class steps together for hundreds of steps in the same company, so its weights and
    moments are stacked once and updated in place, instead of being stacked and copied
    back on every step. A group that differs from the last (a run joined, finished or
    left) is stacked anew. A group of one uses views of its own arrays.
    """

    def __init__(self, trainers: Sequence[RunTrainer]) -> None:
        self.members = tuple(trainers)
        models: list[MLP] = [t.model for t in trainers]  # type: ignore[misc]
        optimizers = [t.optimizer for t in trainers]
        size = models[0].n_parameters
        if len(models) == 1:
            self.rows = models[0].flat[None]
        else:
            self.rows = np.empty((len(models), size))
            for model, row in zip(models, self.rows, strict=True):
                model.move_weights_to(row)
        self.states = optimizers[0].stack_states(optimizers, size)
        for trainer in trainers:
            trainer.stack = self

    @classmethod
    def of(cls, trainers: Sequence[RunTrainer]) -> _Stack:
        """The stack the trainers already share, in this order, or a new one."""
        current = trainers[0].stack
        # Each must still keep its rows there: a member may have moved to another stack.
        if (
            current is not None
            and current.members == tuple(trainers)
            and all(t.stack is current for t in trainers)
        ):
            return current
        return cls(trainers)


def _release(trainer: RunTrainer) -> None:
    """A finished run keeps its weights to itself: a cached model must not hold its old
    class's whole stack in memory, nor share arrays with anyone."""
    trainer.stack = None
    trainer.model.release_weights()  # type: ignore[attr-defined]
    trainer.optimizer.release_state()


def _step_stacked(trainers: list[RunTrainer], batches: list[tuple[Any, Any]]) -> list[StepRecord]:
    """One step for MLPs of one shape, optimizer and batch size, as one computation.

    The measured time is shared equally: each run did the same arithmetic.
    """
    start = time.perf_counter_ns()
    stack = _Stack.of(trainers)
    first: MLP = trainers[0].model  # type: ignore[assignment]
    if len(trainers) == 1:
        x, y = batches[0][0][None], batches[0][1][None]
    else:
        x = np.stack([batch[0] for batch in batches])
        y = np.stack([batch[1] for batch in batches])
    rows = stack.rows
    losses, grads, hits = stacked_loss_and_grads(rows, first.layer_sizes, first.activation, x, y)
    # _accepts for every row at once: a finite loss no higher than the limit.
    accepted = (np.isfinite(losses) & (losses <= first.divergence_loss)).tolist()
    keep = [r for r, ok in enumerate(accepted) if ok]
    optimizers = [trainers[r].optimizer for r in keep]
    if len(keep) == len(trainers):
        # Usually every run's loss is fine and the whole stack updates in place.
        optimizers[0].update_rows(optimizers, rows, grads, stack.states)
    elif keep:
        # The rest skip this update: step a copy of the others' rows, then put it back.
        kept, states = rows[keep], [state[keep] for state in stack.states]
        optimizers[0].update_rows(optimizers, kept, grads[keep], states)
        rows[keep] = kept
        for state, part in zip(stack.states, states, strict=True):
            state[keep] = part
    finite = np.logical_and.reduce(np.isfinite(rows), axis=1)
    share = (time.perf_counter_ns() - start) // len(trainers)
    n = len(batches[0][1])
    records = [
        trainer.record(n, loss, ok, fin, share, hit)
        for trainer, loss, ok, fin, hit in zip(
            trainers, losses.tolist(), accepted, finite.tolist(), hits.tolist(), strict=True
        )
    ]
    for trainer in trainers:
        if trainer.finished:
            _release(trainer)
    return records


def step_together(trainers: Sequence[RunTrainer]) -> list[StepRecord]:
    """One optimizer step for each trainer (none finished), in the order given.

    MLPs of the same shape, activation and optimizer whose minibatches have the same
    size step as one stacked computation: numpy's per-call overhead, which dominates a
    step of a small network, is paid once for the group instead of once per run. Each
    run's rows are computed by the same operations as when it steps alone (a group of
    one), so a run's weights and losses never depend on which runs it trained beside.
    """
    records: list[StepRecord | None] = [None] * len(trainers)
    groups: dict[tuple[object, ...], list[tuple[int, tuple[Any, Any]]]] = {}
    finished = [trainer.step for trainer in trainers if trainer.finished]
    if finished:  # refused before any trainer draws its next batch
        raise ValueError(f"run at step {finished[0]} has nothing left to train")
    for position, trainer in enumerate(trainers):
        key = trainer.stack_key
        if key is None:
            records[position] = _step_alone(trainer)
            continue
        groups.setdefault(key, []).append((position, trainer.next_batch()))
    for members in groups.values():
        group = [trainers[position] for position, _ in members]
        stepped = _step_stacked(group, [batch for _, batch in members])
        for (position, _), record in zip(members, stepped, strict=True):
            records[position] = record
    return [record for record in records if record is not None]


def train_steps(
    model: TrainableModel[Inputs, Targets],
    dataset: DataSplit[Inputs, Targets],
    optimizer: Optimizer,
    steps: int,
    batch_size: int,
    seed: int,
) -> Iterator[StepRecord]:
    """Train ``model`` in place for up to ``steps`` steps, yielding a record after each.

    batch_loss is the minibatch loss before that step's update. Stops after yielding
    a record with diverged=True when the loss exceeds ``model.divergence_loss``
    (DIVERGENCE_LOSS for the classifiers) or the loss or the updated weights are not
    finite.
    """
    trainer = RunTrainer(model, dataset, optimizer, steps, batch_size, seed)
    while not trainer.finished:
        yield step_together([trainer])[0]


def fine_tune(
    base: Model,
    dataset: DataSplit[Any, Any],
    optimizer: Optimizer,
    steps: int,
    batch_size: int,
    seed: int,
) -> tuple[Model, Iterator[StepRecord]]:
    """A copy of the trained ``base`` and the step stream that trains the copy on ``dataset``.

    ``base`` is never touched: the copy starts from its weights, so the new data only has
    to teach the difference. Use a fresh optimizer (its moments belong to one run). The
    records count this run's FLOPs from zero; the base's own training cost is not in them.
    """
    model = base.copy()
    return model, train_steps(model, dataset, optimizer, steps, batch_size, seed)
