"""The execution of a run, frame by frame, for every kind of model.

A run is a pure function of its spec: the dataset, the initial weights and the order of
the minibatches all come from seeds derived from ``spec.seed``, so replaying a spec gives
the same losses and the same weights, bit for bit. Only the measured compute time differs
between two executions. That is what lets a dropped stream resume on any process (replay
to the last frame the client saw, then go on) and lets predict rebuild an evicted model.
A fine-tuning run also depends on its base run's model, itself rebuilt from its own spec.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.ml.optimizers import OPTIMIZERS
from app.ml.training import RunTrainer, StepRecord, step_together
from app.runs.kinds import BATCHES, MinibatchTally, Model, RunSetup, kind_of
from app.runs.specs import AnySpec, frame_steps

# A snapshot of the model (decision map, fitted line, sample sentence) every few frames
# keeps the picture live (four a second at the normal pace) at a fraction of the work.
SNAPSHOT_EVERY = 5


@dataclass(frozen=True)
class Frame:
    index: int  # 1-based; also the SSE event id
    step: int
    metrics: dict[str, float | None]
    examples_seen: int
    flops: int
    compute_ns: int
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def loss(self) -> float | None:
        return self.metrics["loss"]

    @property
    def val_loss(self) -> float | None:
        return self.metrics["val_loss"]

    @property
    def val_accuracy(self) -> float | None:
        return self.metrics.get("val_accuracy")

    def payload(self, steps: int) -> dict[str, object]:
        return {
            "frame": self.index,
            "step": self.step,
            "steps": steps,
            **self.metrics,
            "counters": {
                "steps": self.step,
                "examples_seen": self.examples_seen,
                "flops": self.flops,
                "compute_ns": self.compute_ns,
            },
            "surface": None,
            **self.snapshot,
        }


@dataclass(frozen=True)
class Divergence:
    step: int
    loss: float | None  # None when the loss was not a finite number
    examples_seen: int
    flops: int
    compute_ns: int


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


class Execution:
    """Runs one spec forward, one frame at a time. Not thread-safe; one consumer.

    ``base`` is the trained model a fine-tuning spec starts from (None otherwise).
    """

    def __init__(self, spec: AnySpec, base: Model | None = None) -> None:
        self.spec = spec
        self.kind = kind_of(spec)
        self.setup: RunSetup = self.kind.build(spec, base)
        optimizer = OPTIMIZERS[spec.optimizer](learning_rate=spec.learning_rate)
        self.trainer = RunTrainer(
            self.model, self.setup.data, optimizer, spec.steps, spec.batch_size, spec.seed + BATCHES
        )
        self.plan = frame_steps(spec.steps)
        self.frames_sent = 0
        self.last: StepRecord | None = None
        self.divergence: Divergence | None = None
        self._tally = MinibatchTally()

    @property
    def model(self) -> Model:
        return self.setup.model

    @property
    def finished(self) -> bool:
        return self.divergence is not None or self.frames_sent >= len(self.plan)

    def advance(self, with_snapshot: bool = True) -> Frame | Divergence:
        """Train up to the next frame boundary; the frame, or the divergence that ended the run.

        ``with_snapshot=False`` skips the snapshot (a replay nobody will see).
        """
        return advance_together([self], [with_snapshot])[0]

    def _take(self, record: StepRecord) -> bool:
        """Note one step's record; True once this frame needs no more steps."""
        n = record.examples_seen - (self.last.examples_seen if self.last else 0)
        self._tally.add(n, record.batch_loss, record.batch_hits)
        self.last = record
        if record.diverged:
            self.divergence = Divergence(
                step=record.step,
                loss=_finite_or_none(record.batch_loss),
                examples_seen=record.examples_seen,
                flops=record.flops,
                compute_ns=record.compute_ns,
            )
            return True
        return record.step >= self.plan[self.frames_sent]

    def _frame(self, metrics: dict[str, float | None], snapshot: dict[str, Any]) -> Frame:
        assert self.last is not None
        self.frames_sent += 1
        self._tally = MinibatchTally()
        return Frame(
            index=self.frames_sent,
            step=self.last.step,
            metrics={k: _finite_or_none(v) for k, v in metrics.items()},
            examples_seen=self.last.examples_seen,
            flops=self.last.flops,
            compute_ns=self.last.compute_ns,
            snapshot=snapshot,
        )

    def shows_snapshot(self, with_snapshot: bool) -> bool:
        """Whether the next frame carries a snapshot: every few frames, and the last."""
        index = self.frames_sent + 1
        return with_snapshot and (index % SNAPSHOT_EVERY == 1 or index == len(self.plan))

    def flops_per_step(self) -> int:
        batch = min(self.spec.batch_size, len(self.setup.data.y_train))
        model = self.model
        return int(model.flops_forward(batch) + model.flops_backward(batch))

    def start_payload(self) -> dict[str, object]:
        """What a client needs before the first frame: the run's shape and what to plot."""
        return {
            "model": self.spec.model,
            "steps": self.spec.steps,
            "frames": len(self.plan),
            "n_parameters": self.model.n_parameters,
            "inference_flops_per_query": self.model.flops_forward(1),
            **self.kind.start(self.setup),
        }


def advance_together(
    executions: Sequence[Execution], with_snapshot: Sequence[bool]
) -> list[Frame | Divergence]:
    """Advance each execution (none finished) to its next frame, training them together.

    Runs that can stack (see app.ml.training.step_together) take each optimizer step as
    one computation, and runs of one kind are measured and pictured together (see
    ModelKind.metrics_many), so a class training at once pays numpy's per-call overhead
    once per group rather than once per learner. Each run's numbers are the same bits
    as if it had been advanced alone.
    """
    outcomes: list[Frame | Divergence | None] = [None] * len(executions)
    training = list(range(len(executions)))
    while training:
        records = step_together([executions[i].trainer for i in training])
        still: list[int] = []
        for i, record in zip(training, records, strict=True):
            if not executions[i]._take(record):
                still.append(i)
        training = still

    by_kind: dict[int, list[int]] = {}
    for i, execution in enumerate(executions):
        if execution.divergence is not None:
            outcomes[i] = execution.divergence
        else:
            by_kind.setdefault(id(execution.kind), []).append(i)
    for members in by_kind.values():
        kind = executions[members[0]].kind
        metrics = kind.metrics_many(
            [executions[i].setup for i in members], [executions[i]._tally for i in members]
        )
        pictured = [i for i in members if executions[i].shows_snapshot(with_snapshot[i])]
        snapshots = kind.snapshot_many([executions[i].setup for i in pictured])
        snapshot_of = dict(zip(pictured, snapshots, strict=True))
        for i, values in zip(members, metrics, strict=True):
            outcomes[i] = executions[i]._frame(values, snapshot_of.get(i, {}))
    return [outcome for outcome in outcomes if outcome is not None]


@dataclass(frozen=True)
class TrainedRun:
    """The end of a run: a frozen model (and its data), or the divergence that left none."""

    model: Model | None
    divergence: Divergence | None
    final: Frame | None
    setup: RunSetup | None = None


def train_to_end(spec: AnySpec, base: Model | None = None) -> TrainedRun:
    """Replay a whole run without pacing or snapshots; used to rebuild a model on demand."""
    execution = Execution(spec, base)
    last: Frame | None = None
    while not execution.finished:
        outcome = execution.advance(with_snapshot=False)
        if isinstance(outcome, Divergence):
            return TrainedRun(None, outcome, last, execution.setup)
        last = outcome
    return TrainedRun(execution.model, None, last, execution.setup)
