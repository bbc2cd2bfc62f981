"""Faults against real uvicorn processes: restarts, abrupt kills, a full server."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, sse_events

pytestmark = pytest.mark.server


def read_all(server: LiveServer, run_id: str, headers: dict[str, str] | None = None) -> list[Any]:
    url = f"{server.url}/api/runs/{run_id}/events"
    with httpx.stream("GET", url, headers=headers or {}, timeout=30) as response:
        assert response.status_code == 200
        return sse_events(response.iter_lines())


def test_a_restart_mid_stream_loses_nothing(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    server.start()
    try:
        spec = {"model": "mlp", "steps": 300, "speed": "normal", "seed": 21}
        run_id = httpx.post(f"{server.url}/api/runs", json=spec).json()["run_id"]
        seen: list[str] = []
        with httpx.stream("GET", f"{server.url}/api/runs/{run_id}/events", timeout=30) as stream:
            for line in stream.iter_lines():
                seen.append(line)
                if line == "id: 30":
                    break
        server.stop()  # the server goes away mid-run...
        server.start()  # ...and comes back on the same port and data folder
        last_id = "30"
        resumed = read_all(server, run_id, {"Last-Event-ID": last_id})
        frames = [(i, d) for name, i, d in resumed if name == "frame"]
        assert [i for i, _ in frames] == [str(n) for n in range(31, 101)]
        uninterrupted = {i: d for name, i, d in read_all(server, run_id) if name == "frame"}
        for i, data in frames:
            assert i is not None
            assert data["loss"] == uninterrupted[i]["loss"]
            assert data["counters"]["flops"] == uninterrupted[i]["counters"]["flops"]
        predicted = httpx.post(
            f"{server.url}/api/runs/{run_id}/predict", json={"inputs": [[0.1, 0.2]]}
        )
        assert predicted.status_code == 200
        assert predicted.json()["fingerprint"] == resumed[-1][2]["fingerprint"]
    finally:
        server.stop()


def test_run_ids_from_before_a_restart_still_answer(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    server.start()
    try:
        run_id = httpx.post(f"{server.url}/api/runs", json={"model": "mlp", "steps": 50}).json()[
            "run_id"
        ]
        before = httpx.post(f"{server.url}/api/runs/{run_id}/predict", json={"inputs": [[1, 1]]})
        server.stop()
        server.start()
        after = httpx.post(f"{server.url}/api/runs/{run_id}/predict", json={"inputs": [[1, 1]]})
        assert after.status_code == 200
        assert after.json()["probabilities"] == before.json()["probabilities"]
        assert after.json()["fingerprint"] == before.json()["fingerprint"]
    finally:
        server.stop()


def test_the_store_survives_an_abrupt_kill(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data", {"PHASELAB_RUNS_PER_MINUTE": "10000"})
    server.start()
    created = []
    try:
        with httpx.Client(base_url=server.url) as client:
            for seed in range(40):
                response = client.post("/api/runs", json={"model": "mlp", "seed": seed})
                created.append(response.json()["run_id"])
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)  # no shutdown, no cleanup
        server.process.wait()
        server.process = None
        database = sqlite3.connect(tmp_path / "data" / "runs.sqlite3")
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        database.close()
        server.start()
        for run_id in created:
            assert httpx.get(f"{server.url}/api/runs/{run_id}").status_code == 200
    finally:
        server.stop()


def test_a_full_server_queues_then_refuses(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        {"PHASELAB_MAX_LIVE_STREAMS": "1", "PHASELAB_MAX_QUEUED_STREAMS": "1"},
    )
    server.start()
    try:
        spec = {"model": "mlp", "steps": 100, "speed": "fast"}
        run_id = httpx.post(f"{server.url}/api/runs", json=spec).json()["run_id"]
        url = f"{server.url}/api/runs/{run_id}/events"
        with (
            httpx.Client(timeout=30) as first_client,
            httpx.Client(timeout=30) as second_client,
            first_client.stream("GET", url) as first,
        ):
            first_lines = first.iter_lines()
            assert next(first_lines) == "event: start"
            with second_client.stream("GET", url) as second:
                lines = second.iter_lines()
                assert next(lines) == "event: queued"
                queued = json.loads(next(lines).removeprefix("data: "))
                assert queued["position"] == 1
                assert "number 1 in line" in queued["message"]
                third = httpx.get(url, timeout=5)
                assert third.status_code == 503
                assert third.headers["retry-after"] == "5"
                health = httpx.get(f"{server.url}/healthz").json()
                assert (health["live_streams"], health["queued_streams"]) == (1, 1)
                rest = list(first_lines)  # the first reader finishes...
                assert "event: done" in rest
                events = sse_events(lines)  # ...and the second is served in full
                names = [name for name, _, _ in events]
                # Told its place once: it stayed number 1 for the two seconds it waited.
                assert names == ["start"] + ["frame"] * 100 + ["done"]
    finally:
        server.stop()


def test_a_waiting_reader_is_told_when_their_place_changes(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        {"PHASELAB_MAX_LIVE_STREAMS": "1", "PHASELAB_MAX_QUEUED_STREAMS": "2"},
    )
    server.start()
    try:
        spec = {"model": "mlp", "steps": 100, "speed": "slow"}  # 100 frames: 12 s
        run_id = httpx.post(f"{server.url}/api/runs", json=spec).json()["run_id"]
        url = f"{server.url}/api/runs/{run_id}/events"
        with (
            httpx.Client(timeout=30) as a,
            httpx.Client(timeout=30) as b,
            httpx.Client(timeout=30) as c,
            a.stream("GET", url) as first,
        ):
            # Iterators kept: a dropped one closes its response, and that reader leaves.
            first_lines = first.iter_lines()
            assert next(first_lines) == "event: start"
            with b.stream("GET", url) as second:
                second_lines = second.iter_lines()
                assert next(second_lines) == "event: queued"
                with c.stream("GET", url) as third:
                    lines = third.iter_lines()
                    assert next(lines) == "event: queued"
                    assert json.loads(next(lines).removeprefix("data: "))["position"] == 2
                    second.close()  # the reader ahead gives up...
                    began = time.monotonic()
                    assert next(lines) == ""
                    assert next(lines) == "event: queued"  # ...and this one moves up
                    moved = json.loads(next(lines).removeprefix("data: "))
                    assert moved["position"] == 1
                    assert "number 1 in line" in moved["message"]
                    assert time.monotonic() - began < 3
    finally:
        server.stop()


def test_a_fine_tuned_run_replays_exactly_after_a_restart(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    server.start()
    try:
        base = httpx.post(
            f"{server.url}/api/runs", json={"model": "mlp", "steps": 100, "pace": "instant"}
        ).json()["run_id"]
        spec = {"model": "mlp", "variant": "drift", "steps": 40, "fine_tune_from": base}
        tuned = httpx.post(f"{server.url}/api/runs", json={**spec, "pace": "instant"})
        assert tuned.status_code == 201, tuned.text
        run_id = tuned.json()["run_id"]
        before = read_all(server, run_id)[-1][2]["fingerprint"]
        server.stop()
        server.start()  # both models are gone from memory: each is rebuilt from its spec
        after = httpx.post(f"{server.url}/api/runs/{run_id}/predict", json={"inputs": [[0, 0]]})
        assert after.status_code == 200
        assert after.json()["fingerprint"] == before
    finally:
        server.stop()


def test_two_worker_processes_share_runs_through_the_store(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data", {"PHASELAB_WORKERS": "2"})
    server.start()
    try:
        run_ids = [
            httpx.post(
                f"{server.url}/api/runs",
                json={"model": "mlp", "steps": 30, "seed": seed, "pace": "instant"},
            ).json()["run_id"]
            for seed in range(6)
        ]
        # Each request may land on either process: every run is found and answers the same.
        for run_id in run_ids:
            done = read_all(server, run_id)[-1][2]
            for _ in range(3):
                answer = httpx.post(
                    f"{server.url}/api/runs/{run_id}/predict", json={"inputs": [[0.2, 0.1]]}
                )
                assert answer.json()["fingerprint"] == done["fingerprint"]
    finally:
        server.stop()
