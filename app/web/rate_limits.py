"""Per-client rate limits: token buckets keyed by a browser's client id, or its address.

A class behind one school router shares one public address, so pages set a random client
cookie and limits count per browser; clients without it (curl, scripts) count per address.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import HTTPException, Request

CLIENT_COOKIE = "phaselab_client"
MAX_TRACKED_CLIENTS = 50_000  # oldest buckets go first; memory stays bounded


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``per_minute`` requests a minute per client, with bursts of up to ``burst``."""

    def __init__(self, name: str, per_minute: int, burst: int) -> None:
        self.name, self.rate, self.burst = name, per_minute / 60.0, float(burst)
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, client: str, now: float | None = None) -> float:
        """0 when allowed (and counted), else the seconds until the next request would be."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(client, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[client] = bucket
        while len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def enforce(self, request: Request) -> None:
        wait = self.check(client_key(request))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise HTTPException(
                429,
                f"Too many {self.name} from this browser; try again in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )


def client_key(request: Request) -> str:
    cookie = request.cookies.get(CLIENT_COOKIE, "")
    if 8 <= len(cookie) <= 64 and cookie.isalnum():
        return "c:" + cookie
    return "a:" + (request.client.host if request.client else "unknown")
