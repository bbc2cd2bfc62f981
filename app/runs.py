"""Run specs, run ids and the execution of a run, frame by frame.

A run is a pure function of its spec: the dataset, the initial weights and the order of
the minibatches all come from seeds derived from ``spec.seed``, so replaying a spec gives
the same losses and the same weights, bit for bit. Only the measured compute time differs
between two executions. That is what lets a dropped stream resume on any process (replay
to the last frame the client saw, then go on) and lets predict rebuild an evicted model.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.ml.datasets import DATA_BOX, Dataset, make_dataset
from app.ml.models.mlp import MLP
from app.ml.optimizers import OPTIMIZERS
from app.ml.surface import decision_surface
from app.ml.training import StepRecord, train_steps

# Frames are what the reader sees; more than this many adds bandwidth, not insight.
MAX_FRAMES = 100
# A decision-surface snapshot every few frames keeps the picture live at a fraction of the bytes.
SURFACE_EVERY = 4
SURFACE_RESOLUTION = 40
# Frames per second while watching, per speed; the numbers do not depend on it.
FRAMES_PER_SECOND: dict[str, float] = {"slow": 8.0, "normal": 20.0, "fast": 50.0}


def _json_integer(value: object) -> object:
    """Integers as JSON Schema counts them: 5 and 5.0, but not true or "5"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Strict numbers: JSON true/false and numeric strings are refused, not quietly converted.
JsonInt = Annotated[int, BeforeValidator(_json_integer), Field(strict=True)]
# Constraints before the validator, or the JSON schema shows them as raw "ge"/"le" keys.
HiddenLayer = Annotated[int, Field(strict=True, ge=1, le=64), BeforeValidator(_json_integer)]


class RunSpec(BaseModel):
    """Everything that determines a run. Same spec, same numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Literal["mlp"] = Field(description="Which model to train.")
    dataset: Literal["moons", "circles", "spiral", "xor"] = Field(
        "moons", description="The 2-D pattern the classifier learns."
    )
    n_samples: JsonInt = Field(
        300, ge=20, le=2000, description="Points generated, before the split."
    )
    noise: float = Field(
        0.15, strict=True, ge=0.0, le=1.0, description="How blurred the pattern is (0 = clean)."
    )
    hidden: tuple[HiddenLayer, ...] = Field(
        (16, 16), min_length=1, max_length=4, description="Units in each hidden layer."
    )
    activation: Literal["tanh", "relu"] = Field("tanh", description="Hidden-layer activation.")
    optimizer: Literal["adam", "sgd"] = Field(
        "adam", description="Update rule (SGD has momentum 0.9)."
    )
    learning_rate: float = Field(
        0.01, strict=True, gt=0.0, le=100.0, description="Step size; too high and the run diverges."
    )
    batch_size: JsonInt = Field(32, ge=1, le=512, description="Examples per training step.")
    steps: JsonInt = Field(400, ge=1, le=100_000, description="Training steps (updates).")
    seed: JsonInt = Field(7, ge=0, le=2**31 - 1, description="Seed for data, weights and batches.")
    pace: Literal["watch", "instant"] = Field(
        "watch", description="'watch' paces frames for the eye; 'instant' sends them as computed."
    )
    speed: Literal["slow", "normal", "fast"] = Field(
        "normal", description="Frame rate while watching (8, 20 or 50 frames a second)."
    )

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def run_id_for(spec: RunSpec) -> str:
    """The run id is derived from the spec, so the same spec always names the same run."""
    return hashlib.sha256(spec.canonical_json().encode()).hexdigest()[:16]


def frame_steps(steps: int) -> list[int]:
    """The step after which each frame is sent: evenly spread, the last one at ``steps``."""
    n_frames = min(steps, MAX_FRAMES)
    return [math.ceil(i * steps / n_frames) for i in range(1, n_frames + 1)]


@dataclass(frozen=True)
class Frame:
    index: int  # 1-based; also the SSE event id
    step: int
    loss: float
    val_loss: float
    accuracy: float
    val_accuracy: float
    examples_seen: int
    flops: int
    compute_ns: int
    surface: list[list[float]] | None

    def payload(self, steps: int) -> dict[str, object]:
        return {
            "frame": self.index,
            "step": self.step,
            "steps": steps,
            "loss": self.loss,
            "val_loss": self.val_loss,
            "accuracy": self.accuracy,
            "val_accuracy": self.val_accuracy,
            "counters": {
                "steps": self.step,
                "examples_seen": self.examples_seen,
                "flops": self.flops,
                "compute_ns": self.compute_ns,
            },
            "surface": self.surface,
        }


@dataclass(frozen=True)
class Divergence:
    step: int
    loss: float | None  # None when the loss was not a finite number
    examples_seen: int
    flops: int
    compute_ns: int


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _rounded_surface(model: MLP) -> list[list[float]]:
    return np.round(decision_surface(model, SURFACE_RESOLUTION), 3).tolist()  # type: ignore[no-any-return]


class Execution:
    """Runs one spec forward, one frame at a time. Not thread-safe; one consumer."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.dataset: Dataset = make_dataset(spec.dataset, spec.n_samples, spec.noise, spec.seed)
        self.model = MLP((2, *spec.hidden, self.dataset.n_classes), spec.activation, spec.seed + 1)
        optimizer = OPTIMIZERS[spec.optimizer](learning_rate=spec.learning_rate)
        self._records: Iterator[StepRecord] = train_steps(
            self.model, self.dataset, optimizer, spec.steps, spec.batch_size, spec.seed + 2
        )
        self.plan = frame_steps(spec.steps)
        self.frames_sent = 0
        self.last: StepRecord | None = None
        self.divergence: Divergence | None = None

    @property
    def finished(self) -> bool:
        return self.divergence is not None or self.frames_sent >= len(self.plan)

    def advance(self, with_surface: bool = True) -> Frame | Divergence:
        """Train up to the next frame boundary; the frame, or the divergence that ended the run."""
        target = self.plan[self.frames_sent]
        for record in self._records:
            self.last = record
            if record.diverged:
                self.divergence = Divergence(
                    step=record.step,
                    loss=_finite_or_none(record.batch_loss),
                    examples_seen=record.examples_seen,
                    flops=record.flops,
                    compute_ns=record.compute_ns,
                )
                return self.divergence
            if record.step >= target:
                break
        assert self.last is not None
        self.frames_sent += 1
        index = self.frames_sent
        data = self.dataset
        want_surface = with_surface and (index % SURFACE_EVERY == 1 or index == len(self.plan))
        return Frame(
            index=index,
            step=self.last.step,
            loss=self.model.loss(data.x_train, data.y_train),
            val_loss=self.model.loss(data.x_val, data.y_val),
            accuracy=self.model.accuracy(data.x_train, data.y_train),
            val_accuracy=self.model.accuracy(data.x_val, data.y_val),
            examples_seen=self.last.examples_seen,
            flops=self.last.flops,
            compute_ns=self.last.compute_ns,
            surface=_rounded_surface(self.model) if want_surface else None,
        )

    def flops_per_step(self) -> int:
        batch = min(self.spec.batch_size, len(self.dataset.y_train))
        return self.model.flops_forward(batch) + self.model.flops_backward(batch)

    def start_payload(self) -> dict[str, object]:
        """What a client needs before the first frame: the data to plot and the run's shape."""
        data = self.dataset
        return {
            "steps": self.spec.steps,
            "frames": len(self.plan),
            "n_parameters": self.model.n_parameters,
            "inference_flops_per_query": self.model.flops_forward(1),
            "box": list(DATA_BOX),
            "surface_resolution": SURFACE_RESOLUTION,
            "train": {"x": np.round(data.x_train, 4).tolist(), "y": data.y_train.tolist()},
            "val": {"x": np.round(data.x_val, 4).tolist(), "y": data.y_val.tolist()},
        }


@dataclass(frozen=True)
class TrainedRun:
    """The end of a run: a frozen model, or the divergence that left none."""

    model: MLP | None
    divergence: Divergence | None
    final: Frame | None


def train_to_end(spec: RunSpec) -> TrainedRun:
    """Replay a whole run without pacing or surfaces; used to rebuild a model on demand."""
    execution = Execution(spec)
    last: Frame | None = None
    while not execution.finished:
        outcome = execution.advance(with_surface=False)
        if isinstance(outcome, Divergence):
            return TrainedRun(model=None, divergence=outcome, final=last)
        last = outcome
    return TrainedRun(model=execution.model, divergence=None, final=last)
