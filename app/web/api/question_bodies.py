"""The questions' request and answer bodies, as the OpenAPI schema shows them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.ml.digits import SIDE
from app.ml.text import MAX_PROMPT_CHARS

# Strict: JSON true/false are not numbers, whatever Python thinks of bool.
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False, strict=True)]
Ink = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]
Row = Annotated[list[Ink], Field(min_length=SIDE, max_length=SIDE)]
Drawing = Annotated[list[Row], Field(min_length=SIDE, max_length=SIDE)]
MAX_DRAWINGS = 32  # 32 grids of 256 numbers stay well inside the request size limit


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
