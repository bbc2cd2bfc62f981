"""The frame batcher: requests due together are computed together, shortly before they are due."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import app.runs.class_batcher
import app.runs.execution
from app.runs.class_batcher import ClassBatcher
from app.runs.execution import Divergence, Execution, Frame
from app.runs.specs import MlpSpec

SPECS = [MlpSpec(model="mlp", steps=20, seed=seed) for seed in range(4)]


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a scenario on an event loop; a waiter the batcher never answers fails in 10 s."""

    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout=10)

    # A thread of its own: the session's Playwright keeps an event loop on the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bounded()).result()


def numbers(outcome: Frame | Divergence, steps: int) -> dict[str, object]:
    assert isinstance(outcome, Frame)
    payload = copy.deepcopy(outcome.payload(steps))
    counters = payload["counters"]
    assert isinstance(counters, dict)
    counters.pop("compute_ns")
    return payload


def test_requests_due_together_are_one_batch_with_the_numbers_of_alone() -> None:
    sizes: list[int] = []

    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.01, on_batch=lambda size, _seconds: sizes.append(size))
        executions = [Execution(spec) for spec in SPECS]
        got: list[list[dict[str, object]]] = [[] for _ in SPECS]
        for frame in range(1, 4):  # three frames in a row, each a batch of all four
            due = time.perf_counter() + 0.02
            outcomes = await asyncio.gather(*(batcher.next_frame(e, True, due) for e in executions))
            for spec, outcome, frames in zip(SPECS, outcomes, got, strict=True):
                assert isinstance(outcome, Frame) and outcome.index == frame
                frames.append(numbers(outcome, spec.steps))
        assert sizes == [4, 4, 4]
        for spec, execution, frames in zip(SPECS, executions, got, strict=True):
            reference = Execution(spec)
            assert frames == [numbers(reference.advance(True), spec.steps) for _ in range(3)]
            assert reference.model.fingerprint() == execution.model.fingerprint()

    run(scenario)


def test_frames_match_alone_whichever_batch_computed_them() -> None:
    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.005)
        executions = [Execution(spec) for spec in SPECS]
        got: list[list[dict[str, object]]] = [[] for _ in SPECS]
        # Runs whose requests arrive with different dues: batches of changing make-up.
        for round_ in range(4):
            now = time.perf_counter()
            dues = [now + 0.01 * ((i + round_) % 2) for i in range(len(SPECS))]
            outcomes = await asyncio.gather(
                *(batcher.next_frame(e, True, d) for e, d in zip(executions, dues, strict=True))
            )
            for i, outcome in enumerate(outcomes):
                got[i].append(numbers(outcome, SPECS[i].steps))
        for spec, frames in zip(SPECS, got, strict=True):
            reference = Execution(spec)
            assert frames == [numbers(reference.advance(True), spec.steps) for _ in range(4)]

    run(scenario)


def test_a_future_request_is_computed_at_due_minus_lead_and_handed_over_at_due() -> None:
    # Wide margins, so a busy machine (CI) cannot make the timings flake.
    lead, ahead = 0.1, 0.4
    computed_at: list[float] = []

    async def scenario() -> None:
        batcher = ClassBatcher(
            lead=lead, on_batch=lambda _size, _seconds: computed_at.append(time.perf_counter())
        )
        execution = Execution(SPECS[0])
        due = time.perf_counter() + ahead
        task = asyncio.ensure_future(batcher.next_frame(execution, True, due))
        await asyncio.sleep(ahead - lead - 0.03)
        assert not task.done() and computed_at == [] and execution.frames_sent == 0
        outcome = await task
        resolved_at = time.perf_counter()
        assert isinstance(outcome, Frame) and outcome.index == 1
        assert len(computed_at) == 1
        assert computed_at[0] >= due - lead - 0.002  # not computed early
        assert computed_at[0] <= due  # but before it is due
        assert resolved_at >= due - 0.002  # handed over when due, not when computed
        assert resolved_at <= due + 0.25  # and on time, give or take the machine

    run(scenario)


def test_a_request_past_its_due_is_computed_at_once() -> None:
    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.015)
        execution = Execution(SPECS[0])
        started = time.perf_counter()
        outcome = await batcher.next_frame(execution, True, started - 1.0)
        assert isinstance(outcome, Frame)
        assert time.perf_counter() - started < 0.2

    run(scenario)


def test_a_cancelled_request_is_dropped_and_its_batch_still_served() -> None:
    sizes: list[int] = []

    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.01, on_batch=lambda size, _seconds: sizes.append(size))
        left, stays = Execution(SPECS[0]), Execution(SPECS[1])
        due = time.perf_counter() + 0.05
        leaving = asyncio.ensure_future(batcher.next_frame(left, True, due))
        staying = asyncio.ensure_future(batcher.next_frame(stays, True, due))
        await asyncio.sleep(0)  # both requests are pending now
        leaving.cancel()
        outcome = await staying
        assert isinstance(outcome, Frame) and outcome.index == 1
        with pytest.raises(asyncio.CancelledError):
            await leaving
        assert left.frames_sent == 0 and left.trainer.step == 0
        assert stays.frames_sent == 1
        assert sizes == [1]
        # The run that was left behind can still be asked for a frame later: its first.
        again = await batcher.next_frame(left, True, time.perf_counter())
        assert isinstance(again, Frame) and again.index == 1
        assert numbers(again, 20) == numbers(Execution(SPECS[0]).advance(True), 20)

    run(scenario)


def test_a_batch_of_only_cancelled_requests_computes_nothing() -> None:
    sizes: list[int] = []

    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.01, on_batch=lambda size, _seconds: sizes.append(size))
        execution = Execution(SPECS[0])
        task = asyncio.ensure_future(
            batcher.next_frame(execution, True, time.perf_counter() + 0.03)
        )
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.sleep(0.05)
        assert sizes == [] and execution.frames_sent == 0

    run(scenario)


def test_an_error_in_a_batch_reaches_each_waiter_and_later_requests_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = app.runs.execution.advance_together
    calls: list[int] = []

    def fails_once(executions: Sequence[Execution], flags: Sequence[bool]) -> list[Any]:
        calls.append(len(executions))
        if len(calls) == 1:
            raise RuntimeError("boom in the batch")
        return real(executions, flags)

    monkeypatch.setattr(app.runs.class_batcher, "advance_together", fails_once)
    sizes: list[int] = []

    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.01, on_batch=lambda size, _seconds: sizes.append(size))
        executions = [Execution(spec) for spec in SPECS[:3]]
        due = time.perf_counter() + 0.02
        results = await asyncio.gather(
            *(batcher.next_frame(e, True, due) for e in executions), return_exceptions=True
        )
        assert len(results) == 3
        for result in results:
            assert isinstance(result, RuntimeError) and str(result) == "boom in the batch"
        later = await batcher.next_frame(executions[0], True, time.perf_counter() + 0.01)
        assert isinstance(later, Frame) and later.index == 1
        both = await asyncio.gather(
            *(batcher.next_frame(e, True, time.perf_counter()) for e in executions[1:])
        )
        assert all(isinstance(o, Frame) for o in both)

    run(scenario)
    assert calls[0] == 3 and sizes[0] == 3
    assert len(calls) >= 2


def test_a_failing_report_does_not_leave_readers_waiting() -> None:
    def broken(size: int, seconds: float) -> None:
        raise ValueError("metrics are broken")

    async def scenario() -> None:
        batcher = ClassBatcher(lead=0.01, on_batch=broken)
        executions = [Execution(spec) for spec in SPECS[:2]]
        now = time.perf_counter()
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(batcher.next_frame(e, True, now) for e in executions)), 5
        )
        assert [o.index for o in outcomes if isinstance(o, Frame)] == [1, 1]

    run(scenario)
