"""Each model's training and one answer, measured once and kept by the model's weights."""

from __future__ import annotations

from typing import Any

import pytest

from app.runs import measured_costs
from app.runs.execution import train_to_end
from app.runs.measured_costs import ANSWER_TIMINGS, MeasuredCosts, measure, time_one_answer
from app.runs.specs import parse_spec


def test_an_answer_is_the_median_of_warm_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    # Each call takes 10, 20, ..., 50 ns in turn; a 1,000 ns outlier must not move the median.
    durations = iter([5000, 10, 20, 1000, 30, 40, 50])  # the first is the warm-up, not timed
    clock = [0]

    def ask(question: Any) -> None:
        calls.append(question)
        clock[0] += next(durations)

    monkeypatch.setattr(measured_costs.time, "perf_counter_ns", lambda: clock[0])
    assert time_one_answer(ask, "q", repeats=6) == 35  # median of 10, 20, 1000, 30, 40, 50
    assert calls == ["q"] * 7


def test_a_run_is_measured_from_its_training_and_one_question() -> None:
    spec = parse_spec({"model": "mlp", "steps": 40, "n_samples": 60, "hidden": [4]})
    trained = train_to_end(spec)
    cost = measure(spec, trained)
    assert trained.final is not None and trained.model is not None
    assert cost.training_flops == trained.final.flops
    assert cost.training_compute_ns == trained.final.compute_ns
    assert cost.answer_flops == trained.model.flops_forward(1)
    assert cost.answer_compute_ns > 0 and cost.answer_timings == ANSWER_TIMINGS


def test_the_same_model_is_measured_once_whatever_its_pace() -> None:
    costs = MeasuredCosts(capacity=2)
    watch = parse_spec({"model": "mlp", "steps": 40, "n_samples": 60, "pace": "watch"})
    instant = parse_spec({"model": "mlp", "steps": 40, "n_samples": 60, "pace": "instant"})
    first = costs.get(watch, train_to_end(watch))
    assert costs.get(instant, train_to_end(instant)) is first
    assert len(costs) == 1
    for seed in (1, 2):
        other = parse_spec({"model": "mlp", "steps": 40, "n_samples": 60, "seed": seed})
        costs.get(other, train_to_end(other))
    assert len(costs) == 2  # least recently used out


def test_a_diverged_run_has_nothing_to_measure() -> None:
    spec = parse_spec({"model": "mlp", "optimizer": "sgd", "learning_rate": 90, "steps": 200})
    with pytest.raises(ValueError, match="without a model"):
        MeasuredCosts().get(spec, train_to_end(spec))
