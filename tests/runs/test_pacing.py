"""Streams go through the frame batcher: batch sizes on /metrics, and a beat shared by streams."""

from __future__ import annotations

import math
import random
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runs.pacing import on_the_beat
from tests.conftest import read_events


def stream(client: TestClient, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) for every event of a run's stream, read to its end."""
    return [(name, data) for name, _, data in read_events(client, run_id)]


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match is not None, f"{name} not in /metrics"
    return float(match.group(1))


def test_metrics_count_the_batches_a_stream_was_computed_in(client: TestClient) -> None:
    before = client.get("/metrics").text
    assert metric(before, "phaselab_frame_batch_size_count") == 0
    response = client.post("/api/runs", json={"model": "mlp", "steps": 30, "pace": "instant"})
    assert response.status_code == 201
    events = stream(client, response.json()["run_id"])
    frames = [data for name, data in events if name == "frame"]
    assert len(frames) == 30 and events[-1][0] == "done"
    text = client.get("/metrics").text
    count = metric(text, "phaselab_frame_batch_size_count")
    assert count >= 1
    # Every frame was computed in exactly one batch: the sizes add up to the frames.
    assert metric(text, "phaselab_frame_batch_size_sum") == 30
    assert count <= 30
    # The CPU time those batches took is counted too (30 frames of training: not zero).
    assert metric(before, "phaselab_frame_compute_seconds_total") == 0
    assert metric(text, "phaselab_frame_compute_seconds_total") > 0


@pytest.mark.parametrize("interval", [1 / 8, 1 / 20, 1 / 50, 0.1, 0.3])
def test_the_beat_is_on_a_grid_shared_by_every_stream(interval: float) -> None:
    rng = random.Random(interval)
    for now in [0.0, interval, *(rng.uniform(0, 1e6) for _ in range(2000))]:
        beat = on_the_beat(now, interval)
        assert now <= beat < now + interval, (now, interval, beat)
        cells = beat / interval
        assert abs(cells - round(cells)) <= 1e-6 * max(1.0, cells), (now, interval, beat)
    # Two streams starting at different moments of one interval share the next beat.
    start = 1234 * interval
    assert on_the_beat(start + 0.1 * interval, interval) == on_the_beat(
        start + 0.9 * interval, interval
    )
    assert math.isclose(on_the_beat(start + 0.1 * interval, interval), 1235 * interval)


@pytest.mark.parametrize("interval", [1 / 20, 0.1])
def test_a_start_on_a_beat_is_that_beat(interval: float) -> None:
    # A time that is k intervals, as floating point computes it, is on the grid already:
    # its first beat on or after it is itself, not one interval later.
    for k in range(1, 200):
        now = k * interval
        assert on_the_beat(now, interval) < now + interval, (k, now)


@pytest.mark.parametrize("interval", [0.0, -1.0])
def test_no_interval_means_now(interval: float) -> None:
    for now in [0.0, 1.5, 98765.4321]:
        assert on_the_beat(now, interval) == now
