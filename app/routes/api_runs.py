"""The public JSON API, part one: create a run and stream its training."""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterable
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.deps import (
    AdmissionDep,
    ResumeFromDep,
    RunIdPath,
    RunSpecDep,
    limit_run_creation,
    models_of,
    settings_of,
    specs_of,
)
from app.families import Model
from app.frame_batcher import FrameBatcher
from app.model_cache import BaseRunError, ModelCache
from app.run_specs import AnySpec, MlpSpec, RunSpec
from app.runs import FRAMES_PER_SECOND, Divergence, Execution, Frame, TrainedRun, run_id_for
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
TOO_LARGE: dict[str, Any] = {
    "description": "The body is larger than the server accepts (PHASELAB_MAX_BODY_BYTES).",
    "content": {
        **error("")["content"],
        "text/plain": {"schema": {"type": "string"}},  # when refused before the app reads it
    },
}
UNKNOWN_RUN = error("No run has this id.")


class RunLinks(BaseModel):
    self: str
    events: str
    predict: str
    batching: str
    quantize: str


class RunCreated(BaseModel):
    run_id: str = Field(description="Derived from the spec: the same spec gives the same id.")
    spec: RunSpec
    links: RunLinks


def _links(request: Request, run_id: str) -> RunLinks:
    base = f"/api/runs/{run_id}"
    return RunLinks(
        self=base,
        events=f"{base}/events",
        predict=f"{base}/predict",
        batching=f"{base}/batching",
        quantize=f"{base}/quantize",
    )


def refuse(field: str, message: str, value: object = None, kind: str = "value_error") -> None:
    """Answer 422 the way FastAPI does for a bad body field, with our own message."""
    raise RequestValidationError(
        [{"type": kind, "loc": ("body", field), "msg": message, "input": value}]
    )


async def _check_fine_tuning(spec: MlpSpec, models: ModelCache) -> None:
    """A fine-tuning run needs a trained base of the same shape, or there is nothing to tune."""
    base_id = spec.fine_tune_from
    assert base_id is not None
    base_spec = models.lookup(base_id)
    if base_spec is None:
        refuse("fine_tune_from", f"There is no run '{base_id}' to fine-tune from.", base_id)
    if not isinstance(base_spec, MlpSpec):
        refuse("fine_tune_from", f"Run '{base_id}' is not an mlp run.", base_id)
        return
    if (base_spec.hidden, base_spec.activation) != (spec.hidden, spec.activation):
        refuse(
            "fine_tune_from",
            f"Run '{base_id}' has hidden layers {list(base_spec.hidden)} with "
            f"{base_spec.activation}; fine-tuning keeps the shape, so use the same.",
            base_id,
        )
    try:
        await models.base_model(spec)
    except BaseRunError as error:
        refuse("fine_tune_from", str(error), base_id)


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
async def create_run(spec: RunSpec, request: Request) -> RunCreated:
    """Store the spec and answer its id. Nothing trains until its events are read.

    The spec's `model` picks the kind: `mlp` (2-D classifier), `linear` (1-D regression),
    `digits` (drawn digits) or `language` (next-word model); each has its own fields.
    """
    settings = settings_of(request)
    if spec.steps > settings.max_steps:
        refuse(
            "steps",
            f"Input should be less than or equal to {settings.max_steps}",
            spec.steps,
            "less_than_equal",
        )
    if isinstance(spec, MlpSpec) and spec.fine_tune_from is not None:
        await _check_fine_tuning(spec, models_of(request))
    run_id = run_id_for(spec)
    specs_of(request).put(run_id, spec)
    request.app.state.metrics.runs_created.inc()
    return RunCreated(run_id=run_id, spec=spec, links=_links(request, run_id))


@router.get(
    "/runs/{run_id}",
    response_model=RunCreated,
    summary="A run's spec and links",
    responses={404: UNKNOWN_RUN},
)
async def read_run(run_id: RunIdPath, spec: RunSpecDep, request: Request) -> RunCreated:
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


async def _advance(
    execution: Execution, heavy: bool, with_surface: bool, due: float, frames: FrameBatcher
) -> Frame | Divergence:
    if heavy:
        return await anyio.to_thread.run_sync(execution.advance, with_surface)
    return await frames.next_frame(execution, with_surface, due)


QUEUE_UPDATE_SECONDS = 1.0
# A comment line this often keeps proxies from closing a quiet stream (a queued reader's).
PING_SECONDS = 15


def encode(payload: dict[str, object]) -> str:
    """One frame as compact JSON, encoded once by the standard library.

    Frames hold only plain numbers, lists and dicts, already finite; json.dumps encodes
    them for about a third less CPU than FastAPI's generic encoder (measured,
    docs/benchmarks.md). allow_nan=False makes a stray NaN fail loudly here instead of
    reaching a browser as invalid JSON.
    """
    return json.dumps(payload, separators=(",", ":"), allow_nan=False)


def event(name: str, payload: dict[str, object], event_id: str | None = None) -> ServerSentEvent:
    return ServerSentEvent(data=encode(payload), event=name, id=event_id)


async def _wait_for_slot(admission: Admission) -> AsyncIterable[ServerSentEvent]:
    """While the reader waits for a free slot, tell them their place, and again (checked
    once a second) only when it changes.

    The page reads the message aloud through a live region, so repeating an unchanged
    place would only interrupt; and a class of 160 waiting readers told nothing new every
    second cost the server an event each. sse-starlette's ping keeps the line open.
    """
    told = 0
    while not admission.admitted:
        position = admission.position
        if position != told:
            told = position
            yield event(
                "queued",
                {
                    "position": position,
                    "message": f"The server is busy: you are number {position} in line.",
                },
            )
        await admission.wait(QUEUE_UPDATE_SECONDS)


def _on_the_beat(now: float, interval: float) -> float:
    """The first frame time on or after ``now`` on a grid shared by every stream.

    Streams of one speed that start at different moments then keep the same beat, so
    their frames fall due together and are computed as one batch (app/frame_batcher.py),
    and their timers fire together. The first frame waits at most one interval.
    """
    if interval <= 0:
        return now
    beat = math.ceil(now / interval)
    # now / interval can round up past a whole number when now is itself a beat.
    if (beat - 1) * interval >= now:
        beat -= 1
    return beat * interval


async def _run_events(
    run_id: str,
    spec: AnySpec,
    resume_from: int,
    models: ModelCache,
    base: Model | None,
    frames: FrameBatcher,
) -> AsyncIterable[ServerSentEvent]:
    execution = Execution(spec, base)
    frames_total = len(execution.plan)
    steps_per_frame = spec.steps / frames_total
    heavy = execution.flops_per_step() * steps_per_frame > INLINE_FLOPS_PER_FRAME
    yield event("start", {"run_id": run_id, **execution.start_payload()})

    interval = 0.0 if spec.pace == "instant" else 1.0 / FRAMES_PER_SECOND[spec.speed]
    started = _on_the_beat(time.perf_counter(), interval)
    sent = 0
    last: Frame | None = None
    while not execution.finished:
        replaying = execution.frames_sent < resume_from
        # A replayed frame is wanted now; a new one when its turn in the schedule comes.
        due = time.perf_counter() if replaying else started + (sent + 1) * interval
        outcome = await _advance(execution, heavy, not replaying, due, frames)
        if isinstance(outcome, Divergence):
            models.put(run_id, TrainedRun(None, outcome, last, execution.built))
            yield event(
                "diverged",
                {
                    "step": outcome.step,
                    "loss": outcome.loss,
                    "totals": _totals(outcome),
                    "message": (
                        f"The loss blew up at step {outcome.step}: the learning rate is too high "
                        "for this model. The run stopped; starting again costs the compute again."
                    ),
                },
                str(frames_total + 1),
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
        yield event("frame", outcome.payload(spec.steps), str(outcome.index))

    models.put(run_id, TrainedRun(execution.model, None, last, execution.built))
    yield event(
        "done",
        {
            "run_id": run_id,
            "fingerprint": execution.model.fingerprint(),
            "n_parameters": execution.model.n_parameters,
            "inference_flops_per_query": execution.model.flops_forward(1),
            "final": None if last is None else last.payload(spec.steps),
            "totals": _totals(last),
            "fine_tuned_from": getattr(spec, "fine_tune_from", None),
        },
        str(frames_total + 1),
    )


@router.get(
    "/runs/{run_id}/events",
    response_class=EventSourceResponse,
    summary="Watch a run train (server-sent events)",
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "Server-sent events; each event's data is one JSON object.",
                    }
                }
            },
            "description": (
                "While the server is full, `queued` events give the reader's place in line. "
                "Then a `start` event (the data to plot), one `frame` event per frame (`step`, "
                "`loss`, `val_loss`, accuracies, `counters`, and every few frames a snapshot: "
                "a decision `surface` (mlp), a fitted `curve` (linear) or a `sample` sentence "
                "(language)), then `done` (totals, `fingerprint`) or `diverged`. "
                "Frames carry ids; send `Last-Event-ID` to resume after one. A frame's "
                "`loss` (and `accuracy`, for mlp and digits) are those of the minibatches "
                "trained since the previous frame, each scored before its update; `val_loss` "
                "and `val_accuracy` cover the whole held-out split. `counters.compute_ns` is "
                "measured: a run trained in one batch with others is charged its share."
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
    admission: AdmissionDep,
    request: Request,
) -> EventSourceResponse:
    """Train the run and stream it; a client that disconnects stops the work.

    sse-starlette runs the stream: it watches for the client going away and cancels the
    generator, so an abandoned run stops computing at once and frees its slot.
    """
    finished = request.app.state.metrics.streams_finished
    frames: FrameBatcher = request.app.state.frames
    models = models_of(request)

    async def events() -> AsyncIterable[ServerSentEvent]:
        outcome = "disconnected"
        try:
            async for queued in _wait_for_slot(admission):
                yield queued
            base = await models.base_model(spec)  # checked when the run was created
            stream = _run_events(run_id, spec, resume_from, models, base, frames)
            async for item in stream:
                if item.event in ("done", "diverged"):
                    outcome = item.event
                yield item
        finally:
            finished.labels(outcome).inc()

    return EventSourceResponse(events(), ping=PING_SECONDS, sep="\n")
