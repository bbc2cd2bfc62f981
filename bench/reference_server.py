"""A reference server for the classroom load benchmark: Phase Lab's run API, canned, no model.

It answers the same three endpoints as the app (create a run, stream its events, predict)
with payloads of the same shape and about the same size, paced at the same frame rate and
sent through the same mechanism (sse-starlette's ``EventSourceResponse`` fed ``ServerSentEvent``
objects, served by the same uvicorn). It trains nothing and keeps nothing but the specs, so
under the same load it shows the floor of this framework on this machine: what any server
written this way pays to hold the streams and serialize the frames. ``bench/bench_load.py``
starts it as its own process, beside the real app, and compares the two.

Run it alone:  python bench/reference_server.py --port 8001
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import time
from collections.abc import AsyncIterable
from typing import Annotated, Literal

import anyio
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.runs.execution import SNAPSHOT_EVERY
from app.runs.kinds import SURFACE_DIGITS, SURFACE_RESOLUTION

# The app's constants (app/runs/execution.py), copied rather than imported so that the reference
# does not move when the app's code does, and loads nothing of the app's engine.
MAX_FRAMES = 100
# The same shapes as the app's frames, taken from the app so the two cannot drift apart.
SURFACE_EVERY = SNAPSHOT_EVERY
FRAMES_PER_SECOND: dict[str, float] = {"slow": 8.0, "normal": 20.0, "fast": 50.0}
VAL_FRACTION = 0.3
# The default 2-16-16-2 network's size and per-query arithmetic, as the app reports them.
N_PARAMETERS = 354
FLOPS_PER_QUERY = 716
FINGERPRINT = "0123456789abcdef"

HiddenLayer = Annotated[int, Field(ge=1, le=64)]


class RunSpec(BaseModel):
    """The app's run spec: same fields, defaults and bounds, so validation costs the same."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Literal["mlp"]
    dataset: Literal["moons", "circles", "spiral", "xor"] = "moons"
    n_samples: int = Field(300, ge=20, le=2000)
    noise: float = Field(0.15, ge=0.0, le=1.0)
    hidden: tuple[HiddenLayer, ...] = Field((16, 16), min_length=1, max_length=4)
    activation: Literal["tanh", "relu"] = "tanh"
    optimizer: Literal["adam", "sgd"] = "adam"
    learning_rate: float = Field(0.01, gt=0.0, le=100.0)
    batch_size: int = Field(32, ge=1, le=512)
    steps: int = Field(400, ge=1, le=5000)
    seed: int = Field(7, ge=0, le=2**31 - 1)
    pace: Literal["watch", "instant"] = "watch"
    speed: Literal["slow", "normal", "fast"] = "normal"

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


class RunLinks(BaseModel):
    self: str
    events: str
    predict: str


class RunCreated(BaseModel):
    run_id: str
    spec: RunSpec
    links: RunLinks


Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[Point] = Field(min_length=1, max_length=1000)


class PredictResponse(BaseModel):
    predictions: list[int]
    probabilities: list[list[float]]
    compute_ns: int
    flops: int
    fingerprint: str


class Canned:
    """Numbers with the shape and the printed width of a real run's, made once at start-up.

    Widths matter more than values here: the cost being measured is JSON encoding and
    sending, which scales with the digits. Losses and accuracies are full-precision floats
    as the app sends them; surface cells are rounded to 3 decimals and saturate towards 0
    and 1 as the run goes on, as a trained model's do (so later surfaces print shorter).
    """

    def __init__(self, n_samples: int = 300) -> None:
        rng = random.Random(0)
        n_val = round(n_samples * VAL_FRACTION)
        n_train = n_samples - n_val
        self.train = self._points(rng, n_train)
        self.val = self._points(rng, n_val)
        self.losses = [0.7 * math.exp(-i / 25) + 0.02 + rng.random() * 1e-3 for i in range(101)]
        self.accuracies = [min(1.0, 0.5 + i / 200 + rng.random() / 100) for i in range(101)]
        axis = [-2.0 + 4.0 * k / (SURFACE_RESOLUTION - 1) for k in range(SURFACE_RESOLUTION)]
        # One surface per surface frame: a tilted boundary that sharpens frame by frame.
        self.surfaces: dict[int, list[list[float]]] = {}
        for index in range(1, MAX_FRAMES + 1):
            sharpness = 0.5 + index / 8
            self.surfaces[index] = [
                [
                    round(
                        1 / (1 + math.exp(-sharpness * (x - 0.5 * y + 0.3 * math.sin(3 * y)))),
                        SURFACE_DIGITS,
                    )
                    for x in axis
                ]
                for y in axis
            ]

    @staticmethod
    def _points(rng: random.Random, n: int) -> dict[str, object]:
        xs = [
            [round(rng.uniform(-1.5, 2.5), 4), round(rng.uniform(-1.0, 1.5), 4)] for _ in range(n)
        ]
        return {"x": xs, "y": [rng.randrange(2) for _ in range(n)]}


async def find_spec(run_id: str, request: Request) -> RunSpec:
    # Async, so FastAPI calls it on the event loop rather than hopping to a worker thread.
    specs: dict[str, RunSpec] = request.app.state.specs
    spec = specs.get(run_id)
    if spec is None:
        raise HTTPException(404, f"No run with id '{run_id}'. Create one with POST /api/runs.")
    return spec


SpecDep = Annotated[RunSpec, Depends(find_spec)]


def compact(payload: dict[str, object]) -> str:
    """JSON the way the app encodes its events (json.dumps, compact)."""
    return json.dumps(payload, separators=(",", ":"))


def frame_steps(steps: int) -> list[int]:
    n_frames = min(steps, MAX_FRAMES)
    return [math.ceil(i * steps / n_frames) for i in range(1, n_frames + 1)]


def frame_payload(
    canned: Canned, index: int, step: int, steps: int, surface: bool
) -> dict[str, object]:
    # A fresh dict per frame, as the app builds one per frame from its Frame.
    batch = min(32, len(canned.train["y"]))  # type: ignore[arg-type]
    return {
        "frame": index,
        "step": step,
        "steps": steps,
        "loss": canned.losses[index],
        "val_loss": canned.losses[index] * 1.0731,
        "accuracy": canned.accuracies[index],
        "val_accuracy": canned.accuracies[index] * 0.9913,
        "counters": {
            "steps": step,
            "examples_seen": step * batch,
            "flops": step * 66_076,
            "compute_ns": step * 168_207,
        },
        "surface": canned.surfaces[index] if surface else None,
    }


def start_payload(canned: Canned, run_id: str, spec: RunSpec, frames: int) -> dict[str, object]:
    return {
        "run_id": run_id,
        "steps": spec.steps,
        "frames": frames,
        "n_parameters": N_PARAMETERS,
        "inference_flops_per_query": FLOPS_PER_QUERY,
        "box": [-2.0, 2.0],
        "surface_resolution": SURFACE_RESOLUTION,
        "train": canned.train,
        "val": canned.val,
    }


def done_payload(run_id: str, spec: RunSpec, last: dict[str, object] | None) -> dict[str, object]:
    totals = {
        "steps": spec.steps,
        "examples_seen": spec.steps * 32,
        "flops": spec.steps * 66_076,
        "compute_ns": spec.steps * 168_207,
    }
    return {
        "run_id": run_id,
        "fingerprint": FINGERPRINT,
        "n_parameters": N_PARAMETERS,
        "inference_flops_per_query": FLOPS_PER_QUERY,
        "final": last,
        "totals": totals,
    }


async def run_events(canned: Canned, run_id: str, spec: RunSpec) -> AsyncIterable[ServerSentEvent]:
    plan = frame_steps(spec.steps)
    yield ServerSentEvent(
        event="start", data=compact(start_payload(canned, run_id, spec, len(plan)))
    )
    interval = 0.0 if spec.pace == "instant" else 1.0 / FRAMES_PER_SECOND[spec.speed]
    started = time.perf_counter()
    last: dict[str, object] | None = None
    for index, step in enumerate(plan, start=1):
        # The app's pacing: a fixed schedule from the start, so one late frame does not
        # push every later one back.
        delay = started + index * interval - time.perf_counter()
        if delay > 0:
            await anyio.sleep(delay)
        surface = index % SURFACE_EVERY == 1 or index == len(plan)
        last = frame_payload(canned, index, step, spec.steps, surface)
        # Encoded as the app encodes its frames (json.dumps, compact), the cheapest way.
        yield ServerSentEvent(event="frame", id=str(index), data=compact(last))
    yield ServerSentEvent(
        event="done", id=str(len(plan) + 1), data=compact(done_payload(run_id, spec, last))
    )


def predict_answer(body: PredictRequest) -> PredictResponse:
    predictions: list[int] = []
    probabilities: list[list[float]] = []
    for x, y in body.inputs:
        # A canned boundary; six decimals, as the app rounds its probabilities.
        p = round(1 / (1 + math.exp(-max(-30.0, min(30.0, 4 * (x - 0.5 * y))))), 6)
        predictions.append(int(p >= 0.5))
        probabilities.append([round(1 - p, 6), p])
    return PredictResponse(
        predictions=predictions,
        probabilities=probabilities,
        compute_ns=9_000,
        flops=FLOPS_PER_QUERY * len(body.inputs),
        fingerprint=FINGERPRINT,
    )


def create_app() -> FastAPI:
    canned = Canned()
    # Specs live in a dict: the reference measures the framework, not a store.
    specs: dict[str, RunSpec] = {}
    app = FastAPI(title="Phase Lab reference (canned)")
    app.state.specs = specs

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/runs", status_code=status.HTTP_201_CREATED, response_model=RunCreated)
    async def create_run(spec: RunSpec) -> RunCreated:
        run_id = hashlib.sha256(spec.canonical_json().encode()).hexdigest()[:16]
        specs[run_id] = spec
        base = f"/api/runs/{run_id}"
        links = RunLinks(self=base, events=f"{base}/events", predict=f"{base}/predict")
        return RunCreated(run_id=run_id, spec=spec, links=links)

    @app.get("/api/runs/{run_id}/events", response_class=EventSourceResponse)
    async def stream_run(run_id: str, spec: SpecDep) -> EventSourceResponse:
        # The spec comes from a dependency, as in the app, so an unknown id is a 404 before
        # the stream starts rather than a stream that breaks after its headers.
        return EventSourceResponse(run_events(canned, run_id, spec), ping=15, sep="\n")

    @app.post("/api/runs/{run_id}/predict", response_model=PredictResponse)
    async def predict(run_id: str, body: PredictRequest, _spec: SpecDep) -> PredictResponse:
        return predict_answer(body)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The same uvicorn settings as `python -m app` (app/__main__.py): default loop and
    # HTTP implementation, info logging with access logs, so both pay the same per request.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
