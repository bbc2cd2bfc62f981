"""One adapter per kind of model: how to build its run, measure it and show it.

``runs.py`` steps every kind the same way; what differs (the data, the model, what a frame
shows: a decision map, a fitted line, a sample sentence) lives here, one small class each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.ml.datasets import DATA_BOX, make_dataset, make_regression
from app.ml.digits import N_CLASSES, SIDE, make_digits
from app.ml.losses import cross_entropy_scores
from app.ml.models.language import NextWordModel
from app.ml.models.linear import LinearRegression
from app.ml.models.mlp import MLP, stacked_chance_of_class, stacked_logits
from app.ml.novelty import TrainingPoints, default_threshold
from app.ml.surface import grid_axis, grid_points, regression_curve
from app.ml.text import load_corpus, make_text_data
from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

SURFACE_RESOLUTION = 40
# Two decimals are finer than the colour scale can show, and fewer bytes to send ("Decision
# maps with two decimals" in docs/benchmarks-history.md).
SURFACE_DIGITS = 2
CURVE_RESOLUTION = 60
SAMPLE_PROMPT = "the"  # the language model's frames show how it continues this word
# Seeds derived from the spec's one seed: the data, the initial weights, the batch order.
DATA, WEIGHTS, BATCHES = 0, 1, 2

Model = Any  # an MLP, LinearRegression or NextWordModel: each meets TrainableModel


@dataclass
class RunSetup:
    """A run's starting point: the model, its data, and what is kept to show it."""

    model: Model
    data: Any  # a DataSplit of the model's kind
    text: Any = None  # the language model's TextData (its vocabulary and corpus)
    _novelty_threshold: float | None = field(default=None, init=False, repr=False)
    _training_points: TrainingPoints | None = field(default=None, init=False, repr=False)

    def novelty_threshold(self) -> float:
        """How far from the training points a question counts as outside the data.

        Measured once per run: it depends only on the training inputs, which never change,
        and costs a distance matrix over them (more than the answer itself).
        """
        if self._novelty_threshold is None:
            self._novelty_threshold = default_threshold(self.data.x_train)
        return self._novelty_threshold

    def distances_to_data(self, x: Any) -> Any:
        """Each question's distance to the nearest training point (see app.ml.novelty)."""
        if self._training_points is None:
            self._training_points = TrainingPoints(self.data.x_train)
        return self._training_points.nearest_distances(x)


@dataclass
class MinibatchTally:
    """The minibatches a run trained on since its last frame: their loss and hits, summed.

    Each loss was measured before its step's update, as the optimizer saw it; ``hits`` is
    None when the training step did not count right answers.
    """

    examples: int = 0
    loss_sum: float = 0.0
    hits: int | None = 0

    def add(self, n: int, loss: float, hits: int | None) -> None:
        self.examples += n
        self.loss_sum += loss * n
        self.hits = None if hits is None or self.hits is None else self.hits + hits

    @property
    def loss(self) -> float | None:
        return self.loss_sum / self.examples if self.examples else None

    @property
    def accuracy(self) -> float | None:
        return self.hits / self.examples if self.examples and self.hits is not None else None


def _loss_and_accuracy(model: Model, x: Any, y: Any) -> tuple[float, float]:
    """Mean cross-entropy and accuracy from one forward pass (a frame needs both)."""
    loss, accuracy = cross_entropy_scores(model.logits(x)[None], y[None])
    return float(loss[0]), float(accuracy[0])


class ModelKind:
    """The default behaviour: a classifier whose frames carry losses and accuracies.

    The ``*_many`` methods serve several runs of the kind at once (a class training
    together); by default they serve each alone. A kind that overrides one must give
    each run the same numbers whichever runs it is served with.
    """

    def build(self, spec: Any, base: Model | None) -> RunSetup:
        raise NotImplementedError

    def held_out(self, setup: RunSetup) -> dict[str, float | None]:
        """The model measured on every held-out example, after the frame's last step."""
        val_loss, val_accuracy = _loss_and_accuracy(setup.model, setup.data.x_val, setup.data.y_val)
        return {"val_loss": val_loss, "val_accuracy": val_accuracy}

    def metrics_many(
        self, setups: list[RunSetup], batches: list[MinibatchTally]
    ) -> list[dict[str, float | None]]:
        """Each run's frame metrics; ``batches`` are the minibatches since its last frame.

        ``loss`` and ``accuracy`` are those minibatches', each scored before its update (as
        most training loops report the training loss): the training step computed them
        anyway. ``accuracy`` is None where the step does not count right answers.
        """
        return [
            {"loss": batch.loss, "accuracy": batch.accuracy, **self.held_out(setup)}
            for setup, batch in zip(setups, batches, strict=True)
        ]

    def snapshot(self, setup: RunSetup) -> dict[str, Any]:
        """What a frame shows of the model every few frames (nothing by default)."""
        return {}

    def snapshot_many(self, setups: list[RunSetup]) -> list[dict[str, Any]]:
        return [self.snapshot(setup) for setup in setups]

    def start(self, setup: RunSetup) -> dict[str, Any]:
        """What a client needs before the first frame, beyond the shared fields."""
        return {}


def _groups(setups: list[RunSetup], key: Any) -> list[list[int]]:
    """Positions of setups, grouped by key(setup), in first-seen order."""
    groups: dict[Any, list[int]] = {}
    for position, setup in enumerate(setups):
        groups.setdefault(key(setup), []).append(position)
    return list(groups.values())


def _shape(setup: RunSetup) -> tuple[Any, ...]:
    model: MLP = setup.model
    return model.layer_sizes, model.activation


class ClassifierKind(ModelKind):
    """MLP classifiers: held-out metrics for runs of one shape measured as one stack.

    Their training step counts right answers, so a frame's ``accuracy`` is that of its
    minibatches, like its ``loss`` (see ModelKind.metrics_many).
    """

    def metrics_many(
        self, setups: list[RunSetup], batches: list[MinibatchTally]
    ) -> list[dict[str, float | None]]:
        results: list[dict[str, float | None]] = [{} for _ in setups]

        def key(setup: RunSetup) -> tuple[Any, ...]:
            return (*_shape(setup), setup.data.x_val.shape)

        for group in _groups(setups, key):
            held_out = _held_out_metrics([setups[i] for i in group])
            for position, (val_loss, val_accuracy) in zip(group, held_out, strict=True):
                results[position] = {
                    "loss": batches[position].loss,
                    "val_loss": val_loss,
                    "accuracy": batches[position].accuracy,
                    "val_accuracy": val_accuracy,
                }
        return results


def _held_out_metrics(setups: list[RunSetup]) -> list[tuple[float, float]]:
    """Held-out loss and accuracy of runs of one shape and held-out size, in one pass.

    The same operations whether one run or forty are measured, so a run's numbers do not
    depend on the runs it was measured with.
    """
    x = np.stack([b.data.x_val for b in setups])
    y = np.stack([b.data.y_val for b in setups])
    rows = np.stack([b.model.flat for b in setups])
    model: MLP = setups[0].model
    logits = stacked_logits(rows, model.layer_sizes, model.activation, x)
    val_loss, val_accuracy = cross_entropy_scores(logits, y)
    return list(zip(val_loss.tolist(), val_accuracy.tolist(), strict=True))


class MlpKind(ClassifierKind):
    def build(self, spec: MlpSpec, base: Model | None) -> RunSetup:
        data = make_dataset(
            spec.dataset,
            spec.n_samples,
            spec.noise,
            spec.seed + DATA,
            variant=spec.variant,
            amount=spec.amount,
        )
        if base is not None:
            return RunSetup(base.copy(), data)  # fine-tuning: the new data teaches the difference
        model = MLP((2, *spec.hidden, data.n_classes), spec.activation, spec.seed + WEIGHTS)
        return RunSetup(model, data)

    def snapshot(self, setup: RunSetup) -> dict[str, Any]:
        return self.snapshot_many([setup])[0]

    def snapshot_many(self, setups: list[RunSetup]) -> list[dict[str, Any]]:
        """Each run's decision map: the chance of class 1 over a grid of the data box."""
        results: list[dict[str, Any]] = [{} for _ in setups]
        # A picture shown to two decimals: single precision is ample, and about twice as
        # fast as double over the 1,600 points of every map.
        grid = grid_points(SURFACE_RESOLUTION).astype(np.float32)
        side = SURFACE_RESOLUTION
        for group in _groups(setups, _shape):
            model: MLP = setups[group[0]].model
            rows = np.stack([setups[i].model.flat for i in group]).astype(np.float32)
            chances = stacked_chance_of_class(
                rows, model.layer_sizes, model.activation, grid, chosen=1
            )
            # Back to double before rounding, so 0.57 prints as 0.57, not 0.5699999928.
            chances = chances.astype(np.float64).reshape(len(group), side, side)
            surfaces = np.round(chances, SURFACE_DIGITS)
            for position, surface in zip(group, surfaces.tolist(), strict=True):
                results[position] = {"surface": surface}
        return results

    def start(self, setup: RunSetup) -> dict[str, Any]:
        data = setup.data
        return {
            "box": list(DATA_BOX),
            "surface_resolution": SURFACE_RESOLUTION,
            "train": {"x": np.round(data.x_train, 4).tolist(), "y": data.y_train.tolist()},
            "val": {"x": np.round(data.x_val, 4).tolist(), "y": data.y_val.tolist()},
        }


class LinearKind(ModelKind):
    def build(self, spec: LinearSpec, base: Model | None) -> RunSetup:
        data = make_regression(spec.shape, spec.n_samples, spec.noise, spec.seed + DATA)
        return RunSetup(LinearRegression(spec.degree, spec.seed + WEIGHTS), data)

    def held_out(self, setup: RunSetup) -> dict[str, float | None]:
        data = setup.data
        # A regression has no classes to get right: no accuracies.
        return {"val_loss": setup.model.loss(data.x_val, data.y_val), "val_accuracy": None}

    def snapshot(self, setup: RunSetup) -> dict[str, Any]:
        line = regression_curve(setup.model, CURVE_RESOLUTION)
        return {"curve": np.round(line, 4).tolist()}

    def start(self, setup: RunSetup) -> dict[str, Any]:
        data = setup.data
        return {
            "box": list(DATA_BOX),
            "curve_x": np.round(grid_axis(CURVE_RESOLUTION), 4).tolist(),
            "train": {
                "x": np.round(data.x_train[:, 0], 4).tolist(),
                "y": np.round(data.y_train, 4).tolist(),
            },
            "val": {
                "x": np.round(data.x_val[:, 0], 4).tolist(),
                "y": np.round(data.y_val, 4).tolist(),
            },
        }


class DigitsKind(ClassifierKind):
    def build(self, spec: DigitsSpec, base: Model | None) -> RunSetup:
        data = make_digits(spec.n_samples, spec.seed + DATA, spec.noise)
        model = MLP((SIDE * SIDE, *spec.hidden, N_CLASSES), spec.activation, spec.seed + WEIGHTS)
        return RunSetup(model, data)

    def start(self, setup: RunSetup) -> dict[str, Any]:
        return {"side": SIDE, "classes": list(range(N_CLASSES))}


class LanguageKind(ModelKind):
    def build(self, spec: LanguageSpec, base: Model | None) -> RunSetup:
        text = make_text_data(load_corpus("everyday"), spec.seed + DATA)
        model = NextWordModel(
            text.vocabulary, spec.embedding_dim, spec.hidden, spec.seed + WEIGHTS, text.context
        )
        return RunSetup(model, text.dataset, text)

    def held_out(self, setup: RunSetup) -> dict[str, float | None]:
        values = super().held_out(setup)
        loss = values["val_loss"]
        values["val_perplexity"] = float(np.exp(loss)) if loss is not None else None
        return values

    def snapshot(self, setup: RunSetup) -> dict[str, Any]:
        continuation = setup.model.continue_text(SAMPLE_PROMPT, 8)
        return {"sample": f"{SAMPLE_PROMPT} {continuation.text}".strip()}

    def start(self, setup: RunSetup) -> dict[str, Any]:
        text = setup.text
        return {
            "vocabulary_size": len(text.vocabulary),
            "training_sentences": len(text.train_sentences),
            "held_out_sentences": len(text.held_out_sentences),
            "uniform_perplexity": len(text.vocabulary),
        }


MODEL_KINDS: dict[str, ModelKind] = {
    "mlp": MlpKind(),
    "linear": LinearKind(),
    "digits": DigitsKind(),
    "language": LanguageKind(),
}


def kind_of(spec: AnySpec) -> ModelKind:
    return MODEL_KINDS[spec.model]
