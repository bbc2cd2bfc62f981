"""Our MLP against scikit-learn's MLPClassifier on every pattern and activation.

The same data, layer sizes (32, 32), Adam at 0.01, batches of 32 and the same number of
epochs: our held-out accuracy must be within two points of scikit-learn's, or better.
Our runs train as the app trains them (seeds offset for data, weights and batches; the
runs of a case stepping together as a class does). Accuracies are the means over four
seeds, measured on a fresh draw of 3,000 points of the pattern: the split's own 90
held-out points vary by about three points from seed to seed on the spiral, more than
the tolerance, where 3,000 points resolve it. (Over seeds 0-39, ours and scikit-learn's
means measured so differ by at most 0.6 points on every case.)

Seeds 2 and 3 are among the four: with zero initial biases, our tanh network stalled on
the spiral there (0.58 and 0.60 training accuracy after 1,500 steps, against 0.96 and
0.98 for scikit-learn); see app.ml.models.mlp.INIT_BOUNDS.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from app.ml.datasets import DATASET_NAMES, make_dataset
from app.ml.models.mlp import MLP
from app.ml.optimizers import Adam
from app.ml.training import RunTrainer, step_together

neural_network = pytest.importorskip("sklearn.neural_network")
exceptions = pytest.importorskip("sklearn.exceptions")

HIDDEN = (32, 32)
LEARNING_RATE = 0.01
BATCH = 32
N_SAMPLES, NOISE = 300, 0.15
SEEDS = (0, 1, 2, 3)
# Enough for both to converge: the spiral's 1,500 steps are 229 epochs of 210 points.
STEPS = {"moons": 300, "circles": 300, "xor": 300, "spiral": 1500}
TOLERANCE = 0.02
FRESH_POINTS, FRESH_SEED = 3000, 10_000
# The app's seed offsets (app.runs.kinds): data, initial weights, batch order.
DATA, WEIGHTS, BATCHES = 0, 1, 2


def _ours(name: str, activation: str) -> list[MLP]:
    """Each seed's trained model, all stepped together."""
    trainers = []
    for seed in SEEDS:
        data = make_dataset(name, N_SAMPLES, NOISE, seed + DATA)
        model = MLP((2, *HIDDEN, data.n_classes), activation, seed + WEIGHTS)
        optimizer = Adam(LEARNING_RATE)
        trainers.append(RunTrainer(model, data, optimizer, STEPS[name], BATCH, seed + BATCHES))
    while not trainers[0].finished:
        step_together(trainers)
    return [trainer.model for trainer in trainers]  # type: ignore[misc]


def _sklearn(name: str, activation: str, seed: int) -> Any:
    """scikit-learn's MLPClassifier trained on the seed's data, with our settings."""
    data = make_dataset(name, N_SAMPLES, NOISE, seed + DATA)
    classifier = neural_network.MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation=activation,
        solver="adam",
        learning_rate_init=LEARNING_RATE,
        batch_size=BATCH,
        max_iter=round(STEPS[name] * BATCH / len(data.y_train)),  # the same epochs
        shuffle=True,
        alpha=0.0,  # no weight penalty: ours has none
        tol=0.0,
        n_iter_no_change=10**9,  # no early stop: every epoch runs
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exceptions.ConvergenceWarning)
        classifier.fit(data.x_train, data.y_train)
    return classifier


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_held_out_accuracy_within_two_points_of_sklearn(name: str, activation: str) -> None:
    ours, theirs = [], []
    for seed, model in zip(SEEDS, _ours(name, activation), strict=True):
        fresh = make_dataset(name, FRESH_POINTS, NOISE, FRESH_SEED + seed)
        x = np.concatenate([fresh.x_train, fresh.x_val])
        y = np.concatenate([fresh.y_train, fresh.y_val])
        ours.append(model.accuracy(x, y))
        theirs.append(float(_sklearn(name, activation, seed).score(x, y)))
    ours_mean, theirs_mean = float(np.mean(ours)), float(np.mean(theirs))
    assert ours_mean >= theirs_mean - TOLERANCE, (
        f"{name}/{activation}: ours {ours_mean:.3f} {np.round(ours, 3)}, "
        f"scikit-learn {theirs_mean:.3f} {np.round(theirs, 3)}"
    )
