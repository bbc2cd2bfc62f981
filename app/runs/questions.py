"""Asking a trained model: one function per kind of model, each timing only the arithmetic.

Every answer carries the measured compute time (around the model's own numpy work, not
the HTTP round trip), the FLOPs counted from the model's shape, and the fingerprint of
the weights, which no number of questions ever changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import DATA_BOX
from app.ml.digits import SIDE, drawing_problem, prepare_drawing
from app.ml.models.mlp import MLP
from app.ml.quantize import agreement, float_size_bytes, quantize
from app.ml.text import prompt_problem
from app.runs.execution import TrainedRun
from app.runs.kinds import Model, RunSetup
from app.runs.specs import AnySpec

Array = NDArray[np.float64]


class QuestionError(ValueError):
    """A question the model cannot take, with a message for the person who asked.

    ``field`` names the part of the question at fault; ``kind`` and ``value`` say how, in
    the words of a validation error (e.g. ``too_long`` and the count).
    """

    def __init__(
        self, field: str, message: str, value: object = None, kind: str = "value_error"
    ) -> None:
        self.field = field
        self.value = value
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class Question:
    """One call's question; which field is read depends on the run's kind."""

    inputs: list[list[float]] | None = None  # mlp: points [x, y]; linear: [x]
    drawings: list[list[list[float]]] | None = None  # digits
    prompt: str | None = None  # language, with the four below
    top_k: int = 5
    n_words: int = 0
    temperature: float = 0.0
    sample_seed: int | None = None


# The field of the question each kind answers.
ASKED_IN = {"mlp": "inputs", "linear": "inputs", "digits": "drawings", "language": "prompt"}


def answer(
    spec: AnySpec, trained: TrainedRun, question: Question, max_inputs: int
) -> dict[str, Any]:
    """The trained model's answer to a question of its kind; one call asks about at most
    ``max_inputs`` points or drawings."""
    field = ASKED_IN[spec.model]
    value = getattr(question, field)
    if value is None:
        raise QuestionError(field, f"A {spec.model} run answers questions given in `{field}`.")
    if field != "prompt" and len(value) > max_inputs:
        raise QuestionError(field, f"At most {max_inputs} {field} per call", len(value), "too_long")
    model, setup = trained.model, trained.setup
    assert model is not None and setup is not None
    if spec.model == "mlp":
        return classify_points(model, setup, value)
    if spec.model == "linear":
        return regress(model, value)
    if spec.model == "digits":
        return read_drawings(model, value)
    return next_words(
        model, value, question.top_k, question.n_words, question.temperature, question.sample_seed
    )


def sample_questions(spec: AnySpec, trained: TrainedRun) -> Callable[[int], Any]:
    """Questions like the model's real ones: points in the box, held-out images or contexts."""
    setup = trained.setup
    assert setup is not None
    rng = np.random.default_rng(0)
    if spec.model == "mlp":
        low, high = DATA_BOX
        return lambda n: rng.uniform(low, high, size=(n, 2))
    x_val = setup.data.x_val
    return lambda n: x_val[rng.integers(0, len(x_val), size=n)]


@dataclass(frozen=True)
class Timed:
    value: Any
    compute_ns: int


def timed(work: Callable[[], Any]) -> Timed:
    began = time.perf_counter_ns()
    value = work()
    return Timed(value, time.perf_counter_ns() - began)


def _rows(inputs: list[list[float]], width: int, message: str) -> Array:
    """The inputs as an (n, width) array; rows of any other length are the asker's error."""
    if not all(isinstance(row, list | tuple) and len(row) == width for row in inputs):
        raise QuestionError("inputs", message)
    return np.asarray(inputs, dtype=np.float64).reshape(len(inputs), width)


def classify_points(model: MLP, setup: RunSetup, inputs: list[list[float]]) -> dict[str, Any]:
    """Classes and probabilities for 2-D points, and how far each is from the training dots."""
    x = _rows(inputs, 2, "Each input must be a point [x, y].")
    answer = timed(lambda: model.predict_proba(x))
    distances = setup.distances_to_data(x)
    threshold = setup.novelty_threshold()
    return {
        "predictions": np.argmax(answer.value, axis=1).tolist(),
        "probabilities": np.round(answer.value, 6).tolist(),
        "distance_to_data": np.round(distances, 4).tolist(),
        "outside_training_data": (distances > threshold).tolist(),
        "compute_ns": answer.compute_ns,
        "flops": model.flops_forward(len(x)),
    }


def regress(model: Model, inputs: list[list[float]]) -> dict[str, Any]:
    x = _rows(inputs, 1, "Each input must be a one-number list [x].")
    answer = timed(lambda: model.predict(x))
    return {
        "values": np.round(answer.value, 6).tolist(),
        "compute_ns": answer.compute_ns,
        "flops": model.flops_forward(len(x)),
    }


def read_drawings(model: MLP, drawings: list[list[list[float]]]) -> dict[str, Any]:
    """The digit each drawing shows; every drawing is a SIDE x SIDE grid of ink in [0, 1]."""
    rows = []
    for number, drawing in enumerate(drawings):
        problem = drawing_problem(drawing, SIDE)
        if problem is not None:
            raise QuestionError(f"drawings.{number}", problem)
        rows.append(prepare_drawing(drawing, SIDE)[0])
    x = np.asarray(rows)
    answer = timed(lambda: model.predict_proba(x))
    return {
        "predictions": np.argmax(answer.value, axis=1).tolist(),
        "probabilities": np.round(answer.value, 6).tolist(),
        "compute_ns": answer.compute_ns,
        "flops": model.flops_forward(len(x)),
    }


def next_words(
    model: Model, prompt: str, top_k: int, n_words: int, temperature: float, seed: int | None
) -> dict[str, Any]:
    problem = prompt_problem(prompt)
    if problem is not None:
        raise QuestionError("prompt", problem)
    answer = timed(lambda: model.next_word_probabilities(prompt, top_k))
    result: dict[str, Any] = {
        "next_words": [{"word": w, "probability": round(p, 6)} for w, p in answer.value.words],
        "unknown_words": list(answer.value.unknown_words),
        "compute_ns": answer.compute_ns,
        "flops": model.flops_forward(1),
    }
    if n_words > 0:
        more = timed(lambda: model.continue_text(prompt, n_words, temperature, seed))
        result["continuation"] = more.value.text
        result["compute_ns"] += more.compute_ns
        result["flops"] += model.flops_forward(1) * max(1, len(more.value.choices))
    return result


def batching(model: Model, sample: Callable[[int], Any], sizes: list[int]) -> list[dict[str, Any]]:
    """For each size: one call with that many inputs against that many one-input calls.

    Measured here, on this server, around the model's arithmetic only.
    """
    out = []
    for size in sizes:
        x = sample(size)
        model.predict_proba(x[:1])  # warm the code path so the first timing is not a cold start
        began = time.perf_counter_ns()
        model.predict_proba(x)
        together = Timed(None, time.perf_counter_ns() - began)
        began = time.perf_counter_ns()
        for row in range(size):
            model.predict_proba(x[row : row + 1])
        one_by_one = time.perf_counter_ns() - began
        out.append(
            {
                "inputs": size,
                "one_call_ns": together.compute_ns,
                "one_call_per_second": size / max(together.compute_ns, 1) * 1e9,
                "separate_calls_ns": one_by_one,
                "separate_calls_per_second": size / max(one_by_one, 1) * 1e9,
                "waits_ns": together.compute_ns,  # every answer in the batch waits for all of it
            }
        )
    return out


def shrink_to_8_bit(model: MLP, x_check: Array) -> dict[str, Any]:
    """An 8-bit copy for a small device: its size, and how often it still agrees."""
    small = quantize(model)
    full = timed(lambda: model.predict_proba(x_check))
    light = timed(lambda: small.predict_proba(x_check))
    return {
        "size_bytes_float64": float_size_bytes(model, 8),
        "size_bytes_float32": float_size_bytes(model, 4),
        "size_bytes_int8": small.size_bytes(),
        "agreement": agreement(model, small, x_check),
        "checked_inputs": len(x_check),
        "compute_ns_float64": full.compute_ns,
        "compute_ns_int8": light.compute_ns,
        "fingerprint_int8": small.fingerprint(),
    }
