"""One adapter per kind of model: how to build its run, measure it and show it.

``runs.py`` steps every kind the same way; what differs (the data, the model, what a frame
shows: a decision map, a fitted line, a sample sentence) lives here, one small class each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.ml.datasets import DATA_BOX, make_dataset, make_regression
from app.ml.digits import N_CLASSES, SIDE, make_digits
from app.ml.models.language import NextWordModel
from app.ml.models.linear import LinearRegression
from app.ml.models.mlp import MLP
from app.ml.surface import decision_surface, grid_axis, regression_curve
from app.ml.text import load_corpus, make_text_data
from app.run_specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

SURFACE_RESOLUTION = 40
# Two decimals are finer than the colour scale can show, and a third less to send.
SURFACE_DIGITS = 2
CURVE_RESOLUTION = 60
SAMPLE_PROMPT = "the"  # the language model's frames show how it continues this word
# Seeds derived from the spec's one seed: the data, the initial weights, the batch order.
DATA, WEIGHTS, BATCHES = 0, 1, 2

Model = Any  # an MLP, LinearRegression or NextWordModel: each meets TrainableModel


@dataclass
class Built:
    """A run's starting point: the model, its data, and what is kept to show it."""

    model: Model
    data: Any  # a DataSplit of the model's kind
    extra: Any = None  # the language model's TextData


# The smallest probability the loss takes a log of: a confident wrong answer scores about
# 690 instead of infinity, far above any divergence threshold, so nothing is hidden.
MIN_PROBABILITY = 1e-300


def _loss_and_accuracy(model: Model, x: Any, y: Any) -> tuple[float, float]:
    """Mean cross-entropy and accuracy from one forward pass (a frame needs both)."""
    probabilities = model.predict_proba(x)
    picked = probabilities[np.arange(len(y)), y]
    loss = float(-np.mean(np.log(np.maximum(picked, MIN_PROBABILITY))))
    return loss, float(np.mean(np.argmax(probabilities, axis=1) == y))


class Family:
    """The default behaviour: a classifier whose frames carry losses and accuracies."""

    def build(self, spec: Any, base: Model | None) -> Built:
        raise NotImplementedError

    def metrics(self, built: Built) -> dict[str, float | None]:
        data, model = built.data, built.model
        loss, accuracy = _loss_and_accuracy(model, data.x_train, data.y_train)
        val_loss, val_accuracy = _loss_and_accuracy(model, data.x_val, data.y_val)
        return {
            "loss": loss,
            "val_loss": val_loss,
            "accuracy": accuracy,
            "val_accuracy": val_accuracy,
        }

    def snapshot(self, built: Built) -> dict[str, Any]:
        """What a frame shows of the model every few frames (nothing by default)."""
        return {}

    def start(self, built: Built) -> dict[str, Any]:
        """What a client needs before the first frame, beyond the shared fields."""
        return {}


class MlpFamily(Family):
    def build(self, spec: MlpSpec, base: Model | None) -> Built:
        data = make_dataset(
            spec.dataset,
            spec.n_samples,
            spec.noise,
            spec.seed + DATA,
            variant=spec.variant,
            amount=spec.amount,
        )
        if base is not None:
            return Built(base.copy(), data)  # fine-tuning: the new data teaches the difference
        model = MLP((2, *spec.hidden, data.n_classes), spec.activation, spec.seed + WEIGHTS)
        return Built(model, data)

    def snapshot(self, built: Built) -> dict[str, Any]:
        surface = decision_surface(built.model, SURFACE_RESOLUTION)
        return {"surface": np.round(surface, SURFACE_DIGITS).tolist()}

    def start(self, built: Built) -> dict[str, Any]:
        data = built.data
        return {
            "box": list(DATA_BOX),
            "surface_resolution": SURFACE_RESOLUTION,
            "train": {"x": np.round(data.x_train, 4).tolist(), "y": data.y_train.tolist()},
            "val": {"x": np.round(data.x_val, 4).tolist(), "y": data.y_val.tolist()},
        }


class LinearFamily(Family):
    def build(self, spec: LinearSpec, base: Model | None) -> Built:
        data = make_regression(spec.shape, spec.n_samples, spec.noise, spec.seed + DATA)
        return Built(LinearRegression(spec.degree, spec.seed + WEIGHTS), data)

    def metrics(self, built: Built) -> dict[str, float | None]:
        data, model = built.data, built.model
        return {
            "loss": model.loss(data.x_train, data.y_train),
            "val_loss": model.loss(data.x_val, data.y_val),
            "accuracy": None,  # a regression has no classes to get right
            "val_accuracy": None,
        }

    def snapshot(self, built: Built) -> dict[str, Any]:
        line = regression_curve(built.model, CURVE_RESOLUTION)
        return {"curve": np.round(line, 4).tolist()}

    def start(self, built: Built) -> dict[str, Any]:
        data = built.data
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


class DigitsFamily(Family):
    def build(self, spec: DigitsSpec, base: Model | None) -> Built:
        data = make_digits(spec.n_samples, spec.seed + DATA, spec.noise)
        model = MLP((SIDE * SIDE, *spec.hidden, N_CLASSES), spec.activation, spec.seed + WEIGHTS)
        return Built(model, data)

    def start(self, built: Built) -> dict[str, Any]:
        return {"side": SIDE, "classes": list(range(N_CLASSES))}


class LanguageFamily(Family):
    def build(self, spec: LanguageSpec, base: Model | None) -> Built:
        text = make_text_data(load_corpus("everyday"), spec.seed + DATA)
        model = NextWordModel(
            text.vocabulary, spec.embedding_dim, spec.hidden, spec.seed + WEIGHTS, text.context
        )
        return Built(model, text.dataset, text)

    def metrics(self, built: Built) -> dict[str, float | None]:
        values = super().metrics(built)
        loss = values["val_loss"]
        values["val_perplexity"] = float(np.exp(loss)) if loss is not None else None
        return values

    def snapshot(self, built: Built) -> dict[str, Any]:
        continuation = built.model.continue_text(SAMPLE_PROMPT, 8)
        return {"sample": f"{SAMPLE_PROMPT} {continuation.text}".strip()}

    def start(self, built: Built) -> dict[str, Any]:
        text = built.extra
        return {
            "vocabulary_size": len(text.vocabulary),
            "training_sentences": len(text.train_sentences),
            "held_out_sentences": len(text.held_out_sentences),
            "uniform_perplexity": len(text.vocabulary),
        }


FAMILIES: dict[str, Family] = {
    "mlp": MlpFamily(),
    "linear": LinearFamily(),
    "digits": DigitsFamily(),
    "language": LanguageFamily(),
}


def family_of(spec: AnySpec) -> Family:
    return FAMILIES[spec.model]
