"""The public JSON API: create a run, stream its training, ask its trained model."""

from __future__ import annotations

import time
from collections.abc import AsyncIterable
from typing import Annotated, Any

import anyio
import anyio.to_thread
import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.sse import EventSourceResponse, ServerSentEvent
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from app.deps import (
    AdmissionDep,
    ModelsDep,
    ResumeFromDep,
    RunIdPath,
    RunSpecDep,
    SettingsDep,
    StoreDep,
    limit_predicts,
    limit_run_creation,
)
from app.ml.models.mlp import MLP
from app.model_cache import ModelCache
from app.runs import (
    FRAMES_PER_SECOND,
    Divergence,
    Execution,
    Frame,
    RunSpec,
    TrainedRun,
    run_id_for,
)
from app.settings import Settings
from app.streams import Admission

router = APIRouter(prefix="/api", tags=["runs"])

# Above this much arithmetic per frame, training moves off the event loop so other
# readers' frames keep their pace; below it, a thread hop would cost more than it saves.
INLINE_FLOPS_PER_FRAME = 5_000_000


def error(description: str) -> dict[str, Any]:
    """An error answer in OpenAPI: JSON with a plain message in `detail`."""
    schema = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BAD_BODY = error("The body is not JSON at all.")
TOO_LARGE = error("The body is larger than the server accepts.")
UNKNOWN_RUN = error("No run has this id.")


class RunLinks(BaseModel):
    self: str
    events: str
    predict: str


class RunCreated(BaseModel):
    run_id: str = Field(description="Derived from the spec: the same spec gives the same id.")
    spec: RunSpec
    links: RunLinks


def _links(request: Request, run_id: str) -> RunLinks:
    base = f"/api/runs/{run_id}"
    return RunLinks(self=base, events=f"{base}/events", predict=f"{base}/predict")


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=RunCreated,
    summary="Create a training run",
    responses={
        400: BAD_BODY,
        413: TOO_LARGE,
        422: {"description": "A field is unknown or out of its range."},
        429: error("Too many runs from this client; see `Retry-After`."),
    },
    dependencies=[Depends(limit_run_creation)],
)
def create_run(
    spec: RunSpec, request: Request, store: StoreDep, settings: SettingsDep
) -> RunCreated:
    """Store the spec and answer its id. Nothing trains until its events are read."""
    if spec.steps > settings.max_steps:
        raise RequestValidationError(
            [
                {
                    "type": "less_than_equal",
                    "loc": ("body", "steps"),
                    "msg": f"Input should be less than or equal to {settings.max_steps}",
                    "input": spec.steps,
                    "ctx": {"le": settings.max_steps},
                }
            ]
        )
    run_id = run_id_for(spec)
    store.put(run_id, spec.canonical_json())
    request.app.state.metrics.runs_created.inc()
    return RunCreated(run_id=run_id, spec=spec, links=_links(request, run_id))


@router.get(
    "/runs/{run_id}",
    response_model=RunCreated,
    summary="A run's spec and links",
    responses={404: UNKNOWN_RUN},
)
def read_run(run_id: RunIdPath, spec: RunSpecDep, request: Request) -> RunCreated:
    return RunCreated(run_id=run_id, spec=spec, links=_links(request, run_id))


def _totals(frame: Frame | Divergence | None) -> dict[str, int]:
    if frame is None:
        return {"steps": 0, "examples_seen": 0, "flops": 0, "compute_ns": 0}
    return {
        "steps": frame.step,
        "examples_seen": frame.examples_seen,
        "flops": frame.flops,
        "compute_ns": frame.compute_ns,
    }


async def _advance(execution: Execution, heavy: bool, with_surface: bool) -> Frame | Divergence:
    if heavy:
        return await anyio.to_thread.run_sync(execution.advance, with_surface)
    outcome = execution.advance(with_surface)
    await anyio.sleep(0)  # let other streams and requests in between frames
    return outcome


QUEUE_UPDATE_SECONDS = 1.0


async def _wait_for_slot(admission: Admission) -> AsyncIterable[ServerSentEvent]:
    """While the reader waits for a free slot, tell them their place once a second."""
    while not admission.admitted:
        yield ServerSentEvent(
            event="queued",
            data={
                "position": admission.position,
                "message": f"The server is busy: you are number {admission.position} in line.",
            },
        )
        await admission.wait(QUEUE_UPDATE_SECONDS)


async def _run_events(
    run_id: str, spec: RunSpec, resume_from: int, models: ModelCache
) -> AsyncIterable[ServerSentEvent]:
    execution = Execution(spec)
    frames_total = len(execution.plan)
    steps_per_frame = spec.steps / frames_total
    heavy = execution.flops_per_step() * steps_per_frame > INLINE_FLOPS_PER_FRAME
    yield ServerSentEvent(event="start", data={"run_id": run_id, **execution.start_payload()})

    interval = 0.0 if spec.pace == "instant" else 1.0 / FRAMES_PER_SECOND[spec.speed]
    started = time.perf_counter()
    sent = 0
    last: Frame | None = None
    while not execution.finished:
        replaying = execution.frames_sent < resume_from
        outcome = await _advance(execution, heavy, with_surface=not replaying)
        if isinstance(outcome, Divergence):
            models.put(run_id, TrainedRun(model=None, divergence=outcome, final=last))
            yield ServerSentEvent(
                event="diverged",
                id=str(frames_total + 1),
                data={
                    "step": outcome.step,
                    "loss": outcome.loss,
                    "totals": _totals(outcome),
                    "message": (
                        f"The loss blew up at step {outcome.step}: the learning rate is too high "
                        "for this model. The run stopped; starting again costs the compute again."
                    ),
                },
            )
            return
        last = outcome
        if replaying:
            continue
        # Pace against a fixed schedule, so slow frames do not push every later one back.
        sent += 1
        delay = started + sent * interval - time.perf_counter()
        if delay > 0:
            await anyio.sleep(delay)
        yield ServerSentEvent(
            event="frame", id=str(outcome.index), data=outcome.payload(spec.steps)
        )

    models.put(run_id, TrainedRun(model=execution.model, divergence=None, final=last))
    yield ServerSentEvent(
        event="done",
        id=str(frames_total + 1),
        data={
            "run_id": run_id,
            "fingerprint": execution.model.fingerprint(),
            "n_parameters": execution.model.n_parameters,
            "inference_flops_per_query": execution.model.flops_forward(1),
            "final": None if last is None else last.payload(spec.steps),
            "totals": _totals(last),
        },
    )


@router.get(
    "/runs/{run_id}/events",
    response_class=EventSourceResponse,
    summary="Watch a run train (server-sent events)",
    responses={
        200: {
            "description": (
                "While the server is full, `queued` events give the reader's place in line. "
                "Then a `start` event (the data to plot), one `frame` event per frame (`step`, "
                "`loss`, `val_loss`, accuracies, `counters`, and every few frames a "
                "decision `surface`), then `done` (totals, `fingerprint`) or `diverged`. "
                "Frames carry ids; send `Last-Event-ID` to resume after one."
            ),
        },
        400: error("`Last-Event-ID` is not a frame number."),
        404: UNKNOWN_RUN,
        503: error("Every slot and queue place is taken; see `Retry-After`."),
    },
)
async def stream_run(
    run_id: RunIdPath,
    spec: RunSpecDep,
    resume_from: ResumeFromDep,
    models: ModelsDep,
    admission: AdmissionDep,
    request: Request,
) -> AsyncIterable[ServerSentEvent]:
    """Train the run and stream it; a client that disconnects stops the work."""
    finished = request.app.state.metrics.streams_finished
    outcome = "disconnected"
    try:
        async for queued in _wait_for_slot(admission):
            yield queued
        async for event in _run_events(run_id, spec, resume_from, models):
            if event.event in ("done", "diverged"):
                outcome = event.event
            yield event
    finally:
        finished.labels(outcome).inc()


# Strict: JSON true/false are not numbers, whatever Python thinks of bool.
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False, strict=True)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[Point] = Field(
        min_length=1,
        description="Points to classify, each `[x, y]`; the data lies within [-2, 2] on both axes.",
        examples=[[[0.5, -0.25], [-1.0, 1.0]]],
    )


class PredictResponse(BaseModel):
    predictions: list[int] = Field(description="The most probable class of each input.")
    probabilities: list[list[float]] = Field(description="Per input, one probability per class.")
    compute_ns: int = Field(description="Measured time of the model's arithmetic, in ns.")
    flops: int = Field(description="Arithmetic operations the answer took, counted from shapes.")
    fingerprint: str = Field(description="Digest of the weights: it never changes by querying.")


@router.post(
    "/runs/{run_id}/predict",
    response_model=PredictResponse,
    summary="Ask the trained model",
    dependencies=[Depends(limit_predicts)],
    responses={
        400: BAD_BODY,
        404: UNKNOWN_RUN,
        409: error("The run diverged: it has no usable model."),
        413: TOO_LARGE,
        429: error("Too many predict calls from this client; see `Retry-After`."),
        422: {"description": "Inputs of the wrong shape, too many, or not finite numbers."},
    },
)
async def predict(
    run_id: RunIdPath,
    body: PredictRequest,
    spec: RunSpecDep,
    models: ModelsDep,
    settings: SettingsDep,
    request: Request,
) -> PredictResponse:
    """Classify points with the run's trained model (trained on demand if need be)."""
    with request.app.state.metrics.predict_seconds.time():
        return await _predict(run_id, body, spec, models, settings)


async def _predict(
    run_id: str, body: PredictRequest, spec: RunSpec, models: ModelCache, settings: Settings
) -> PredictResponse:
    if len(body.inputs) > settings.max_predict_inputs:
        raise RequestValidationError(
            [
                {
                    "type": "too_long",
                    "loc": ("body", "inputs"),
                    "msg": f"At most {settings.max_predict_inputs} inputs per call",
                    "input": len(body.inputs),
                }
            ]
        )
    trained = await models.get(run_id, spec)
    if trained.model is None:
        step = trained.divergence.step if trained.divergence else "?"
        raise HTTPException(
            409,
            f"Run '{run_id}' diverged at step {step}, so it has no model to ask. "
            "Lower the learning rate and train again.",
        )
    return answer(trained.model, np.asarray(body.inputs, dtype=np.float64))


def answer(model: MLP, x: NDArray[np.float64]) -> PredictResponse:
    """Run inference and measure only the model's own arithmetic."""
    began = time.perf_counter_ns()
    probabilities = model.predict_proba(x)
    compute_ns = time.perf_counter_ns() - began
    return PredictResponse(
        predictions=np.argmax(probabilities, axis=1).tolist(),
        probabilities=np.round(probabilities, 6).tolist(),
        compute_ns=compute_ns,
        flops=model.flops_forward(len(x)),
        fingerprint=model.fingerprint(),
    )
