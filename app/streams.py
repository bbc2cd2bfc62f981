"""Admission control for live training streams: how many run at once in this process."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StreamSlots:
    """Counts live streams against a cap; a stream holds a slot from its first byte to its end."""

    capacity: int
    live: int = 0
    served: int = field(default=0)

    def try_acquire(self) -> bool:
        if self.live >= self.capacity:
            return False
        self.live += 1
        self.served += 1
        return True

    def release(self) -> None:
        self.live -= 1
