"""Asking trained models through the API (app/web/api/questions.py): every kind answers,
batching is timed, the 8-bit copy compared; questions of the wrong shape are refused plainly."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.ml.datasets import gap_disc
from app.ml.digits import template_image
from tests.conftest import Event, ask, create_run, frames_of, read_events

STEPS = 30  # an mlp run: enough to answer, quick to train


def done_of(client: TestClient, run_id: str) -> dict[str, Any]:
    """The data of a run's last event, its stream read to the end."""
    return read_events(client, run_id)[-1][2]


def test_predict_answers_with_the_trained_model(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    done = done_of(client, run_id)
    response = ask(client, run_id, inputs=[[0.5, 0.25], [-1, 1], [2, -2]])
    assert response.status_code == 200
    body = response.json()
    assert len(body["predictions"]) == 3
    assert all(abs(sum(p) - 1) < 1e-5 for p in body["probabilities"])
    assert body["predictions"] == [max(range(2), key=p.__getitem__) for p in body["probabilities"]]
    assert body["fingerprint"] == done["fingerprint"]
    assert body["compute_ns"] > 0
    assert body["flops"] == 3 * done["inference_flops_per_query"]


def test_predict_trains_a_run_nobody_streamed(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS, seed=11)
    first = ask(client, run_id, inputs=[[0, 0]]).json()
    assert first["fingerprint"] == done_of(client, run_id)["fingerprint"]


def test_predict_on_a_diverged_run_is_409(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", optimizer="sgd", learning_rate=90, steps=200)
    response = ask(client, run_id, inputs=[[0, 0]])
    assert response.status_code == 409
    assert "diverged at step" in response.json()["detail"]


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
    run_id = create_run(client, model="mlp", steps=STEPS)
    response = ask(client, run_id, **body)
    assert response.status_code == 422, body
    assert response.json()["message"]


@pytest.mark.parametrize(
    ("model", "inputs"), [("mlp", [[0, 0], [1]]), ("linear", [[0], [1, 2]])], ids=["mlp", "linear"]
)
def test_predict_refuses_points_of_different_lengths(
    client: TestClient, model: str, inputs: list[list[float]]
) -> None:
    run_id = create_run(client, model=model, steps=5)
    response = ask(client, run_id, inputs=inputs)
    assert response.status_code == 422
    assert response.json()["message"].startswith("inputs: ")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_predict_refuses_non_finite_numbers(client: TestClient, literal: str) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    response = client.post(
        f"/api/runs/{run_id}/predict",
        content=f'{{"inputs": [[{literal}, 0]]}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "finite" in response.json()["message"]


def test_predict_refuses_more_inputs_than_the_limit(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=STEPS)
    response = ask(client, run_id, inputs=[[0, 0]] * 1001)
    assert response.status_code == 422
    assert "At most 1000 inputs" in response.json()["message"]


def test_linear_regression_streams_a_fitted_curve_and_predicts_values(client: TestClient) -> None:
    run_id = create_run(client, model="linear", steps=100)
    events = read_events(client, run_id)
    start = events[0][2]
    frames = frames_of(events)
    assert start["model"] == "linear" and len(start["curve_x"]) == len(frames[0]["curve"])
    assert frames[-1]["loss"] < frames[0]["loss"]
    assert frames[0]["accuracy"] is None  # a regression has no classes
    answer = ask(client, run_id, inputs=[[0.0], [1.0]]).json()
    assert len(answer["values"]) == 2 and "predictions" not in answer
    # The data is y = 0.6x + 0.3 plus noise: the fitted line is close to it.
    assert abs(answer["values"][0] - 0.3) < 0.15 and abs(answer["values"][1] - 0.9) < 0.15


def test_the_language_model_learns_and_answers_prompts(client: TestClient) -> None:
    run_id = create_run(client, model="language", steps=300)
    events = read_events(client, run_id)
    start = events[0][2]
    frames = frames_of(events)
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
    run_id = create_run(client, model="language", steps=20)
    response = ask(client, run_id, prompt=prompt)
    assert response.status_code == 422
    assert response.json()["message"].startswith("prompt: ")
    assert words in response.json()["message"]


@pytest.mark.parametrize("temperature", [1e-310, 5e-324, 1e-12])
def test_a_vanishing_temperature_samples_the_likeliest_words(
    client: TestClient, temperature: float
) -> None:
    """A denormal temperature once made the sampling probabilities NaN (a 500)."""
    run_id = create_run(client, model="language", steps=50)
    question = {"prompt": "the cat sat on the", "n_words": 4}
    greedy = ask(client, run_id, **question)
    sampled = ask(client, run_id, **question, temperature=temperature, sample_seed=1)
    assert greedy.status_code == sampled.status_code == 200, sampled.text
    assert sampled.json()["continuation"] == greedy.json()["continuation"]


def test_digits_read_a_clean_drawing(client: TestClient) -> None:
    run_id = create_run(client, model="digits", steps=300)
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
    run_id = create_run(client, model="digits", steps=10)
    response = ask(client, run_id, drawings=drawings)
    assert response.status_code == 422
    assert words in response.json()["message"].lower()


def test_asking_a_model_the_wrong_kind_of_question(client: TestClient) -> None:
    run_id = create_run(client, model="linear", steps=10)
    response = ask(client, run_id, prompt="hello there")
    assert response.status_code == 422
    assert "inputs" in response.json()["message"]


def test_fine_tuning_starts_from_the_base_and_costs_less(client: TestClient) -> None:
    base = create_run(client, model="mlp", steps=400, seed=3)
    base_done = done_of(client, base)
    shifted = {"model": "mlp", "variant": "drift", "amount": 0.5, "seed": 3}
    tuned = create_run(client, **shifted, steps=60, fine_tune_from=base)
    scratch = create_run(client, **shifted, steps=400)
    tuned_events, scratch_events = read_events(client, tuned), read_events(client, scratch)
    tuned_done, scratch_done = tuned_events[-1][2], scratch_events[-1][2]
    assert tuned_done["fine_tuned_from"] == base

    def flops_to_reach(events: list[Event], accuracy: float) -> int:
        return next(
            d["counters"]["flops"] for d in frames_of(events) if d["val_accuracy"] >= accuracy
        )

    # Fine-tuning reaches 95% on the shifted world with a fraction of the arithmetic.
    assert flops_to_reach(tuned_events, 0.95) < flops_to_reach(scratch_events, 0.95) / 2
    assert tuned_done["final"]["val_accuracy"] >= 0.95
    assert tuned_done["totals"]["flops"] < scratch_done["totals"]["flops"] / 4
    assert tuned_done["fingerprint"] != base_done["fingerprint"]
    # The base model is untouched by its fine-tuned copy.
    assert ask(client, base, inputs=[[0, 0]]).json()["fingerprint"] == base_done["fingerprint"]


def test_a_gap_in_the_data_is_flagged_when_asked_about(client: TestClient) -> None:
    centre, radius = gap_disc("moons", 0.5)
    run_id = create_run(client, model="mlp", variant="gap", amount=0.5, steps=200)
    inside = [float(centre[0]), float(centre[1])]
    answer = ask(client, run_id, inputs=[inside, [2.0, 2.0]]).json()
    assert answer["outside_training_data"][0] is True
    assert answer["distance_to_data"][0] > radius / 2


def test_batching_raises_throughput(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=50)
    response = client.post(f"/api/runs/{run_id}/batching", json={"sizes": [1, 1000]})
    assert response.status_code == 200
    one, thousand = response.json()["timings"]
    assert (one["inputs"], thousand["inputs"]) == (1, 1000)
    assert thousand["one_call_per_second"] > thousand["separate_calls_per_second"]
    assert thousand["waits_ns"] > one["waits_ns"]


def test_quantizing_shrinks_and_mostly_agrees(client: TestClient) -> None:
    run_id = create_run(client, model="digits", steps=300)
    body = client.post(f"/api/runs/{run_id}/quantize").json()
    assert body["size_bytes_int8"] < body["size_bytes_float64"] / 6
    assert body["agreement"] >= 0.95
    assert body["fingerprint"] != body["fingerprint_int8"]
    refused = client.post(f"/api/runs/{create_run(client, model='linear', steps=5)}/quantize")
    assert refused.status_code == 422
