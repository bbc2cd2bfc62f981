"""A watched run's events, paced for the eye on a beat every stream shares.

Plain Python, no HTTP: ``run_events`` yields ``Event`` values (a name, a JSON-ready
payload, an optional id), and the web layer encodes them as server-sent events.

The events of one stream: ``queued`` while the reader waits for a slot (only when their
place changes), ``start`` (the run's shape and data), one ``frame`` per frame, then
``done`` or ``diverged``. A stream that resumes after frame k replays frames 1..k without
sending or pacing them, then goes on: a run is a pure function of its spec.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import anyio.to_thread

from app.runs.admission import Admission
from app.runs.class_batcher import ClassBatcher
from app.runs.execution import Divergence, Execution, Frame, TrainedRun
from app.runs.kinds import Model
from app.runs.model_cache import ModelCache
from app.runs.specs import FRAMES_PER_SECOND, AnySpec

# Above this much arithmetic per frame, training moves off the event loop so other
# readers' frames keep their pace; below it, a thread hop would cost more than it saves.
INLINE_FLOPS_PER_FRAME = 5_000_000
QUEUE_UPDATE_SECONDS = 1.0


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, object]
    id: str | None = None


def on_the_beat(now: float, interval: float) -> float:
    """The first frame time on or after ``now`` on a grid shared by every stream.

    Streams of one speed that start at different moments then keep the same beat, so
    their frames fall due together and are computed as one batch (app/runs/class_batcher.py),
    and their timers fire together. The first frame waits at most one interval.
    """
    if interval <= 0:
        return now
    beat = math.ceil(now / interval)
    # now / interval can round up past a whole number when now is itself a beat.
    if (beat - 1) * interval >= now:
        beat -= 1
    return beat * interval


async def wait_for_slot(admission: Admission) -> AsyncIterator[Event]:
    """While the reader waits for a free slot, tell them their place, and again (checked
    once a second) only when it changes.

    The page reads the message aloud through a live region, so repeating an unchanged
    place would only interrupt; and a class of 160 waiting readers told nothing new every
    second cost the server an event each.
    """
    told = 0
    while not admission.admitted:
        position = admission.position
        if position != told:
            told = position
            yield Event(
                "queued",
                {
                    "position": position,
                    "message": f"The server is busy: you are number {position} in line.",
                },
            )
        await admission.wait(QUEUE_UPDATE_SECONDS)


def totals(frame: Frame | Divergence | None) -> dict[str, int]:
    """What a run has cost so far: steps, examples, arithmetic and measured compute."""
    if frame is None:
        return {"steps": 0, "examples_seen": 0, "flops": 0, "compute_ns": 0}
    return {
        "steps": frame.step,
        "examples_seen": frame.examples_seen,
        "flops": frame.flops,
        "compute_ns": frame.compute_ns,
    }


def diverged_event(divergence: Divergence, frames_total: int) -> Event:
    return Event(
        "diverged",
        {
            "step": divergence.step,
            "loss": divergence.loss,
            "totals": totals(divergence),
            "message": (
                f"The loss blew up at step {divergence.step}: the learning rate is too high "
                "for this model. The run stopped; starting again costs the compute again."
            ),
        },
        str(frames_total + 1),
    )


def done_event(run_id: str, execution: Execution, last: Frame | None) -> Event:
    spec, model = execution.spec, execution.model
    return Event(
        "done",
        {
            "run_id": run_id,
            "fingerprint": model.fingerprint(),
            "n_parameters": model.n_parameters,
            "inference_flops_per_query": model.flops_forward(1),
            "final": None if last is None else last.payload(spec.steps),
            "totals": totals(last),
            "fine_tuned_from": getattr(spec, "fine_tune_from", None),
        },
        str(len(execution.plan) + 1),
    )


class PacedRun:
    """One reader's execution of a run: which frames to replay, when each new one is due."""

    def __init__(self, spec: AnySpec, base: Model | None, resume_from: int) -> None:
        self.execution = Execution(spec, base)
        self.resume_from = resume_from
        steps_per_frame = spec.steps / len(self.execution.plan)
        self.heavy = self.execution.flops_per_step() * steps_per_frame > INLINE_FLOPS_PER_FRAME
        interval = 0.0 if spec.pace == "instant" else 1.0 / FRAMES_PER_SECOND[spec.speed]
        self.interval = interval
        self.started = on_the_beat(time.perf_counter(), interval)
        self.sent = 0

    @property
    def replaying(self) -> bool:
        return self.execution.frames_sent < self.resume_from

    def due(self) -> float:
        """A replayed frame is wanted now; a new one when its turn in the schedule comes."""
        if self.replaying:
            return time.perf_counter()
        return self.started + (self.sent + 1) * self.interval

    async def advance(self, batcher: ClassBatcher) -> Frame | Divergence:
        with_snapshot = not self.replaying
        if self.heavy:
            return await anyio.to_thread.run_sync(self.execution.advance, with_snapshot)
        return await batcher.next_frame(self.execution, with_snapshot, self.due())

    async def wait_for_turn(self) -> None:
        """Pace against a fixed schedule, so slow frames do not push every later one back."""
        self.sent += 1
        delay = self.started + self.sent * self.interval - time.perf_counter()
        if delay > 0:
            await anyio.sleep(delay)


async def run_events(
    run_id: str,
    spec: AnySpec,
    resume_from: int,
    models: ModelCache,
    base: Model | None,
    batcher: ClassBatcher,
) -> AsyncIterator[Event]:
    """Train the run frame by frame, paced, and keep its model in the cache at the end."""
    paced = PacedRun(spec, base, resume_from)
    execution = paced.execution
    yield Event("start", {"run_id": run_id, **execution.start_payload()})
    last: Frame | None = None
    while not execution.finished:
        replaying = paced.replaying
        outcome = await paced.advance(batcher)
        if isinstance(outcome, Divergence):
            models.put(run_id, TrainedRun(None, outcome, last, execution.setup))
            yield diverged_event(outcome, len(execution.plan))
            return
        last = outcome
        if replaying:
            continue
        await paced.wait_for_turn()
        yield Event("frame", outcome.payload(spec.steps), str(outcome.index))
    models.put(run_id, TrainedRun(execution.model, None, last, execution.setup))
    yield done_event(run_id, execution, last)
