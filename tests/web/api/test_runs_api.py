"""The JSON API's answers: status codes, messages a person can act on, and the contract."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import read_events

SMALL = {"model": "mlp", "steps": 30, "pace": "instant"}


def create(client: TestClient, **fields: Any) -> str:
    response = client.post("/api/runs", json={**SMALL, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["run_id"])


def events(
    client: TestClient, run_id: str, headers: dict[str, str] | None = None
) -> list[tuple[str, str | None, dict[str, Any]]]:
    return read_events(client, run_id, headers)


def test_create_answers_201_with_id_and_links(client: TestClient) -> None:
    response = client.post("/api/runs", json={"model": "mlp"})
    assert response.status_code == 201
    body = response.json()
    run_id = body["run_id"]
    assert body["links"] == {
        "self": f"/api/runs/{run_id}",
        "events": f"/api/runs/{run_id}/events",
        "predict": f"/api/runs/{run_id}/predict",
        "batching": f"/api/runs/{run_id}/batching",
        "quantize": f"/api/runs/{run_id}/quantize",
    }
    assert body["spec"]["dataset"] == "moons" and body["spec"]["pace"] == "watch"
    assert client.get(f"/api/runs/{run_id}").json()["spec"] == body["spec"]


def test_the_same_spec_names_the_same_run(client: TestClient) -> None:
    assert create(client, seed=3) == create(client, seed=3)
    assert create(client, seed=3) != create(client, seed=4)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"learning_rate": 0}, "learning_rate", "greater than 0"),
        ({"steps": 10**9}, "steps", "less than or equal to"),
        ({"hidden": [16, 999]}, "hidden.1", "less than or equal to 64"),
        ({"hidden": []}, "hidden", "at least 1"),
        ({"dataset": "waves"}, "dataset", "'moons', 'circles', 'spiral' or 'xor'"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"model": "gpt"}, "model", "'mlp'"),
    ],
)
def test_bad_specs_get_422_naming_the_field(
    client: TestClient, fields: dict[str, Any], field: str, words: str
) -> None:
    response = client.post("/api/runs", json={**SMALL, **fields})
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith(f"{field}: ")
    assert words in body["message"]
    assert body["detail"][0]["loc"][1:] == field.split(".") or field.startswith("hidden.")


def test_steps_above_the_server_limit_are_refused(client: TestClient) -> None:
    response = client.post("/api/runs", json={**SMALL, "steps": 5001})
    assert response.status_code == 422
    assert (
        response.json()["message"] == "steps: Input should be less than or equal to 5000 (got 5001)"
    )


def test_model_is_the_one_required_field(client: TestClient) -> None:
    response = client.post("/api/runs", json={})
    assert response.status_code == 422
    assert response.json()["message"].startswith("model: Field required")


def test_unknown_runs_are_404(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/runs/0123456789abcdef"),
        ("GET", "/api/runs/0123456789abcdef/events"),
        ("POST", "/api/runs/0123456789abcdef/predict"),
    ]:
        response = client.request(method, path, json={"inputs": [[0, 0]]})
        assert response.status_code == 404, path
        assert "No run with id '0123456789abcdef'" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "12345678901"])
def test_a_malformed_last_event_id_is_400(client: TestClient, bad: str) -> None:
    run_id = create(client)
    response = client.get(f"/api/runs/{run_id}/events", headers={"Last-Event-ID": bad})
    assert response.status_code == 400
    assert "Last-Event-ID" in response.json()["detail"]


def test_a_stream_sends_start_frames_and_done(client: TestClient) -> None:
    run_id = create(client)
    stream = events(client, run_id)
    names = [name for name, _, _ in stream]
    assert names == ["start"] + ["frame"] * 30 + ["done"]
    frames = [data for name, _, data in stream if name == "frame"]
    assert [int(i) for name, i, _ in stream if name == "frame"] == list(range(1, 31))
    for frame in frames:
        assert {"step", "loss", "val_loss", "counters"} <= frame.keys()
        assert {"steps", "examples_seen", "flops", "compute_ns"} <= frame["counters"].keys()
    assert frames[-1]["step"] == 30
    assert frames[0]["surface"] is not None  # the first frame shows the starting guess
    done = stream[-1][2]
    assert done["totals"]["steps"] == 30
    assert done["totals"]["flops"] == frames[-1]["counters"]["flops"]
    assert len(done["fingerprint"]) == 16


def test_a_stream_resumes_after_last_event_id(client: TestClient) -> None:
    run_id = create(client)
    whole = events(client, run_id)
    resumed = events(client, run_id, {"Last-Event-ID": "12"})
    assert [i for _, i, _ in resumed[1:-1]] == [str(i) for i in range(13, 31)]

    def numbers(data: dict[str, Any]) -> tuple[Any, ...]:
        return (data["step"], data["loss"], data["val_loss"], data["counters"]["flops"])

    assert [numbers(d) for n, _, d in resumed if n == "frame"] == [
        numbers(d) for n, i, d in whole if n == "frame" and int(i or 0) > 12
    ]
    assert resumed[-1][2]["fingerprint"] == whole[-1][2]["fingerprint"]


def test_a_diverging_run_ends_with_diverged(client: TestClient) -> None:
    run_id = create(client, optimizer="sgd", learning_rate=90, steps=200)
    stream = events(client, run_id)
    name, _, data = stream[-1]
    assert name == "diverged"
    assert 1 <= data["step"] <= 200
    assert "learning rate" in data["message"]
    response = client.post(f"/api/runs/{run_id}/predict", json={"inputs": [[0, 0]]})
    assert response.status_code == 409
    assert "diverged at step" in response.json()["detail"]


def test_predict_answers_with_the_trained_model(client: TestClient) -> None:
    run_id = create(client)
    done = events(client, run_id)[-1][2]
    response = client.post(
        f"/api/runs/{run_id}/predict", json={"inputs": [[0.5, 0.25], [-1, 1], [2, -2]]}
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["predictions"]) == 3
    assert all(abs(sum(p) - 1) < 1e-5 for p in body["probabilities"])
    assert body["predictions"] == [max(range(2), key=p.__getitem__) for p in body["probabilities"]]
    assert body["fingerprint"] == done["fingerprint"]
    assert body["compute_ns"] > 0
    assert body["flops"] == 3 * done["inference_flops_per_query"]


def test_predict_trains_a_run_nobody_streamed(client: TestClient) -> None:
    run_id = create(client, seed=11)
    first = client.post(f"/api/runs/{run_id}/predict", json={"inputs": [[0, 0]]}).json()
    streamed = events(client, run_id)[-1][2]
    assert first["fingerprint"] == streamed["fingerprint"]


@pytest.mark.parametrize(
    "body",
    [
        {"inputs": []},
        {"inputs": [[1, 2, 3]]},
        {"inputs": [[1]]},
        {"inputs": [1, 2]},
        {"inputs": [["a", 1]]},
        {"inputs": [[1e9, 0]]},
        {},
        {"inputs": [[0, 0]], "extra": 1},
    ],
)
def test_predict_refuses_bad_inputs_with_422(client: TestClient, body: dict[str, Any]) -> None:
    run_id = create(client)
    response = client.post(f"/api/runs/{run_id}/predict", json=body)
    assert response.status_code == 422, body
    assert response.json()["message"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_predict_refuses_non_finite_numbers(client: TestClient, literal: str) -> None:
    run_id = create(client)
    response = client.post(
        f"/api/runs/{run_id}/predict",
        content=f'{{"inputs": [[{literal}, 0]]}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "finite" in response.json()["message"]


def test_predict_refuses_more_inputs_than_the_limit(client: TestClient) -> None:
    run_id = create(client)
    response = client.post(f"/api/runs/{run_id}/predict", json={"inputs": [[0, 0]] * 1001})
    assert response.status_code == 422
    assert "At most 1000 inputs" in response.json()["message"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/events",
        "/api/runs/{run_id}/predict",
    }
    events_doc = paths["/api/runs/{run_id}/events"]["get"]
    assert "text/event-stream" in events_doc["responses"]["200"]["content"]
    assert {"400", "404", "503"} <= events_doc["responses"].keys()
    assert {"404", "409", "422"} <= paths["/api/runs/{run_id}/predict"]["post"]["responses"].keys()
    assert client.get("/docs").status_code == 200
