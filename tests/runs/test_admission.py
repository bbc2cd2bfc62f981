"""Admission control: a cap on live streams, a first-come queue, a bound on the queue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.runs.admission import StreamSlots


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # A thread of its own: the session's Playwright keeps an event loop on the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_slots_queue_and_hand_over_in_order() -> None:
    async def scenario() -> None:
        slots = StreamSlots(capacity=1, max_waiting=2)
        first = slots.admit()
        second = slots.admit()
        third = slots.admit()
        assert first is not None and second is not None and third is not None
        assert first.admitted and not second.admitted and not third.admitted
        assert (second.position, third.position) == (1, 2)
        assert slots.admit() is None  # queue full: refused
        assert slots.refused == 1
        first.close()
        assert await second.wait(0.1) and second.position == 0
        assert third.position == 1 and not third.admitted
        assert slots.live == 1
        third.close()  # gave up waiting
        assert slots.waiting == 0
        second.close()
        assert slots.live == 0

    run(scenario)


def test_a_waiter_who_leaves_after_admission_passes_the_slot_on() -> None:
    async def scenario() -> None:
        slots = StreamSlots(capacity=1, max_waiting=5)
        holder, leaver, patient = slots.admit(), slots.admit(), slots.admit()
        assert holder and leaver and patient
        holder.close()  # the slot goes to `leaver`...
        assert leaver.admitted
        leaver.close()  # ...who left before using it: `patient` gets it
        assert await patient.wait(0.1)
        patient.close()
        assert (slots.live, slots.waiting) == (0, 0)
        leaver.close()  # closing twice changes nothing
        assert slots.live == 0

    run(scenario)
