"""The kinds of model: each builds a run from its spec alone, and measures and shows it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import app.runs.kinds
from app.ml.digits import N_CLASSES, SIDE
from app.ml.novelty import default_threshold
from app.runs.execution import train_to_end
from app.runs.kinds import (
    CURVE_RESOLUTION,
    MODEL_KINDS,
    SAMPLE_PROMPT,
    SURFACE_RESOLUTION,
    DigitsKind,
    LanguageKind,
    LinearKind,
    MinibatchTally,
    MlpKind,
    RunSetup,
    kind_of,
)
from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

SPECS: list[AnySpec] = [
    MlpSpec(model="mlp", steps=10, n_samples=60, hidden=(8,)),
    LinearSpec(model="linear", steps=10, n_samples=30, degree=2),
    DigitsSpec(model="digits", steps=10, n_samples=100, hidden=(8,)),
    LanguageSpec(model="language", steps=10, hidden=8, embedding_dim=4),
]
KIND_IDS = [spec.model for spec in SPECS]


def build(spec: AnySpec) -> RunSetup:
    return kind_of(spec).build(spec, None)


def data_of(setup: RunSetup) -> list[Any]:
    data = setup.data
    return [data.x_train.tolist(), data.y_train.tolist(), data.x_val.tolist(), data.y_val.tolist()]


def trained_setup(spec: AnySpec) -> RunSetup:
    """The setup of a run trained to its end (weights away from their start)."""
    setup = train_to_end(spec).setup
    assert setup is not None
    return setup


def test_each_model_name_has_its_kind() -> None:
    kinds = [type(kind_of(spec)) for spec in SPECS]
    assert kinds == [MlpKind, LinearKind, DigitsKind, LanguageKind]
    assert set(MODEL_KINDS) == {"mlp", "linear", "digits", "language"}


@pytest.mark.parametrize("spec", SPECS, ids=KIND_IDS)
def test_a_build_is_the_same_every_time(spec: AnySpec) -> None:
    first, second = build(spec), build(spec)
    assert first.model is not second.model
    assert data_of(first) == data_of(second)
    assert first.model.fingerprint() == second.model.fingerprint()


@pytest.mark.parametrize("spec", SPECS, ids=KIND_IDS)
def test_another_seed_is_another_start(spec: AnySpec) -> None:
    first = build(spec)
    other = build(spec.model_copy(update={"seed": spec.seed + 100}))
    assert other.model.fingerprint() != first.model.fingerprint()
    if spec.model == "language":  # one fixed corpus: the seed only shuffles its sentences
        assert other.data.x_train.tolist() != first.data.x_train.tolist()
    else:
        assert data_of(other) != data_of(first)


def test_a_fine_tune_starts_from_a_copy_of_its_base() -> None:
    base = trained_setup(SPECS[0]).model
    fingerprint = base.fingerprint()
    tuned_spec = SPECS[0].model_copy(update={"variant": "drift"})
    setup = MlpKind().build(tuned_spec, base)
    assert setup.model is not base
    assert setup.model.fingerprint() == fingerprint
    setup.model.flat[...] += 1.0  # training the copy...
    assert base.fingerprint() == fingerprint  # ...leaves the base as it was
    assert data_of(setup) == data_of(build(tuned_spec))  # the new data, not the base's


def test_a_minibatch_tally_weighs_each_batch_by_its_size() -> None:
    tally = MinibatchTally()
    assert (tally.loss, tally.accuracy) == (None, None)
    tally.add(30, 1.0, 15)
    tally.add(10, 3.0, 10)
    assert tally.examples == 40
    assert tally.loss == pytest.approx(1.5)
    assert tally.accuracy == pytest.approx(25 / 40)
    tally.add(10, 0.0, None)  # a step that does not count right answers
    assert tally.accuracy is None
    assert tally.loss == pytest.approx(60 / 50)


CLASSIFIERS: list[AnySpec] = [
    MlpSpec(model="mlp", steps=15, n_samples=60, hidden=(8,), seed=1),
    MlpSpec(model="mlp", steps=15, n_samples=60, hidden=(8,), seed=2, dataset="xor"),
    MlpSpec(model="mlp", steps=15, n_samples=60, hidden=(4, 4), seed=3),
    MlpSpec(model="mlp", steps=15, n_samples=80, hidden=(8,), seed=4),
]


def tallies(n: int) -> list[MinibatchTally]:
    out = []
    for i in range(n):
        tally = MinibatchTally()
        tally.add(10 + i, 0.5 + i, 5 + i)
        out.append(tally)
    return out


def test_classifier_metrics_are_the_same_alone_and_in_a_group() -> None:
    setups = [trained_setup(spec) for spec in CLASSIFIERS]
    batches = tallies(len(setups))
    kind = MlpKind()
    together = kind.metrics_many(setups, batches)
    alone = [kind.metrics_many([s], [b])[0] for s, b in zip(setups, batches, strict=True)]
    assert together == alone
    for metrics, setup, batch in zip(together, setups, batches, strict=True):
        assert (metrics["loss"], metrics["accuracy"]) == (batch.loss, batch.accuracy)
        held_out = kind.held_out(setup)
        assert metrics["val_loss"] == pytest.approx(held_out["val_loss"], rel=1e-12)
        assert metrics["val_accuracy"] == held_out["val_accuracy"]
        model, data = setup.model, setup.data
        assert metrics["val_loss"] == pytest.approx(model.loss(data.x_val, data.y_val), rel=1e-9)
        assert metrics["val_accuracy"] == model.accuracy(data.x_val, data.y_val)


def test_decision_maps_are_the_same_alone_and_in_a_group() -> None:
    setups = [trained_setup(spec) for spec in CLASSIFIERS]
    kind = MlpKind()
    assert kind.snapshot_many(setups) == [kind.snapshot(setup) for setup in setups]


@pytest.mark.parametrize("spec", SPECS[1:], ids=KIND_IDS[1:])
def test_other_kinds_measure_each_run_alone(spec: AnySpec) -> None:
    setups = [trained_setup(spec), trained_setup(spec.model_copy(update={"seed": 99}))]
    kind = kind_of(spec)
    batches = tallies(2)
    together = kind.metrics_many(setups, batches)
    alone = [kind.metrics_many([s], [b])[0] for s, b in zip(setups, batches, strict=True)]
    assert together == alone
    assert [m["val_loss"] for m in together] == [kind.held_out(s)["val_loss"] for s in setups]


def test_a_regression_has_no_accuracy_and_the_language_model_a_perplexity() -> None:
    linear = trained_setup(SPECS[1])
    measured = LinearKind().held_out(linear)
    assert measured["val_accuracy"] is None
    assert measured["val_loss"] == linear.model.loss(linear.data.x_val, linear.data.y_val)
    language = trained_setup(SPECS[3])
    words = LanguageKind().held_out(language)
    assert words["val_perplexity"] == pytest.approx(np.exp(words["val_loss"]))
    assert 1 < words["val_perplexity"] < len(language.text.vocabulary)


def test_what_each_kind_shows_of_a_run() -> None:
    mlp, linear, digits, language = (build(spec) for spec in SPECS)
    surface = MlpKind().snapshot(mlp)["surface"]
    assert np.shape(surface) == (SURFACE_RESOLUTION, SURFACE_RESOLUTION)
    assert np.min(surface) >= 0 and np.max(surface) <= 1
    assert list(LinearKind().snapshot(linear)) == ["curve"]
    assert len(LinearKind().snapshot(linear)["curve"]) == CURVE_RESOLUTION
    assert DigitsKind().snapshot(digits) == {}
    sample = LanguageKind().snapshot(language)["sample"]
    assert sample.startswith(SAMPLE_PROMPT)


def test_what_each_kind_sends_before_the_first_frame() -> None:
    mlp, linear, digits, language = (build(spec) for spec in SPECS)
    start = MlpKind().start(mlp)
    assert set(start) == {"box", "surface_resolution", "train", "val"}
    assert len(start["train"]["x"]) == len(start["train"]["y"]) == len(mlp.data.y_train)
    assert start["surface_resolution"] == SURFACE_RESOLUTION
    start = LinearKind().start(linear)
    assert set(start) == {"box", "curve_x", "train", "val"}
    assert len(start["curve_x"]) == CURVE_RESOLUTION
    assert len(start["val"]["x"]) == len(start["val"]["y"]) == len(linear.data.y_val)
    assert DigitsKind().start(digits) == {"side": SIDE, "classes": list(range(N_CLASSES))}
    start = LanguageKind().start(language)
    assert set(start) == {
        "vocabulary_size",
        "training_sentences",
        "held_out_sentences",
        "uniform_perplexity",
    }
    assert start["uniform_perplexity"] == start["vocabulary_size"] == len(language.text.vocabulary)


def test_the_novelty_threshold_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    setup = build(SPECS[0])
    measured: list[int] = []

    def counting(x_train: Any) -> float:
        measured.append(len(x_train))
        return default_threshold(x_train)

    monkeypatch.setattr(app.runs.kinds, "default_threshold", counting)
    first = setup.novelty_threshold()
    assert setup.novelty_threshold() == first
    assert measured == [len(setup.data.x_train)]
    assert first == default_threshold(setup.data.x_train)
    assert first > 0


def test_distances_to_data_are_to_the_nearest_training_point() -> None:
    setup = build(SPECS[0])
    x_train = setup.data.x_train
    queries = np.random.default_rng(0).uniform(-3, 3, size=(25, 2))
    queries[0] = x_train[5]
    brute = np.sqrt(((queries[:, None, :] - x_train[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    distances = setup.distances_to_data(queries)
    assert distances.shape == (25,)
    np.testing.assert_allclose(distances, brute, atol=1e-9)
    assert distances[0] == pytest.approx(0.0, abs=1e-7)
    np.testing.assert_allclose(setup.distances_to_data(queries), distances)  # asked again
