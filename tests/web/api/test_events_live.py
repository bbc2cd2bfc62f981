"""The event stream against a real uvicorn process: paced, resumable, and freed on disconnect."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.server


def create(server: LiveServer, **fields: Any) -> str:
    spec = {"model": "mlp", "steps": 40, "speed": "fast", **fields}
    response = httpx.post(f"{server.url}/api/runs", json=spec)
    assert response.status_code == 201
    return str(response.json()["run_id"])


def read_events(
    server: LiveServer, run_id: str, headers: dict[str, str] | None = None
) -> list[tuple[float, str, str | None, dict[str, Any]]]:
    """(arrival time, event, id, data) for each event, read as the bytes arrive."""
    out: list[tuple[float, str, str | None, dict[str, Any]]] = []
    url = f"{server.url}/api/runs/{run_id}/events"
    with httpx.stream("GET", url, headers=headers or {}, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers  # never compressed
        event: dict[str, str] = {}
        for line in response.iter_lines():
            if not line:
                if "event" in event:
                    data = json.loads(event["data"])
                    out.append((time.monotonic(), event["event"], event.get("id"), data))
                event = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                event[key] = value
    return out


def test_frames_arrive_one_by_one_at_the_watching_pace(live_server: LiveServer) -> None:
    run_id = create(live_server)  # 40 frames at 50 frames a second: about 0.8 s
    stream = read_events(live_server, run_id, {"Accept-Encoding": "gzip"})
    frames = [(t, data) for t, name, _, data in stream if name == "frame"]
    assert len(frames) == 40
    spread = frames[-1][0] - frames[0][0]
    assert 0.6 < spread < 5.0, spread  # paced, not dumped at once
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(frames)]
    assert sorted(gaps)[len(gaps) // 2] > 0.01  # the typical frame came on its own


def test_instant_pace_sends_as_fast_as_it_computes(live_server: LiveServer) -> None:
    run_id = create(live_server, pace="instant")
    stream = read_events(live_server, run_id)
    assert stream[-1][0] - stream[0][0] < 0.6
    assert stream[-1][1] == "done"


def test_last_event_id_resumes_with_identical_numbers(live_server: LiveServer) -> None:
    run_id = create(live_server)
    whole = read_events(live_server, run_id)
    resumed = read_events(live_server, run_id, {"Last-Event-ID": "25"})
    assert resumed[0][1] == "start"
    assert [i for _, name, i, _ in resumed if name == "frame"] == [str(i) for i in range(26, 41)]
    expected = {i: d for _, name, i, d in whole if name == "frame"}
    for _, name, i, data in resumed:
        if name == "frame":
            assert i is not None
            assert (data["loss"], data["val_loss"], data["step"]) == (
                expected[i]["loss"],
                expected[i]["val_loss"],
                expected[i]["step"],
            )
    assert resumed[-1][3]["fingerprint"] == whole[-1][3]["fingerprint"]


def live_streams(server: LiveServer) -> int:
    return int(httpx.get(f"{server.url}/healthz").json()["live_streams"])


def test_a_client_that_disconnects_frees_its_run(live_server: LiveServer) -> None:
    run_id = create(live_server, steps=2000, speed="slow")  # 100 frames at 8 a second: 12 s
    url = f"{live_server.url}/api/runs/{run_id}/events"
    with httpx.stream("GET", url, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("event: frame"):
                # checked while still reading: leaving iter_lines closes the connection
                assert live_streams(live_server) == 1
                break
    deadline = time.monotonic() + 3
    while live_streams(live_server) != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_streams(live_server) == 0


def test_predict_over_http_uses_the_streamed_model(live_server: LiveServer) -> None:
    run_id = create(live_server, pace="instant")
    done = read_events(live_server, run_id)[-1][3]
    response = httpx.post(
        f"{live_server.url}/api/runs/{run_id}/predict", json={"inputs": [[0.3, 0.3]]}
    )
    assert response.status_code == 200
    assert response.json()["fingerprint"] == done["fingerprint"]
