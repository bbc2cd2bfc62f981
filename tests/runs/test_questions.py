"""Asking trained models: answers of the right shape, the model's own FLOPs, plain refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.ml.datasets import DATA_BOX
from app.ml.digits import N_CLASSES, SIDE, template_image
from app.ml.quantize import quantize
from app.runs.execution import TrainedRun, train_to_end
from app.runs.questions import (
    Question,
    QuestionError,
    answer,
    batching,
    classify_points,
    next_words,
    read_drawings,
    regress,
    sample_questions,
    shrink_to_8_bit,
)
from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

MLP_SPEC = MlpSpec(model="mlp", steps=40, n_samples=100, seed=5)
LINEAR_SPEC = LinearSpec(model="linear", steps=50, n_samples=40)
DIGITS_SPEC = DigitsSpec(model="digits", steps=30, n_samples=200, hidden=(16,))
LANGUAGE_SPEC = LanguageSpec(model="language", steps=20, hidden=16, embedding_dim=8)
SPECS = [MLP_SPEC, LINEAR_SPEC, DIGITS_SPEC, LANGUAGE_SPEC]
FAR = [6.0, -6.0]  # the dots lie within [-2, 2]


def trained(spec: AnySpec) -> TrainedRun:
    run = train_to_end(spec)
    assert run.model is not None and run.setup is not None
    return run


@pytest.fixture(scope="module")
def runs() -> dict[str, TrainedRun]:
    """One small trained run of each kind, shared by this module's tests."""
    return {spec.model: trained(spec) for spec in SPECS}


def drawings(*numbers: int) -> list[list[list[float]]]:
    return [template_image(number).tolist() for number in numbers]


def assert_probabilities(rows: list[list[float]], n_classes: int) -> None:
    assert all(len(row) == n_classes for row in rows)
    assert all(min(row) >= 0 for row in rows)
    assert all(abs(sum(row) - 1) < 1e-5 for row in rows)


def test_points_get_a_class_and_probabilities(runs: dict[str, TrainedRun]) -> None:
    mlp = runs["mlp"]
    points = [[0.5, 0.25], [-1.0, 1.0], FAR]
    result = classify_points(mlp.model, mlp.setup, points)
    assert_probabilities(result["probabilities"], 2)
    expected = mlp.model.predict_proba(np.array(points))
    assert result["probabilities"] == np.round(expected, 6).tolist()
    assert result["predictions"] == expected.argmax(axis=1).tolist()
    assert result["compute_ns"] > 0
    assert result["flops"] == mlp.model.flops_forward(3)
    assert result["flops"] == 3 * mlp.model.flops_forward(1)


def test_points_know_how_far_they_are_from_the_training_dots(runs: dict[str, TrainedRun]) -> None:
    mlp = runs["mlp"]
    x_train = mlp.setup.data.x_train
    points = [x_train[0].tolist(), [0.1, 0.1], FAR]
    result = classify_points(mlp.model, mlp.setup, points)
    gaps = np.array(points)[:, None, :] - x_train[None, :, :]
    nearest = np.sqrt((gaps**2).sum(axis=2)).min(axis=1)
    assert result["distance_to_data"] == pytest.approx(nearest.tolist(), abs=1e-4)
    assert result["distance_to_data"][0] == 0.0  # a training dot is on the data
    assert result["outside_training_data"][0] is False
    assert result["distance_to_data"][2] > 4
    assert result["outside_training_data"][2] is True
    threshold = mlp.setup.novelty_threshold()
    assert result["outside_training_data"] == [bool(d > threshold) for d in nearest]


@pytest.mark.parametrize("points", [[[1.0, 2.0, 3.0]], [[1.0]], [1.0, 2.0]])
def test_a_point_must_be_x_and_y(runs: dict[str, TrainedRun], points: Any) -> None:
    mlp = runs["mlp"]
    with pytest.raises(QuestionError, match=r"^Each input must be a point \[x, y\]\.$") as raised:
        classify_points(mlp.model, mlp.setup, points)
    assert raised.value.field == "inputs"


def test_a_regression_answers_a_value_per_x(runs: dict[str, TrainedRun]) -> None:
    linear = runs["linear"]
    result = regress(linear.model, [[0.0], [0.5], [1.0]])
    expected = linear.model.predict(np.array([[0.0], [0.5], [1.0]]))
    assert result["values"] == np.round(expected, 6).tolist()
    assert len(result["values"]) == 3
    assert result["values"][0] < result["values"][2]  # the line rises (y = 0.6x + 0.3)
    assert result["compute_ns"] > 0
    assert result["flops"] == linear.model.flops_forward(3)


@pytest.mark.parametrize("inputs", [[[1.0, 2.0]], [1.0, 2.0]])
def test_a_regression_takes_one_number_per_input(runs: dict[str, TrainedRun], inputs: Any) -> None:
    linear = runs["linear"]
    with pytest.raises(QuestionError, match=r"^Each input must be a one-number list \[x\]\.$"):
        regress(linear.model, inputs)


@pytest.mark.parametrize("kind", ["mlp", "linear"])
def test_inputs_of_different_lengths_are_a_question_error(
    runs: dict[str, TrainedRun], kind: str
) -> None:
    run = runs[kind]
    with pytest.raises(QuestionError):
        if kind == "mlp":
            classify_points(run.model, run.setup, [[0.0, 0.0], [1.0]])
        else:
            regress(run.model, [[0.0], [1.0, 2.0]])


def test_drawings_get_a_digit_and_ten_probabilities(runs: dict[str, TrainedRun]) -> None:
    digits = runs["digits"]
    result = read_drawings(digits.model, drawings(0, 1, 7))
    assert len(result["predictions"]) == 3
    assert all(0 <= p < N_CLASSES for p in result["predictions"])
    assert_probabilities(result["probabilities"], N_CLASSES)
    best = [max(range(N_CLASSES), key=row.__getitem__) for row in result["probabilities"]]
    assert result["predictions"] == best
    assert result["compute_ns"] > 0
    assert result["flops"] == digits.model.flops_forward(3)


def test_a_bad_drawing_is_named_by_its_place(runs: dict[str, TrainedRun]) -> None:
    digits = runs["digits"]
    empty = [[0.0] * SIDE for _ in range(SIDE)]
    with pytest.raises(QuestionError, match="empty") as raised:
        read_drawings(digits.model, [*drawings(3), empty])
    assert raised.value.field == "drawings.1"
    with pytest.raises(QuestionError, match=f"{SIDE} by {SIDE}") as raised:
        read_drawings(digits.model, [[[0.5] * 8 for _ in range(8)]])
    assert raised.value.field == "drawings.0"


def test_next_words_are_ranked_probabilities(runs: dict[str, TrainedRun]) -> None:
    language = runs["language"]
    result = next_words(language.model, "the cat sat on the", 4, 0, 0.0, None)
    probabilities = [choice["probability"] for choice in result["next_words"]]
    assert len(probabilities) == 4
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1 + 1e-6
    assert all(isinstance(choice["word"], str) for choice in result["next_words"])
    assert result["unknown_words"] == []
    assert "continuation" not in result
    assert result["compute_ns"] > 0
    assert result["flops"] == language.model.flops_forward(1)


def test_a_continuation_counts_a_forward_pass_per_word(runs: dict[str, TrainedRun]) -> None:
    language = runs["language"]
    model = language.model
    result = next_words(model, "the zebra sat", 3, 4, 0.0, None)
    assert result["unknown_words"] == ["zebra"]
    continued = model.continue_text("the zebra sat", 4, 0.0, None)
    assert result["continuation"] == continued.text
    assert result["flops"] == model.flops_forward(1) * (1 + max(1, len(continued.choices)))


@pytest.mark.parametrize(
    ("prompt", "words"),
    [("", "Type a few words"), ("   ", "Type a few words"), ("word " * 60, "200")],
)
def test_a_bad_prompt_is_a_question_error(
    runs: dict[str, TrainedRun], prompt: str, words: str
) -> None:
    language = runs["language"]
    with pytest.raises(QuestionError, match=words) as raised:
        next_words(language.model, prompt, 5, 0, 0.0, None)
    assert raised.value.field == "prompt"


def test_batching_times_one_call_against_separate_calls(runs: dict[str, TrainedRun]) -> None:
    mlp = runs["mlp"]
    sample = sample_questions(MLP_SPEC, mlp)
    timings = batching(mlp.model, sample, [1, 40])
    assert [t["inputs"] for t in timings] == [1, 40]
    for timing in timings:
        assert timing["one_call_ns"] > 0 and timing["separate_calls_ns"] > 0
        assert timing["waits_ns"] == timing["one_call_ns"]
        size = timing["inputs"]
        assert timing["one_call_per_second"] == pytest.approx(size / timing["one_call_ns"] * 1e9)
        assert timing["separate_calls_per_second"] == pytest.approx(
            size / timing["separate_calls_ns"] * 1e9
        )


def test_sample_questions_look_like_real_ones(runs: dict[str, TrainedRun]) -> None:
    mlp = runs["mlp"]
    digits = runs["digits"]
    points = sample_questions(MLP_SPEC, mlp)(50)
    low, high = DATA_BOX
    assert points.shape == (50, 2)
    assert points.min() >= low and points.max() <= high
    images = sample_questions(DIGITS_SPEC, digits)(5)
    held_out = digits.setup.data.x_val.tolist()
    assert images.shape == (5, SIDE * SIDE)
    assert all(row in held_out for row in images.tolist())


def test_an_8_bit_copy_is_smaller_and_compared(runs: dict[str, TrainedRun]) -> None:
    mlp = runs["mlp"]
    x_check = mlp.setup.data.x_val
    result = shrink_to_8_bit(mlp.model, x_check)
    n = mlp.model.n_parameters
    assert (result["size_bytes_float64"], result["size_bytes_float32"]) == (8 * n, 4 * n)
    assert result["size_bytes_int8"] < result["size_bytes_float32"]
    small = quantize(mlp.model)
    same = mlp.model.predict_proba(x_check).argmax(axis=1) == small.predict(x_check)
    assert result["agreement"] == pytest.approx(same.mean())
    assert result["agreement"] >= 0.9
    assert result["checked_inputs"] == len(x_check)
    assert result["compute_ns_float64"] > 0 and result["compute_ns_int8"] > 0
    assert result["fingerprint_int8"] == small.fingerprint()
    assert result["fingerprint_int8"] != mlp.model.fingerprint()


def test_answer_reads_the_field_of_the_runs_kind(runs: dict[str, TrainedRun]) -> None:
    points = answer(MLP_SPEC, runs["mlp"], Question(inputs=[[0.0, 0.0]]), 10)
    assert points.keys() >= {"predictions", "distance_to_data"}
    values = answer(LINEAR_SPEC, runs["linear"], Question(inputs=[[0.0]]), 10)
    assert len(values["values"]) == 1
    read = answer(DIGITS_SPEC, runs["digits"], Question(drawings=drawings(4)), 10)
    assert len(read["probabilities"][0]) == N_CLASSES
    words = answer(LANGUAGE_SPEC, runs["language"], Question(prompt="the dog", top_k=2), 10)
    assert len(words["next_words"]) == 2


def test_answer_refuses_the_wrong_field_and_too_many(runs: dict[str, TrainedRun]) -> None:
    with pytest.raises(QuestionError, match="A mlp run answers questions given in `inputs`"):
        answer(MLP_SPEC, runs["mlp"], Question(prompt="hello"), 10)
    with pytest.raises(QuestionError) as raised:
        answer(DIGITS_SPEC, runs["digits"], Question(drawings=drawings(1, 2, 3)), 2)
    assert str(raised.value) == "At most 2 drawings per call"
    problem = raised.value
    assert (problem.field, problem.kind, problem.value) == ("drawings", "too_long", 3)
