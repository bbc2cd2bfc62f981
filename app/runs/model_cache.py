"""Trained models kept in memory, least recently used first out, rebuilt by replay.

A model can always be rebuilt from its spec, so the cache is only a shortcut: eviction
costs compute, never correctness. Concurrent requests for the same missing model share one
rebuild instead of each training it. A fine-tuning run's base model is fetched (or rebuilt)
through the same cache first.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable

import anyio.to_thread

from app.runs.execution import TrainedRun, train_to_end
from app.runs.kinds import Model
from app.runs.specs import AnySpec, MlpSpec

FindSpec = Callable[[str], AnySpec | None]


class BaseRunError(Exception):
    """A fine-tuning run whose base run is missing or has no model."""


class ModelCache:
    def __init__(self, capacity: int, lookup: FindSpec) -> None:
        self.capacity = capacity
        self._lookup = lookup
        self._entries: OrderedDict[str, TrainedRun] = OrderedDict()
        self._building: dict[str, asyncio.Future[TrainedRun]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, run_id: str, trained: TrainedRun) -> None:
        self._entries[run_id] = trained
        self._entries.move_to_end(run_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def lookup(self, run_id: str) -> AnySpec | None:
        return self._lookup(run_id)

    async def base_model(self, spec: AnySpec) -> Model | None:
        """The trained model a fine-tuning spec starts from; None for any other spec."""
        if not isinstance(spec, MlpSpec) or spec.fine_tune_from is None:
            return None
        base_id = spec.fine_tune_from
        base_spec = self._lookup(base_id)
        if base_spec is None:
            raise BaseRunError(f"There is no run '{base_id}' to fine-tune from.")
        base = await self.get(base_id, base_spec)
        if base.model is None:
            step = base.divergence.step if base.divergence else "?"
            raise BaseRunError(
                f"Run '{base_id}' diverged at step {step}: it has no model to fine-tune."
            )
        return base.model

    async def get(self, run_id: str, spec: AnySpec) -> TrainedRun:
        """The trained run, from memory or rebuilt by replaying its spec off the event loop.

        The rebuild is a task of its own, which every asker awaits through a shield: an
        asker who goes away (a reader who closed the page) stops waiting, and nobody
        else's answer is lost with it.
        """
        cached = self._entries.get(run_id)
        if cached is not None:
            self._entries.move_to_end(run_id)
            return cached
        building = self._building.get(run_id)
        if building is None:
            building = asyncio.ensure_future(self._rebuild(run_id, spec))
            self._building[run_id] = building  # held until done, so it is never collected
            building.add_done_callback(lambda done: self._finished(run_id, done))
        return await asyncio.shield(building)

    async def _rebuild(self, run_id: str, spec: AnySpec) -> TrainedRun:
        base = await self.base_model(spec)
        trained = await anyio.to_thread.run_sync(train_to_end, spec, base)
        self.put(run_id, trained)
        return trained

    def _finished(self, run_id: str, done: asyncio.Future[TrainedRun]) -> None:
        del self._building[run_id]
        if not done.cancelled():
            done.exception()  # retrieved: every asker still waiting has it raised to them
