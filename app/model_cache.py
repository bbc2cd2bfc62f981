"""Trained models kept in memory, least recently used first out, rebuilt by replay.

A model can always be rebuilt from its spec, so the cache is only a shortcut: eviction
costs compute, never correctness. Concurrent requests for the same missing model share one
rebuild instead of each training it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import anyio.to_thread

from app.runs import RunSpec, TrainedRun, train_to_end


class ModelCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, TrainedRun] = OrderedDict()
        self._building: dict[str, asyncio.Future[TrainedRun]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, run_id: str, trained: TrainedRun) -> None:
        self._entries[run_id] = trained
        self._entries.move_to_end(run_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def peek(self, run_id: str) -> TrainedRun | None:
        return self._entries.get(run_id)

    async def get(self, run_id: str, spec: RunSpec) -> TrainedRun:
        """The trained run, from memory or rebuilt by replaying its spec off the event loop."""
        cached = self._entries.get(run_id)
        if cached is not None:
            self._entries.move_to_end(run_id)
            return cached
        pending = self._building.get(run_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[TrainedRun] = asyncio.get_running_loop().create_future()
        self._building[run_id] = future
        try:
            trained = await anyio.to_thread.run_sync(train_to_end, spec)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: the waiters, if any, get it re-raised
            raise
        finally:
            del self._building[run_id]
        future.set_result(trained)
        self.put(run_id, trained)
        return trained
