"""The model zoo through the API: every kind trains, streams and answers; run features."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.ml.digits import template_image
from tests.conftest import read_events


def create(client: TestClient, **spec: Any) -> str:
    response = client.post("/api/runs", json={"pace": "instant", **spec})
    assert response.status_code == 201, response.text
    return str(response.json()["run_id"])


def stream(client: TestClient, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) for every event of a run's stream, read to its end."""
    return [(name, data) for name, _, data in read_events(client, run_id)]


def ask(client: TestClient, run_id: str, **body: Any) -> Any:
    return client.post(f"/api/runs/{run_id}/predict", json=body)


def test_linear_regression_streams_a_fitted_curve_and_predicts_values(client: TestClient) -> None:
    run_id = create(client, model="linear", steps=100)
    events = stream(client, run_id)
    start = events[0][1]
    assert start["model"] == "linear" and len(start["curve_x"]) == len(events[1][1]["curve"])
    frames = [d for name, d in events if name == "frame"]
    assert frames[-1]["loss"] < frames[0]["loss"]
    assert frames[0]["accuracy"] is None  # a regression has no classes
    answer = ask(client, run_id, inputs=[[0.0], [1.0]]).json()
    assert len(answer["values"]) == 2 and "predictions" not in answer
    # The data is y = 0.6x + 0.3 plus noise: the fitted line is close to it.
    assert abs(answer["values"][0] - 0.3) < 0.15 and abs(answer["values"][1] - 0.9) < 0.15


def test_the_language_model_learns_and_answers_prompts(client: TestClient) -> None:
    run_id = create(client, model="language", steps=300)
    events = stream(client, run_id)
    start = events[0][1]
    frames = [d for name, d in events if name == "frame"]
    assert frames[-1]["val_perplexity"] < start["uniform_perplexity"] / 4
    assert any("sample" in f for f in frames)
    answer = ask(client, run_id, prompt="the cat sat on the", top_k=3, n_words=3).json()
    assert len(answer["next_words"]) == 3
    probabilities = [w["probability"] for w in answer["next_words"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert answer["continuation"]
    unknown = ask(client, run_id, prompt="the zebra sat").json()
    assert unknown["unknown_words"] == ["zebra"]


@pytest.mark.parametrize(
    ("prompt", "words"),
    [("", "Type a few words"), ("   ", "Type a few words"), ("word " * 60, "200"), ("日本語", "")],
)
def test_bad_prompts_get_a_plain_422(client: TestClient, prompt: str, words: str) -> None:
    run_id = create(client, model="language", steps=20)
    response = ask(client, run_id, prompt=prompt)
    assert response.status_code == 422
    assert response.json()["message"].startswith("prompt: ")
    assert words in response.json()["message"]


def test_digits_read_a_clean_drawing(client: TestClient) -> None:
    run_id = create(client, model="digits", steps=300)
    drawings = [template_image(d).tolist() for d in (0, 1, 7)]
    answer = ask(client, run_id, drawings=drawings).json()
    assert answer["predictions"] == [0, 1, 7]
    assert len(answer["probabilities"][0]) == 10


@pytest.mark.parametrize(
    ("drawings", "words"),
    [
        ([[[0.0] * 16 for _ in range(16)]], "empty"),
        ([[[0.5] * 8 for _ in range(8)]], "16"),
    ],
)
def test_bad_drawings_get_a_plain_422(
    client: TestClient, drawings: list[list[list[float]]], words: str
) -> None:
    run_id = create(client, model="digits", steps=10)
    response = ask(client, run_id, drawings=drawings)
    assert response.status_code == 422
    assert words in response.json()["message"].lower()


def test_asking_a_model_the_wrong_kind_of_question(client: TestClient) -> None:
    run_id = create(client, model="linear", steps=10)
    response = ask(client, run_id, prompt="hello there")
    assert response.status_code == 422
    assert "inputs" in response.json()["message"]


def test_fine_tuning_starts_from_the_base_and_costs_less(client: TestClient) -> None:
    base = create(client, model="mlp", steps=400, seed=3)
    base_done = stream(client, base)[-1][1]
    shifted = {"model": "mlp", "variant": "drift", "amount": 0.5, "seed": 3}
    tuned = create(client, **shifted, steps=60, fine_tune_from=base)
    scratch = create(client, **shifted, steps=400)
    tuned_events, scratch_events = stream(client, tuned), stream(client, scratch)
    tuned_done, scratch_done = tuned_events[-1][1], scratch_events[-1][1]
    assert tuned_done["fine_tuned_from"] == base

    def flops_to_reach(events: list[tuple[str, dict[str, Any]]], accuracy: float) -> int:
        return next(
            d["counters"]["flops"]
            for n, d in events
            if n == "frame" and d["val_accuracy"] >= accuracy
        )

    # Fine-tuning reaches 95% on the shifted world with a fraction of the arithmetic.
    assert flops_to_reach(tuned_events, 0.95) < flops_to_reach(scratch_events, 0.95) / 2
    assert tuned_done["final"]["val_accuracy"] >= 0.95
    assert tuned_done["totals"]["flops"] < scratch_done["totals"]["flops"] / 4
    assert tuned_done["fingerprint"] != base_done["fingerprint"]
    # The base model is untouched by its fine-tuned copy.
    assert ask(client, base, inputs=[[0, 0]]).json()["fingerprint"] == base_done["fingerprint"]


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
    base = create(client, **base_spec) if base_spec else "0123456789abcdef"
    response = client.post(
        "/api/runs", json={"model": "mlp", "fine_tune_from": base, "pace": "instant", **spec}
    )
    assert response.status_code == 422
    assert response.json()["message"].startswith("fine_tune_from: ")
    assert words in response.json()["message"]


def test_a_gap_in_the_data_is_flagged_when_asked_about(client: TestClient) -> None:
    from app.ml.datasets import gap_disc

    centre, radius = gap_disc("moons", 0.5)
    run_id = create(client, model="mlp", variant="gap", amount=0.5, steps=200)
    inside = [float(centre[0]), float(centre[1])]
    answer = ask(client, run_id, inputs=[inside, [2.0, 2.0]]).json()
    assert answer["outside_training_data"][0] is True
    assert answer["distance_to_data"][0] > radius / 2


def test_batching_raises_throughput(client: TestClient) -> None:
    run_id = create(client, model="mlp", steps=50)
    response = client.post(f"/api/runs/{run_id}/batching", json={"sizes": [1, 1000]})
    assert response.status_code == 200
    one, thousand = response.json()["timings"]
    assert (one["inputs"], thousand["inputs"]) == (1, 1000)
    assert thousand["one_call_per_second"] > thousand["separate_calls_per_second"]
    assert thousand["waits_ns"] > one["waits_ns"]


def test_quantizing_shrinks_and_mostly_agrees(client: TestClient) -> None:
    run_id = create(client, model="digits", steps=300)
    body = client.post(f"/api/runs/{run_id}/quantize").json()
    assert body["size_bytes_int8"] < body["size_bytes_float64"] / 6
    assert body["agreement"] >= 0.95
    assert body["fingerprint"] != body["fingerprint_int8"]
    refused = client.post(f"/api/runs/{create(client, model='linear', steps=5)}/quantize")
    assert refused.status_code == 422


def test_every_kind_replays_bit_for_bit(client: TestClient) -> None:
    for spec in (
        {"model": "linear", "steps": 40},
        {"model": "digits", "steps": 40},
        {"model": "language", "steps": 40},
    ):
        run_id = create(client, **spec)
        first, second = stream(client, run_id), stream(client, run_id)

        def numbers(events: list[tuple[str, dict[str, Any]]]) -> list[Any]:
            return [(d.get("loss"), d.get("val_loss")) for n, d in events if n == "frame"]

        assert numbers(first) == numbers(second), spec
        assert first[-1][1]["fingerprint"] == second[-1][1]["fingerprint"]
