"""Watch a run train, as server-sent events (the events themselves: app/runs/pacing.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.runs.pacing import Event, run_events, wait_for_slot
from app.web.api.responses import UNKNOWN_RUN, error
from app.web.deps import AdmissionDep, ResumeFromDep, RunIdPath, RunSpecDep, services_of

router = APIRouter(prefix="/api", tags=["runs"])

# A comment line this often keeps proxies from closing a quiet stream (a queued reader's).
PING_SECONDS = 15

STREAM_DESCRIPTION = (
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
)


def encode(payload: dict[str, object]) -> str:
    """One event's data as compact JSON, encoded once by the standard library.

    Frames hold only plain numbers, lists and dicts, already finite; json.dumps encodes
    them for less CPU than FastAPI's generic encoder (see "Encoding frames" in
    docs/benchmarks-history.md). allow_nan=False makes a stray NaN fail loudly here
    instead of reaching a browser as invalid JSON.
    """
    return json.dumps(payload, separators=(",", ":"), allow_nan=False)


def sse(item: Event) -> ServerSentEvent:
    return ServerSentEvent(data=encode(item.payload), event=item.name, id=item.id)


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
            "description": STREAM_DESCRIPTION,
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
    services = services_of(request)
    finished = services.metrics.streams_finished
    models = services.models

    async def events() -> AsyncIterator[ServerSentEvent]:
        outcome = "disconnected"
        try:
            async for queued in wait_for_slot(admission):
                yield sse(queued)
            base = await models.base_model(spec)  # checked when the run was created
            stream = run_events(run_id, spec, resume_from, models, base, services.batcher)
            async for item in stream:
                if item.name in ("done", "diverged"):
                    outcome = item.name
                yield sse(item)
        finally:
            finished.labels(outcome).inc()

    return EventSourceResponse(events(), ping=PING_SECONDS, sep="\n")
