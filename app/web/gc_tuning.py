"""Python's garbage collector, set for a long-running server while the app runs.

Under a class's load the default collector ran often, and each full collection paused the
event loop for tens of milliseconds (measured with bench/bench_load.py: "The garbage
collector set for serving" in docs/benchmarks-history.md). Most of what a full collection
scans was made at start-up and lives as long as the server: the lessons, the figures,
the routes, the imported libraries. Frozen, it is no longer scanned. The young
generation is collected after 10,000 new container objects instead of 700: a question or
a frame makes a few hundred, nearly all freed at once by reference counting, so frequent
young collections found little. Together, in the same round, the collections took a
small fraction of their old time and none was full (the same section).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_GENERATION_THRESHOLD = 10_000


@contextmanager
def tuned_for_serving() -> Iterator[None]:
    """Freeze what exists now and collect the young less often; undone on exit."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        # Put back, so a process that starts and stops many apps (the tests) can still
        # collect what each of them left behind.
        gc.set_threshold(*before)
        gc.unfreeze()
