"""Executions advanced together: each run's frames are the same as when it is advanced alone."""

from __future__ import annotations

import copy
import itertools

import pytest

from app.ml.optimizers import OPTIMIZERS
from app.ml.training import RunTrainer, StepRecord, step_together
from app.runs.execution import SNAPSHOT_EVERY, Divergence, Execution, Frame, advance_together
from app.runs.kinds import BATCHES, kind_of
from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

# (spec, the tick it joins the others); every kind, mlp runs of other seeds, data and shape.
MIXED: list[tuple[AnySpec, int]] = [
    (MlpSpec(model="mlp", steps=60, seed=3), 0),
    (MlpSpec(model="mlp", steps=60, seed=4), 0),
    (MlpSpec(model="mlp", steps=45, seed=5, dataset="circles"), 0),
    (MlpSpec(model="mlp", steps=40, seed=6, hidden=(8,), optimizer="sgd", learning_rate=0.05), 0),
    (MlpSpec(model="mlp", steps=50, seed=7, batch_size=20, n_samples=200), 0),
    (MlpSpec(model="mlp", steps=60, seed=8), 3),  # starts three frames after the others
    (LinearSpec(model="linear", steps=30), 0),
    (DigitsSpec(model="digits", steps=12, n_samples=200, hidden=(16,)), 0),
    (LanguageSpec(model="language", steps=8), 1),
]


def without_time(payload: dict[str, object]) -> dict[str, object]:
    """A frame's payload without the one measured number, counters.compute_ns."""
    out = copy.deepcopy(payload)
    counters = out["counters"]
    assert isinstance(counters, dict)
    assert counters.pop("compute_ns") > 0
    return out


def surface_flag(position: int, frame_index: int) -> bool:
    """Which requests want a snapshot: a different pattern for each run."""
    return (position + frame_index) % 3 != 0


def alone(spec: AnySpec, position: int) -> list[dict[str, object]]:
    execution = Execution(spec)
    payloads = []
    while not execution.finished:
        frame = execution.advance(surface_flag(position, execution.frames_sent + 1))
        assert isinstance(frame, Frame)
        payloads.append(without_time(frame.payload(spec.steps)))
    return payloads


def together(
    specs: list[tuple[AnySpec, int]],
) -> tuple[list[list[dict[str, object]]], list[list[Frame]], list[int]]:
    """Each run's payloads and frames, advanced together; and the size of every batch."""
    executions = [Execution(spec) for spec, _ in specs]
    payloads: list[list[dict[str, object]]] = [[] for _ in specs]
    frames: list[list[Frame]] = [[] for _ in specs]
    sizes = []
    for tick in itertools.count():
        active = [
            i
            for i, (execution, (_, start)) in enumerate(zip(executions, specs, strict=True))
            if not execution.finished and start <= tick
        ]
        if not active:
            break
        flags = [surface_flag(i, executions[i].frames_sent + 1) for i in active]
        outcomes = advance_together([executions[i] for i in active], flags)
        assert len(outcomes) == len(active)
        sizes.append(len(active))
        for i, outcome in zip(active, outcomes, strict=True):
            assert isinstance(outcome, Frame)
            frames[i].append(outcome)
            payloads[i].append(without_time(outcome.payload(specs[i][0].steps)))
    return payloads, frames, sizes


@pytest.fixture(scope="module")
def mixed() -> tuple[list[list[dict[str, object]]], list[list[Frame]], list[int]]:
    return together(MIXED)


def test_frames_advanced_together_equal_frames_advanced_alone(
    mixed: tuple[list[list[dict[str, object]]], list[list[Frame]], list[int]],
) -> None:
    payloads, _, sizes = mixed
    assert max(sizes) == len(MIXED)  # at some frame every run was in one batch
    for position, ((spec, _), got) in enumerate(zip(MIXED, payloads, strict=True)):
        expected = alone(spec, position)
        assert len(got) == len(expected) == min(spec.steps, 100), spec
        for index, (a, b) in enumerate(zip(got, expected, strict=True), start=1):
            assert a == b, (spec.model, spec.seed, index)


def test_with_surface_false_skips_only_that_runs_snapshot(
    mixed: tuple[list[list[dict[str, object]]], list[list[Frame]], list[int]],
) -> None:
    _, frames, _ = mixed
    snapshot_keys = {"mlp": "surface", "linear": "curve", "language": "sample"}
    for position, ((spec, _), run_frames) in enumerate(zip(MIXED, frames, strict=True)):
        key = snapshot_keys.get(spec.model)
        if key is None:  # digits frames carry no snapshot
            assert all(frame.snapshot == {} for frame in run_frames)
            continue
        for frame in run_frames:
            due = frame.index % SNAPSHOT_EVERY == 1 or frame.index == len(run_frames)
            wanted = surface_flag(position, frame.index)
            assert (key in frame.snapshot) == (due and wanted), (spec.model, frame.index)


def test_one_batch_mixes_wanted_and_unwanted_snapshots() -> None:
    first = Execution(MlpSpec(model="mlp", steps=10, seed=1))
    second = Execution(MlpSpec(model="mlp", steps=10, seed=2))
    outcomes = advance_together([first, second], [False, True])
    assert all(isinstance(o, Frame) for o in outcomes)
    skipped, shown = outcomes
    assert isinstance(skipped, Frame) and isinstance(shown, Frame)
    assert skipped.payload(10)["surface"] is None
    surface = shown.payload(10)["surface"]
    assert isinstance(surface, list) and len(surface) == 40
    # The one that skipped its snapshot still shows the same numbers as alone.
    reference = Execution(MlpSpec(model="mlp", steps=10, seed=1)).advance(with_snapshot=True)
    assert isinstance(reference, Frame)
    assert skipped.metrics == reference.metrics
    assert reference.snapshot and not skipped.snapshot


def records_alone(spec: AnySpec) -> list[StepRecord]:
    """The step records of the spec's run, from a trainer built and stepped on its own."""
    setup = kind_of(spec).build(spec, None)
    optimizer = OPTIMIZERS[spec.optimizer](learning_rate=spec.learning_rate)
    trainer = RunTrainer(
        setup.model, setup.data, optimizer, spec.steps, spec.batch_size, spec.seed + BATCHES
    )
    records = []
    while not trainer.finished:
        records.extend(step_together([trainer]))
    return records


@pytest.mark.parametrize("position", [0, 2, 3, 4, 5, 7])
def test_classifier_frames_report_the_minibatches_since_the_last_frame(
    mixed: tuple[list[list[dict[str, object]]], list[list[Frame]], list[int]],
    position: int,
) -> None:
    _, frames, _ = mixed
    spec = MIXED[position][0]
    assert spec.model in ("mlp", "digits")
    records = records_alone(spec)
    previous_step = previous_seen = 0
    for frame in frames[position]:
        since = [r for r in records if previous_step < r.step <= frame.step]
        assert since and since[-1].step == frame.step
        sizes = [
            r.examples_seen - seen
            for r, seen in zip(
                since, [previous_seen, *(r.examples_seen for r in since)][:-1], strict=True
            )
        ]
        examples = sum(sizes)
        assert examples == frame.examples_seen - previous_seen
        weighted = sum(r.batch_loss * n for r, n in zip(since, sizes, strict=True))
        assert frame.loss == pytest.approx(weighted / examples, rel=1e-12, abs=0)
        hits = [r.batch_hits for r in since]
        assert all(h is not None for h in hits)
        assert frame.metrics["accuracy"] == sum(h for h in hits if h is not None) / examples
        previous_step, previous_seen = frame.step, frame.examples_seen
    assert previous_step == spec.steps


def test_classifier_held_out_metrics_cover_the_whole_held_out_split() -> None:
    spec = MlpSpec(model="mlp", steps=20, seed=11, dataset="spiral")
    execution = Execution(spec)
    data = execution.setup.data
    while not execution.finished:
        frame = execution.advance(with_snapshot=False)
        assert isinstance(frame, Frame)
        model = execution.model
        assert frame.metrics["val_accuracy"] == model.accuracy(data.x_val, data.y_val)
        assert frame.val_loss == pytest.approx(model.loss(data.x_val, data.y_val), rel=1e-9)


def test_a_diverging_run_in_a_batch_leaves_the_others_as_alone() -> None:
    steady = MlpSpec(model="mlp", steps=30, seed=3)
    blowing = MlpSpec(model="mlp", steps=30, seed=3, learning_rate=100.0)
    executions = [Execution(steady), Execution(blowing)]
    outcomes: list[list[Frame | Divergence]] = [[], []]
    while not all(e.finished for e in executions):
        active = [i for i, e in enumerate(executions) if not e.finished]
        batch = advance_together([executions[i] for i in active], [True] * len(active))
        for i, outcome in zip(active, batch, strict=True):
            outcomes[i].append(outcome)
    assert isinstance(outcomes[1][-1], Divergence)
    alone_blowing = Execution(blowing)
    expected: list[Frame | Divergence] = []
    while not alone_blowing.finished:
        expected.append(alone_blowing.advance())
    assert isinstance(expected[-1], Divergence)
    assert len(outcomes[1]) == len(expected)
    divergence = outcomes[1][-1]
    assert isinstance(divergence, Divergence)
    assert (divergence.step, divergence.loss, divergence.examples_seen) == (
        expected[-1].step,
        expected[-1].loss,
        expected[-1].examples_seen,
    )
    steady_frames = [o for o in outcomes[0] if isinstance(o, Frame)]
    assert len(steady_frames) == 30
    assert [without_time(f.payload(30)) for f in steady_frames] == alone_surfaced(steady)


def alone_surfaced(spec: AnySpec) -> list[dict[str, object]]:
    execution = Execution(spec)
    out = []
    while not execution.finished:
        frame = execution.advance(with_snapshot=True)
        assert isinstance(frame, Frame)
        out.append(without_time(frame.payload(spec.steps)))
    return out
