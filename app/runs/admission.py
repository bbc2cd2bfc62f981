"""Admission control for live training streams: a cap per process, and a fair queue behind it.

A stream holds a slot from admission to its last event. When every slot is busy, newcomers
wait in a first-come queue (and are told their place) up to a bound; beyond that they are
refused with 503 and Retry-After, so a class pressing "Train" together is served in turn
instead of every stream slowing down at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field


@dataclass
class StreamSlots:
    capacity: int
    max_waiting: int
    live: int = 0
    refused: int = 0
    _waiters: deque[asyncio.Future[None]] = field(default_factory=deque)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def admit(self) -> Admission | None:
        """A held slot, a place in the queue, or None when the queue is full too."""
        if self.live < self.capacity and not self._waiters:
            self.live += 1
            return Admission(self, None)
        if len(self._waiters) >= self.max_waiting:
            self.refused += 1
            return None
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(ticket)
        return Admission(self, ticket)

    def position(self, ticket: asyncio.Future[None]) -> int:
        return self._waiters.index(ticket) + 1 if ticket in self._waiters else 0

    def _release(self) -> None:
        # Hand the slot straight to the first waiter, so nobody can jump the queue.
        while self._waiters:
            ticket = self._waiters.popleft()
            if not ticket.done():
                ticket.set_result(None)
                return
        self.live -= 1

    def _withdraw(self, ticket: asyncio.Future[None]) -> None:
        if ticket in self._waiters:
            self._waiters.remove(ticket)
        elif ticket.done() and not ticket.cancelled():
            self._release()  # admitted but gone before using it: pass the slot on
        ticket.cancel()


class Admission:
    """One request's claim: either a slot now, or a ticket that becomes one."""

    def __init__(self, slots: StreamSlots, ticket: asyncio.Future[None] | None) -> None:
        self._slots, self._ticket = slots, ticket
        self._closed = False

    @property
    def admitted(self) -> bool:
        return self._ticket is None or (self._ticket.done() and not self._ticket.cancelled())

    @property
    def position(self) -> int:
        return 0 if self._ticket is None else self._slots.position(self._ticket)

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the slot; True once it is held."""
        if self.admitted:
            return True
        assert self._ticket is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._ticket), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._ticket is None:
            self._slots._release()
        else:
            self._slots._withdraw(self._ticket)
