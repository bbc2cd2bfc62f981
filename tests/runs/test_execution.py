"""Runs are pure functions of their specs: same spec, same numbers, from any starting frame."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.ml.optimizers import Adam
from app.runs.execution import Divergence, Execution, Frame, train_to_end
from app.runs.specs import MAX_FRAMES, MlpSpec, frame_steps, parse_spec, parse_spec_json, run_id_for

SPEC = MlpSpec(model="mlp", steps=60, seed=3)


def frames(execution: Execution) -> list[Frame]:
    out = []
    while not execution.finished:
        outcome = execution.advance()
        assert isinstance(outcome, Frame)
        out.append(outcome)
    return out


def numbers(frame: Frame) -> tuple[object, ...]:
    """Everything a frame holds except the measured compute time."""
    return (
        frame.index,
        frame.step,
        frame.metrics,
        frame.examples_seen,
        frame.flops,
        frame.snapshot,
    )


def test_run_id_depends_on_every_field_and_nothing_else() -> None:
    assert run_id_for(SPEC) == run_id_for(parse_spec_json(SPEC.canonical_json()))
    assert len(run_id_for(SPEC)) == 16
    for change in [
        {"seed": 4},
        {"steps": 61},
        {"noise": 0.2},
        {"hidden": (16,)},
        {"pace": "instant"},
    ]:
        assert run_id_for(SPEC.model_copy(update=change)) != run_id_for(SPEC), change


def test_frames_are_spread_evenly_and_end_on_the_last_step() -> None:
    assert frame_steps(5) == [1, 2, 3, 4, 5]
    plan = frame_steps(1000)
    assert len(plan) == MAX_FRAMES and plan[0] == 10 and plan[-1] == 1000
    assert plan == sorted(set(plan))
    assert frame_steps(150)[-1] == 150 and len(frame_steps(150)) == MAX_FRAMES


def test_two_executions_of_one_spec_are_identical() -> None:
    first, second = Execution(SPEC), Execution(SPEC)
    a, b = frames(first), frames(second)
    assert [numbers(f) for f in a] == [numbers(f) for f in b]
    assert first.model.fingerprint() == second.model.fingerprint()
    assert all(f.compute_ns > 0 for f in a)


def test_a_replay_to_frame_k_continues_exactly_like_the_whole_run() -> None:
    whole = frames(Execution(SPEC))
    replay = Execution(SPEC)
    for _ in range(25):
        replay.advance(with_snapshot=False)  # what a resumed stream does, unsent
    rest = frames(replay)
    assert [numbers(f) for f in rest] == [numbers(f) for f in whole[25:]]


def test_counters_add_up_the_counted_cost_of_each_step() -> None:
    execution = Execution(SPEC)
    run = frames(execution)
    model, n_train = execution.model, len(execution.setup.data.y_train)
    update = Adam(learning_rate=0.01).flops_per_update(model.n_parameters)
    # Every batch is full: one that ends an epoch is topped up from the next.
    assert n_train % 32 != 0
    batches = [32] * SPEC.steps
    cost = [
        model.flops_forward(b) + model.flops_loss(b) + model.flops_backward(b) + update
        for b in batches
    ]
    assert [f.flops for f in run] == [sum(cost[: f.step]) for f in run]
    assert [f.examples_seen for f in run] == [sum(batches[: f.step]) for f in run]


def test_train_to_end_matches_the_streamed_model() -> None:
    execution = Execution(SPEC)
    frames(execution)
    trained = train_to_end(SPEC)
    assert trained.model is not None and trained.divergence is None
    assert trained.model.fingerprint() == execution.model.fingerprint()


def test_a_learning_rate_far_too_high_diverges_and_says_when() -> None:
    spec = MlpSpec(model="mlp", optimizer="sgd", learning_rate=90, steps=300)
    trained = train_to_end(spec)
    assert trained.model is None
    assert isinstance(trained.divergence, Divergence)
    assert 1 <= trained.divergence.step < 300
    assert trained.divergence.flops > 0


@pytest.mark.parametrize(
    "fields",
    [
        {"steps": 0},
        {"learning_rate": -1},
        {"hidden": (0,)},
        {"hidden": (8,) * 5},
        {"batch_size": 513},
        {"seed": -1},
        {"noise": 1.5},
        {"n_samples": 5},
        {"pace": "slowly"},
    ],
)
def test_every_field_is_bounded(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        parse_spec({"model": "mlp", **fields})
