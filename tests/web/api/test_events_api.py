"""A run's event stream (app/web/api/events.py): start, frames, the end, and resuming."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Event, create_run, frames_of, read_events

STEPS = 30


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "12345678901"])
def test_a_malformed_last_event_id_is_400(client: TestClient, bad: str) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    response = client.get(f"/api/runs/{run_id}/events", headers={"Last-Event-ID": bad})
    assert response.status_code == 400
    assert "Last-Event-ID" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["²", "١٢", "3²"])  # digits to str.isdigit, not to int()
def test_a_last_event_id_of_non_ascii_digits_is_400(client: TestClient, bad: str) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    response = client.get(f"/api/runs/{run_id}/events", params={"last_event_id": bad})
    assert response.status_code == 400
    assert "Last-Event-ID" in response.json()["detail"]


def test_a_stream_sends_start_frames_and_done(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    stream = read_events(client, run_id)
    names = [name for name, _, _ in stream]
    assert names == ["start"] + ["frame"] * STEPS + ["done"]
    frames = frames_of(stream)
    assert [int(i) for name, i, _ in stream if name == "frame"] == list(range(1, STEPS + 1))
    for frame in frames:
        assert {"step", "loss", "val_loss", "counters"} <= frame.keys()
        assert {"steps", "examples_seen", "flops", "compute_ns"} <= frame["counters"].keys()
    assert frames[-1]["step"] == STEPS
    assert frames[0]["surface"] is not None  # the first frame shows the starting guess
    done = stream[-1][2]
    assert done["totals"]["steps"] == STEPS
    assert done["totals"]["flops"] == frames[-1]["counters"]["flops"]
    assert len(done["fingerprint"]) == 16


def test_a_stream_resumes_after_last_event_id(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    whole = read_events(client, run_id)
    resumed = read_events(client, run_id, {"Last-Event-ID": "12"})
    assert [i for _, i, _ in resumed[1:-1]] == [str(i) for i in range(13, STEPS + 1)]

    def numbers(data: dict[str, Any]) -> tuple[Any, ...]:
        return (data["step"], data["loss"], data["val_loss"], data["counters"]["flops"])

    assert [numbers(d) for d in frames_of(resumed)] == [
        numbers(d) for n, i, d in whole if n == "frame" and int(i or 0) > 12
    ]
    assert resumed[-1][2]["fingerprint"] == whole[-1][2]["fingerprint"]


def test_a_diverging_run_ends_with_diverged(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", optimizer="sgd", learning_rate=90, steps=200)
    name, _, data = read_events(client, run_id)[-1]
    assert name == "diverged"
    assert 1 <= data["step"] <= 200
    assert "learning rate" in data["message"]


def test_every_kind_replays_bit_for_bit(client: TestClient) -> None:
    for spec in (
        {"model": "linear", "steps": 40},
        {"model": "digits", "steps": 40},
        {"model": "language", "steps": 40},
    ):
        run_id = create_run(client, **spec)
        first, second = read_events(client, run_id), read_events(client, run_id)

        def numbers(events: list[Event]) -> list[Any]:
            return [(d.get("loss"), d.get("val_loss")) for d in frames_of(events)]

        assert numbers(first) == numbers(second), spec
        assert first[-1][2]["fingerprint"] == second[-1][2]["fingerprint"]
