"""The token bucket behind the per-client limits."""

from __future__ import annotations

from app.web.rate_limits import RateLimiter


def test_a_burst_then_the_steady_rate() -> None:
    limiter = RateLimiter("things", per_minute=60, burst=3)  # one a second
    assert [limiter.check("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.check("a", now=0.0) == 1.0  # empty: the next token is a second away
    assert limiter.check("a", now=0.5) == 0.5
    assert limiter.check("a", now=1.0) == 0.0
    assert limiter.check("b", now=1.0) == 0.0  # each client has its own bucket


def test_the_bucket_refills_only_to_the_burst() -> None:
    limiter = RateLimiter("things", per_minute=60, burst=2)
    limiter.check("a", now=0.0)
    allowed = [limiter.check("a", now=1000.0) == 0.0 for _ in range(4)]
    assert allowed == [True, True, False, False]
