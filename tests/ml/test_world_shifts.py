"""The world shifts: drifted and gapped data, the novelty flag, and fine-tuning."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from default_runs import step_records, train_run

from app.ml.datasets import (
    DATA_BOX,
    DATASET_NAMES,
    GAP_CENTRES,
    Dataset,
    drift,
    gap_disc,
    make_dataset,
)
from app.ml.models.mlp import MLP
from app.ml.novelty import (
    SPACING_MULTIPLE,
    default_threshold,
    nearest_distances,
    outside_training_data,
    typical_spacing,
)
from app.ml.training import StepRecord
from app.runs.specs import MlpSpec, run_id_for

# -- drift ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["drift", "gap"])
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_shifted_worlds_are_bit_identical_under_a_seed(name: str, variant: str) -> None:
    first = make_dataset(name, 150, 0.2, seed=9, variant=variant, amount=0.8)
    second = make_dataset(name, 150, 0.2, seed=9, variant=variant, amount=0.8)
    for field in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(first, field), getattr(second, field))


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_drift_of_zero_is_the_unshifted_world(name: str) -> None:
    plain = make_dataset(name, 200, 0.2, seed=1)
    same = make_dataset(name, 200, 0.2, seed=1, variant="drift", amount=0.0)
    np.testing.assert_array_equal(plain.x_train, same.x_train)
    np.testing.assert_array_equal(plain.y_val, same.y_val)


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_drift_moves_the_same_points(name: str) -> None:
    plain = make_dataset(name, 200, 0.0, seed=1)
    moved = make_dataset(name, 200, 0.0, seed=1, variant="drift", amount=0.6)
    np.testing.assert_array_equal(plain.y_train, moved.y_train)
    np.testing.assert_allclose(moved.x_train, np.clip(drift(plain.x_train, 0.6), *DATA_BOX))
    assert not np.allclose(moved.x_train, plain.x_train)


def test_drift_turns_by_a_quarter_and_moves_at_full_amount() -> None:
    turned = drift(np.array([[1.0, 0.0], [0.0, 1.0]]), 1.0)
    np.testing.assert_allclose(turned, [[0.4, 1.2], [-0.6, 0.2]], atol=1e-15)


# -- gap ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_gap_empties_a_disc_of_the_training_split_only(name: str) -> None:
    plain = make_dataset(name, 400, 0.1, seed=2)
    gapped = make_dataset(name, 400, 0.1, seed=2, variant="gap", amount=0.7)
    centre, radius = gap_disc(name, 0.7)
    assert centre == GAP_CENTRES[name] and radius == pytest.approx(0.7)

    def inside(x: np.ndarray) -> np.ndarray:
        return np.hypot(*(x - np.array(centre)).T) <= radius

    assert not inside(gapped.x_train).any()
    assert inside(plain.x_train).any() and inside(gapped.x_val).any()
    np.testing.assert_array_equal(gapped.x_val, plain.x_val)  # held-out keeps the region
    kept = {tuple(row) for row in gapped.x_train}
    assert kept == {tuple(row) for row in plain.x_train[~inside(plain.x_train)]}


@pytest.mark.parametrize(("variant", "amount"), [("blur", 0.5), ("drift", -0.1), ("gap", 1.5)])
def test_bad_variant_or_amount_raises(variant: str, amount: float) -> None:
    with pytest.raises(ValueError):
        make_dataset("moons", 100, 0.1, seed=0, variant=variant, amount=amount)


@pytest.fixture(scope="module")
def gapped_moons() -> tuple[MLP, Dataset, np.ndarray]:
    """The app's blind-spot run: the default run with a disc of the moons missing."""
    spec = MlpSpec(model="mlp", variant="gap")
    run = train_run(spec)
    assert run.setup is not None
    data = run.setup.data
    centre, radius = gap_disc("moons", spec.amount)
    in_gap = np.hypot(*(data.x_val - np.array(centre)).T) <= radius
    return run.model, data, in_gap


def test_a_gap_in_the_data_becomes_a_blind_spot(
    gapped_moons: tuple[MLP, Dataset, np.ndarray],
) -> None:
    model, data, in_gap = gapped_moons
    assert in_gap.sum() >= 8
    inside = model.accuracy(data.x_val[in_gap], data.y_val[in_gap])
    outside = model.accuracy(data.x_val[~in_gap], data.y_val[~in_gap])
    # Measured at the default seed 7: 73 % inside the gap (11 of its 15 held-out points),
    # 99 % elsewhere (74 of 75). One more right answer inside (80 %) would fail.
    assert outside >= 0.95 and inside <= outside - 0.2


# -- novelty --------------------------------------------------------------------------


def test_nearest_distances_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(300, 3))
    x = rng.normal(size=(2500, 3))  # more than one chunk of queries
    brute = np.sqrt(((x[:, None, :] - x_train[None]) ** 2).sum(axis=-1)).min(axis=1)
    np.testing.assert_allclose(nearest_distances(x, x_train), brute, atol=1e-9)
    assert nearest_distances(x_train[:5], x_train) == pytest.approx(0.0, abs=1e-7)


def test_typical_spacing_of_a_grid_is_its_step() -> None:
    axis = np.arange(10) * 0.1
    grid = np.array([[a, b] for a in axis for b in axis])
    assert typical_spacing(grid) == pytest.approx(0.1)
    assert default_threshold(grid) == pytest.approx(SPACING_MULTIPLE * 0.1)
    flags = outside_training_data(np.array([[0.45, 0.45], [0.5, 1.2], [3.0, 3.0]]), grid)
    np.testing.assert_array_equal(flags, [False, False, True])
    np.testing.assert_array_equal(
        outside_training_data(np.array([[0.5, 1.2]]), grid, threshold=0.2), [True]
    )


@pytest.mark.parametrize(
    ("x", "x_train"),
    [(np.zeros((2, 2)), np.zeros((0, 2))), (np.zeros((2, 3)), np.zeros((4, 2)))],
)
def test_novelty_rejects_mismatched_inputs(x: np.ndarray, x_train: np.ndarray) -> None:
    with pytest.raises(ValueError):
        nearest_distances(x, x_train)
    with pytest.raises(ValueError):
        typical_spacing(np.zeros((1, 2)))


def test_the_gap_and_the_far_corners_are_flagged_the_data_is_not(
    gapped_moons: tuple[MLP, Dataset, np.ndarray],
) -> None:
    _, data, in_gap = gapped_moons
    flags = outside_training_data(data.x_val, data.x_train)
    # Measured at the default seed 7: 73 % of the gap's held-out points flagged (11 of 15),
    # 4 % of the others (3 of 75).
    assert flags[in_gap].mean() >= 0.5
    assert flags[~in_gap].mean() <= 0.05
    corners = np.array([[-1.9, -1.9], [1.9, 1.9], [-1.9, 1.9]])
    assert outside_training_data(corners, data.x_train).all()


# -- fine-tuning ----------------------------------------------------------------------


def _flops_to_reach(model: MLP, records: Iterator[StepRecord], data: Dataset, target: float) -> int:
    """Cumulative training FLOPs at the first step after which held-out accuracy >= target."""
    for record in records:
        if model.accuracy(data.x_val, data.y_val) >= target:
            return record.flops
    raise AssertionError(f"never reached {target:.0%}")


def test_fine_tuning_recovers_at_a_fraction_of_the_cost_of_training_from_scratch(
    trained_moons: tuple[MLP, Dataset],
) -> None:
    model, old = trained_moons  # the app's default run
    before = model.fingerprint()
    knew = model.accuracy(old.x_val, old.y_val)
    # The world-shift lesson's runs: the same points drifted, fine-tuned from the trained
    # model or trained from scratch; each may take up to 1,000 steps to reach the target.
    drifted = MlpSpec(model="mlp", variant="drift", amount=0.5, steps=1000)
    fine_tuning = MlpSpec(
        model="mlp",
        variant="drift",
        amount=0.5,
        steps=1000,
        fine_tune_from=run_id_for(MlpSpec(model="mlp")),
    )
    tuned, tuned_stream = step_records(fine_tuning, base=model)
    new = tuned.data
    stale = model.accuracy(new.x_val, new.y_val)
    # Answering questions about the new world does not change the model.
    for _ in range(100):
        model.predict_proba(new.x_val)
    assert model.fingerprint() == before and stale < 0.7

    target = 0.95
    tuned_flops = _flops_to_reach(tuned.model, tuned_stream, new, target)
    scratch, scratch_stream = step_records(drifted)
    np.testing.assert_array_equal(scratch.data.x_train, new.x_train)  # the same new world
    scratch_flops = _flops_to_reach(scratch.model, scratch_stream, new, target)

    assert model.fingerprint() == before and tuned.model is not model  # the base is untouched
    assert model.accuracy(old.x_val, old.y_val) == knew  # and still knows the old world
    # Measured at the default seed 7: 43 % right on the new world before fine-tuning; 95 %
    # after 64 steps of fine-tuning against 165 from scratch, two fifths of the FLOPs.
    assert tuned_flops < 0.5 * scratch_flops
