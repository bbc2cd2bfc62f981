"""Ask a trained model, time batching, shrink it to 8 bits: the inference half of the API."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.ml.datasets import DATA_BOX
from app.ml.digits import SIDE
from app.ml.text import MAX_PROMPT_CHARS
from app.runs.execution import TrainedRun
from app.runs.model_cache import ModelCache
from app.runs.questions import (
    QuestionError,
    batching,
    classify_points,
    next_words,
    read_drawings,
    regress,
    shrink_to_8_bit,
)
from app.runs.specs import AnySpec
from app.web.api.responses import BAD_BODY, LIMITED, TOO_LARGE, UNKNOWN_RUN, error, refuse
from app.web.deps import ModelsDep, RunIdPath, RunSpecDep, limit_predicts, services_of

router = APIRouter(prefix="/api", tags=["models"])

# Strict: JSON true/false are not numbers, whatever Python thinks of bool.
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False, strict=True)]
Ink = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]
Row = Annotated[list[Ink], Field(min_length=SIDE, max_length=SIDE)]
Drawing = Annotated[list[Row], Field(min_length=SIDE, max_length=SIDE)]
MAX_DRAWINGS = 32  # 32 grids of 256 numbers stay well inside the request size limit
DIVERGED = error("The run diverged: it has no usable model.")


class PredictRequest(BaseModel):
    """What to ask; which field depends on the run's model."""

    model_config = ConfigDict(extra="forbid")

    inputs: list[Annotated[list[Coordinate], Field(min_length=1, max_length=2)]] | None = Field(
        None,
        min_length=1,
        description=(
            "mlp: points `[x, y]` (the dots lie within [-2, 2]); linear: one-number lists `[x]`."
        ),
        examples=[[[0.5, -0.25], [-1.0, 1.0]]],
    )
    drawings: list[Drawing] | None = Field(
        None,
        min_length=1,
        max_length=MAX_DRAWINGS,
        description=f"digits: {SIDE}x{SIDE} grids of ink from 0 (paper) to 1 (ink), top row first.",
    )
    prompt: str | None = Field(
        None,
        # No max_length here: the model's own check says "keep it to N characters" plainly;
        # the request-size limit still bounds what reaches it.
        description=(
            f"language: the words so far (up to {MAX_PROMPT_CHARS} characters); "
            "the answer is the likely next words."
        ),
    )
    top_k: int = Field(5, ge=1, le=20, strict=True, description="language: candidates shown.")
    n_words: int = Field(
        0, ge=0, le=30, strict=True, description="language: words to continue the prompt with."
    )
    temperature: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        strict=True,
        description="language: 0 always picks the likeliest word; higher is more adventurous.",
    )
    sample_seed: int | None = Field(
        None, ge=0, le=2**31 - 1, strict=True, description="language: seed for sampled words."
    )


class WordChoice(BaseModel):
    word: str
    probability: float


class PredictResponse(BaseModel):
    predictions: list[int] | None = Field(None, description="The most probable class of each.")
    probabilities: list[list[float]] | None = Field(None, description="Per input, per class.")
    values: list[float] | None = Field(None, description="linear: the predicted y of each x.")
    distance_to_data: list[float] | None = Field(
        None, description="mlp: distance from each point to the nearest training dot."
    )
    outside_training_data: list[bool] | None = Field(
        None, description="mlp: true where a point is far from anything the model saw."
    )
    next_words: list[WordChoice] | None = Field(None, description="language: likely next words.")
    continuation: str | None = Field(None, description="language: the prompt continued.")
    unknown_words: list[str] | None = Field(None, description="language: words it never saw.")
    compute_ns: int = Field(description="Measured time of the model's arithmetic, in ns.")
    flops: int = Field(description="Arithmetic operations the answer took, counted from shapes.")
    fingerprint: str = Field(description="Digest of the weights: it never changes by querying.")


async def trained_model(run_id: str, spec: AnySpec, models: ModelCache) -> TrainedRun:
    trained = await models.get(run_id, spec)
    if trained.model is None:
        step = trained.divergence.step if trained.divergence else "?"
        raise HTTPException(
            409,
            f"Run '{run_id}' diverged at step {step}, so it has no model to ask. "
            "Lower the learning rate and train again.",
        )
    return trained


def _ask(spec: AnySpec, trained: TrainedRun, body: PredictRequest, limit: int) -> dict[str, Any]:
    field = {"mlp": "inputs", "linear": "inputs", "digits": "drawings", "language": "prompt"}[
        spec.model
    ]
    value = getattr(body, field)
    if value is None:
        refuse(field, f"A {spec.model} run answers questions given in `{field}`.")
    if field != "prompt" and len(value) > limit:
        refuse(field, f"At most {limit} {field} per call", len(value), "too_long")
    model, setup = trained.model, trained.setup
    assert model is not None and setup is not None
    try:
        if spec.model == "mlp":
            return classify_points(model, setup, value)
        if spec.model == "linear":
            return regress(model, value)
        if spec.model == "digits":
            return read_drawings(model, value)
        return next_words(
            model, value, body.top_k, body.n_words, body.temperature, body.sample_seed
        )
    except QuestionError as problem:
        refuse(problem.field, str(problem), None)
        raise  # unreachable: refuse always raises


@router.post(
    "/runs/{run_id}/predict",
    response_model=PredictResponse,
    response_model_exclude_none=True,
    summary="Ask the trained model",
    responses={
        400: BAD_BODY,
        404: UNKNOWN_RUN,
        409: DIVERGED,
        413: TOO_LARGE,
        429: LIMITED,
        422: {"description": "A question of the wrong shape, too many, or not finite numbers."},
    },
)
async def predict(
    run_id: RunIdPath,
    body: PredictRequest,
    spec: RunSpecDep,
    request: Request,
) -> JSONResponse:
    """Ask the run's trained model (trained on demand if need be).

    mlp: `inputs` of points; linear: `inputs` of `[x]`; digits: `drawings`; language:
    `prompt` (with `top_k`, `n_words`, `temperature`, `sample_seed`).
    """
    # The hottest route (a class asks thousands of questions a minute), so it does by
    # hand what FastAPI would do with a dependency and the response model: the limit is
    # checked here, and the answer, plain numbers already, is encoded directly (its
    # shape is PredictResponse's, which the schema tests hold it to).
    services = services_of(request)
    services.predict_limiter.enforce(request)
    with services.metrics.predict_seconds.time():
        trained = await trained_model(run_id, spec, services.models)
        answer = _ask(spec, trained, body, services.settings.max_predict_inputs)
    assert trained.model is not None
    answer["fingerprint"] = trained.model.fingerprint()
    return JSONResponse(answer)


class BatchingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sizes: list[Annotated[int, Field(ge=1, le=1000, strict=True)]] = Field(
        [1, 1000], min_length=1, max_length=4, description="Batch sizes to time."
    )


class BatchTiming(BaseModel):
    inputs: int
    one_call_ns: int = Field(description="One call with all the inputs: its compute time.")
    one_call_per_second: float = Field(description="Answers per second in one call.")
    separate_calls_ns: int = Field(description="The same inputs asked one call at a time.")
    separate_calls_per_second: float
    waits_ns: int = Field(description="How long each answer in the batch waits: all of it.")


class BatchingResponse(BaseModel):
    timings: list[BatchTiming]
    fingerprint: str


def _sample_inputs(spec: AnySpec, trained: TrainedRun) -> Any:
    """Questions like the model's real ones: points in the box, held-out images or contexts."""
    setup = trained.setup
    assert setup is not None
    rng = np.random.default_rng(0)
    if spec.model == "mlp":
        low, high = DATA_BOX
        return lambda n: rng.uniform(low, high, size=(n, 2))
    x_val = setup.data.x_val
    return lambda n: x_val[rng.integers(0, len(x_val), size=n)]


@router.post(
    "/runs/{run_id}/batching",
    response_model=BatchingResponse,
    summary="Time one big batch against many single questions",
    dependencies=[Depends(limit_predicts)],
    responses={400: BAD_BODY, 404: UNKNOWN_RUN, 409: DIVERGED, 413: TOO_LARGE, 429: LIMITED},
)
async def time_batching(
    run_id: RunIdPath, spec: RunSpecDep, models: ModelsDep, body: BatchingRequest | None = None
) -> BatchingResponse:
    """For each size: the compute time of one call with that many inputs, and of as many
    one-input calls. Batching raises throughput; each answer waits for the whole batch."""
    trained = await trained_model(run_id, spec, models)
    if spec.model == "linear":
        refuse("sizes", "Batching is timed for the classifiers and the language model.")
    sizes = (body or BatchingRequest()).sizes
    timings = batching(trained.model, _sample_inputs(spec, trained), sizes)
    assert trained.model is not None
    return BatchingResponse(
        timings=[BatchTiming(**t) for t in timings], fingerprint=trained.model.fingerprint()
    )


class QuantizeResponse(BaseModel):
    size_bytes_float64: int
    size_bytes_float32: int
    size_bytes_int8: int = Field(description="Weights as 8-bit integers, one scale per matrix.")
    agreement: float = Field(description="Share of held-out questions both answer the same.")
    checked_inputs: int
    compute_ns_float64: int
    compute_ns_int8: int
    fingerprint: str
    fingerprint_int8: str


@router.post(
    "/runs/{run_id}/quantize",
    response_model=QuantizeResponse,
    summary="Shrink the model to 8-bit weights and compare",
    dependencies=[Depends(limit_predicts)],
    responses={
        404: UNKNOWN_RUN,
        409: DIVERGED,
        429: LIMITED,
    },
)
async def shrink(run_id: RunIdPath, spec: RunSpecDep, models: ModelsDep) -> QuantizeResponse:
    """An 8-bit copy "for a phone": its size against the original, and how often they agree
    on the held-out data."""
    if spec.model not in ("mlp", "digits"):
        refuse("model", "Only mlp and digits runs can be shrunk to 8 bits here.", spec.model)
    trained = await trained_model(run_id, spec, models)
    assert trained.model is not None and trained.setup is not None
    result = shrink_to_8_bit(trained.model, trained.setup.data.x_val)
    return QuantizeResponse(**result, fingerprint=trained.model.fingerprint())
