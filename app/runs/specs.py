"""Run specs: everything that determines a run, one model per kind, bounded field by field.

A spec is the whole identity of a run: the run id is a digest of its canonical JSON, and
every number the run produces follows from it (measured times aside). The ``model`` field
picks the kind: ``mlp`` (2-D classifier), ``linear`` (1-D regression), ``digits`` (drawn
digit recogniser) and ``language`` (next-word model).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, TypeAdapter

# Frames are what the reader sees; more than this many adds bandwidth, not insight.
MAX_FRAMES = 100
# Frames per second while watching, per speed; the numbers do not depend on it.
FRAMES_PER_SECOND: dict[str, float] = {"slow": 8.0, "normal": 20.0, "fast": 50.0}
RUN_ID_PATTERN = r"^[0-9a-f]{16}$"


def _json_integer(value: object) -> object:
    """Integers as JSON Schema counts them: 5 and 5.0, but not true or "5"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Strict numbers: JSON true/false and numeric strings are refused, not quietly converted.
# Constraints sit before the validator, or the JSON schema shows them as raw "ge"/"le".
def _int(low: int, high: int) -> object:
    return Field(strict=True, ge=low, le=high)


Seed = Annotated[int, _int(0, 2**31 - 1), BeforeValidator(_json_integer)]
Steps = Annotated[int, _int(1, 100_000), BeforeValidator(_json_integer)]
BatchSize = Annotated[int, _int(1, 512), BeforeValidator(_json_integer)]
HiddenLayer = Annotated[int, _int(1, 64), BeforeValidator(_json_integer)]
Noise = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
LearningRate = Annotated[float, Field(strict=True, gt=0.0, le=100.0)]


class _Spec(BaseModel):
    """What every kind of run shares: how it learns, for how long, and how it is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    optimizer: Literal["adam", "sgd"] = Field(
        "adam", description="Update rule (SGD has momentum 0.9)."
    )
    learning_rate: LearningRate = Field(0.01, description="Step size; too high and it diverges.")
    batch_size: BatchSize = Field(32, description="Examples per training step.")
    steps: Steps = Field(400, description="Training steps (updates).")
    seed: Seed = Field(7, description="Seed for data, initial weights and batch order.")
    pace: Literal["watch", "instant"] = Field(
        "watch", description="'watch' paces frames for the eye; 'instant' sends them as computed."
    )
    speed: Literal["slow", "normal", "fast"] = Field(
        "normal", description="Frame rate while watching (8, 20 or 50 frames a second)."
    )

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


class MlpSpec(_Spec):
    """A small neural network that learns to split a 2-D pattern of dots into two classes."""

    model: Literal["mlp"] = Field(description="Which model to train.")
    dataset: Literal["moons", "circles", "spiral", "xor"] = Field(
        "moons", description="The 2-D pattern the classifier learns."
    )
    n_samples: Annotated[int, _int(20, 2000), BeforeValidator(_json_integer)] = Field(
        300, description="Points generated, before the held-out split."
    )
    noise: Noise = Field(0.15, description="How blurred the pattern is (0 = clean).")
    hidden: tuple[HiddenLayer, ...] = Field(
        (16, 16), min_length=1, max_length=4, description="Units in each hidden layer."
    )
    activation: Literal["tanh", "relu"] = Field("tanh", description="Hidden-layer activation.")
    variant: Literal["none", "drift", "gap"] = Field(
        "none",
        description=(
            "'drift': the pattern turned and moved (the world after a change); "
            "'gap': a disc of the pattern missing from the training dots."
        ),
    )
    amount: Noise = Field(0.5, description="How far the pattern drifts, or how big the gap is.")
    fine_tune_from: str | None = Field(
        None,
        pattern=RUN_ID_PATTERN,
        description=(
            "Start from this run's trained weights instead of random ones (fine-tuning). "
            "The run must be an mlp run with the same hidden layers and activation."
        ),
    )


class LinearSpec(_Spec):
    """A straight line (or a gentle curve) fitted to noisy 1-D points."""

    model: Literal["linear"] = Field(description="Which model to train.")
    shape: Literal["line", "curve"] = Field("line", description="The data: a line or a curve.")
    degree: Annotated[int, _int(1, 3), BeforeValidator(_json_integer)] = Field(
        1, description="1 fits a straight line; 2 or 3 can bend."
    )
    n_samples: Annotated[int, _int(10, 2000), BeforeValidator(_json_integer)] = Field(
        100, description="Points generated, before the held-out split."
    )
    noise: Noise = Field(0.15, description="How scattered the points are around the truth.")
    optimizer: Literal["adam", "sgd"] = Field("sgd", description="Update rule.")
    learning_rate: LearningRate = Field(0.1, description="Step size; too high and it diverges.")
    batch_size: BatchSize = Field(100, description="Examples per step (100 = all of them).")
    steps: Steps = Field(300, description="Training steps (updates).")


class DigitsSpec(_Spec):
    """A network that learns to read 16x16 drawn digits, from a synthetic set we generate."""

    model: Literal["digits"] = Field(description="Which model to train.")
    n_samples: Annotated[int, _int(100, 5000), BeforeValidator(_json_integer)] = Field(
        2000, description="Digit images generated, before the held-out split."
    )
    noise: Noise = Field(0.1, description="Pixel noise on the images.")
    hidden: tuple[HiddenLayer, ...] = Field(
        (64,), min_length=1, max_length=3, description="Units in each hidden layer."
    )
    activation: Literal["tanh", "relu"] = Field("relu", description="Hidden-layer activation.")
    learning_rate: LearningRate = Field(0.005, description="Step size; too high and it diverges.")
    batch_size: BatchSize = Field(64, description="Images per training step.")
    steps: Steps = Field(500, description="Training steps (updates).")


class LanguageSpec(_Spec):
    """A tiny next-word model, trained on a small corpus of everyday sentences we wrote."""

    model: Literal["language"] = Field(description="Which model to train.")
    embedding_dim: Annotated[int, _int(2, 64), BeforeValidator(_json_integer)] = Field(
        16, description="Numbers that stand for each word."
    )
    hidden: Annotated[int, _int(4, 256), BeforeValidator(_json_integer)] = Field(
        64, description="Units in the hidden layer."
    )
    learning_rate: LearningRate = Field(0.005, description="Step size; too high and it diverges.")
    batch_size: BatchSize = Field(64, description="Word pairs per training step.")
    steps: Steps = Field(600, description="Training steps (updates).")


AnySpec = MlpSpec | LinearSpec | DigitsSpec | LanguageSpec
MODEL_NAMES = ("mlp", "linear", "digits", "language")

RunSpec = Annotated[
    AnySpec,
    Discriminator(
        "model",
        custom_error_type="model_kind",
        custom_error_message="model must be one of 'mlp', 'linear', 'digits' or 'language'",
    ),
]
_ADAPTER: TypeAdapter[AnySpec] = TypeAdapter(RunSpec)


def parse_spec(data: object) -> AnySpec:
    """A spec from plain data (raises pydantic's ValidationError)."""
    return _ADAPTER.validate_python(data)


def parse_spec_json(text: str) -> AnySpec:
    return _ADAPTER.validate_json(text)


def run_id_for(spec: AnySpec) -> str:
    """The run id is derived from the spec, so the same spec always names the same run."""
    return hashlib.sha256(spec.canonical_json().encode()).hexdigest()[:16]


def frame_steps(steps: int) -> list[int]:
    """The step after which each frame is sent: evenly spread, the last one at ``steps``."""
    n_frames = min(steps, MAX_FRAMES)
    return [math.ceil(i * steps / n_frames) for i in range(1, n_frames + 1)]


SPEC_CLASSES: dict[str, type[_Spec]] = {
    "mlp": MlpSpec,
    "linear": LinearSpec,
    "digits": DigitsSpec,
    "language": LanguageSpec,
}


def spec_bounds(max_steps: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Each kind's fields as the forms need them: default, minimum, maximum, choices.

    Read from the specs' own JSON schema, so a form never restates a bound; ``steps``
    takes this server's limit (PHASELAB_MAX_STEPS) when it is lower than the spec's.
    A list field (``hidden``) gives its items' bounds and its own length bounds.
    """
    bounds: dict[str, dict[str, dict[str, Any]]] = {}
    for name, cls in SPEC_CLASSES.items():
        fields: dict[str, dict[str, Any]] = {}
        for field_name, schema in cls.model_json_schema()["properties"].items():
            item = schema.get("items", schema)
            fields[field_name] = {
                "default": schema.get("default"),
                "minimum": item.get("minimum", item.get("exclusiveMinimum")),
                "maximum": item.get("maximum"),
                "choices": item.get("enum"),
                "min_items": schema.get("minItems"),
                "max_items": schema.get("maxItems"),
            }
        fields["steps"]["maximum"] = min(fields["steps"]["maximum"], max_steps)
        bounds[name] = fields
    return bounds
