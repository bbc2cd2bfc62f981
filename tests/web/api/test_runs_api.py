"""Creating and reading runs (app/web/api/runs.py): status codes, plain refusals, the contract."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import create_run

SMALL = {"model": "mlp", "steps": 30, "pace": "instant"}


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
    assert create_run(client, **SMALL, seed=3) == create_run(client, **SMALL, seed=3)
    assert create_run(client, **SMALL, seed=3) != create_run(client, **SMALL, seed=4)


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


@pytest.mark.parametrize(
    ("base_spec", "spec", "words"),
    [
        (None, {}, "There is no run"),
        ({"model": "linear"}, {}, "not an mlp run"),
        ({"model": "mlp", "hidden": [8]}, {}, "same"),
        ({"model": "mlp", "optimizer": "sgd", "learning_rate": 90}, {}, "diverged"),
    ],
)
def test_a_fine_tune_of_a_bad_base_is_refused(
    client: TestClient, base_spec: dict[str, Any] | None, spec: dict[str, Any], words: str
) -> None:
    base = create_run(client, **base_spec) if base_spec else "0123456789abcdef"
    response = client.post(
        "/api/runs", json={"model": "mlp", "fine_tune_from": base, "pace": "instant", **spec}
    )
    assert response.status_code == 422
    assert response.json()["message"].startswith("fine_tune_from: ")
    assert words in response.json()["message"]


def test_unknown_runs_are_404(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/runs/0123456789abcdef"),
        ("GET", "/api/runs/0123456789abcdef/events"),
        ("POST", "/api/runs/0123456789abcdef/predict"),
    ]:
        response = client.request(method, path, json={"inputs": [[0, 0]]})
        assert response.status_code == 404, path
        assert "No run with id '0123456789abcdef'" in response.json()["detail"]


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
