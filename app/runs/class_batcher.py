"""Training a class together: the next frames of runs waiting at once, in one computation.

When thirty learners press Train in the same minute, each of their streams asks for its
next frame every 50 ms. Computed one by one, a small network's step is mostly numpy's
per-call overhead; computed together (app.runs.execution.advance_together), that overhead is paid
once per group. This is the dynamic batching an inference server does for its users,
applied to training: a frame is computed shortly before it is due, so a request waits
a little for others to arrive, and every run waiting at that moment joins the batch.

A run's numbers do not depend on the batch it was computed in (advance_together keeps
each run's arithmetic its own); only its measured compute time does, because a run
trained beside others is charged its share of one computation.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.runs.execution import Divergence, Execution, Frame, advance_together

log = logging.getLogger("phaselab.frames")

# A batch runs this long before the earliest frame in it is due: time enough to compute
# a batch of the largest class one process serves (a few ms) without the frame being late.
LEAD_SECONDS = 0.015


@dataclass
class _Request:
    execution: Execution
    with_snapshot: bool
    future: asyncio.Future[Frame | Divergence]
    due: float


class ClassBatcher:
    """Collects requests for next frames and computes them together, on the event loop."""

    def __init__(
        self, lead: float = LEAD_SECONDS, on_batch: Callable[[int, float], None] | None = None
    ) -> None:
        self.lead = lead
        # Told each batch's size and the CPU seconds it took (for /metrics).
        self._on_batch = on_batch
        self._pending: list[_Request] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf  # perf_counter time the timer fires

    async def next_frame(
        self, execution: Execution, with_snapshot: bool, due: float
    ) -> Frame | Divergence:
        """The execution's next frame, handed over at ``due`` (a time.perf_counter() time).

        The batch is computed a little before ``due`` and each frame is handed over when
        it is due, so a stream needs no timer of its own (one timer per batch serves every
        stream in it). A frame already late is handed over at once. A request whose
        waiter goes away (a reader who left) is dropped before its batch runs, so an
        abandoned run computes nothing more.
        """
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a test's): forget the old one's
            self._loop, self._pending, self._timer, self._timer_at = loop, [], None, math.inf
        future: asyncio.Future[Frame | Divergence] = loop.create_future()
        self._pending.append(_Request(execution, with_snapshot, future, due))
        fire_at = due - self.lead
        if fire_at < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = fire_at
            self._timer = loop.call_later(max(0.0, fire_at - time.perf_counter()), self._run)
        return await future

    def _report(self, size: int, seconds: float) -> None:
        if self._on_batch is None:
            return
        try:
            self._on_batch(size, seconds)
        except Exception:  # a failed metric must not leave a batch's readers waiting
            log.exception("reporting a batch of %d frames failed", size)

    def _run(self) -> None:
        self._timer, self._timer_at = None, math.inf
        requests = [r for r in self._pending if not r.future.done()]
        self._pending = []
        if not requests:
            return
        began = time.thread_time()  # this thread's CPU: the event loop's, nobody else's
        try:
            outcomes = advance_together(
                [r.execution for r in requests], [r.with_snapshot for r in requests]
            )
        except Exception as error:  # a bug: fail these streams, keep serving the rest
            log.exception("computing a batch of %d frames failed", len(requests))
            for request in requests:
                request.future.set_exception(error)
            return
        finally:
            self._report(len(requests), time.thread_time() - began)
        now = time.perf_counter()
        on_time: dict[float, list[tuple[_Request, Frame | Divergence]]] = {}
        for request, outcome in zip(requests, outcomes, strict=True):
            on_time.setdefault(max(request.due, now), []).append((request, outcome))
        for due, handed in on_time.items():
            if due <= now:
                _hand_over(handed)
            else:
                asyncio.get_running_loop().call_later(due - now, _hand_over, handed)


def _hand_over(handed: list[tuple[_Request, Frame | Divergence]]) -> None:
    for request, outcome in handed:
        if not request.future.done():  # its reader may have left since it was computed
            request.future.set_result(outcome)
