"""Every model trains through the one loop, which counts its FLOPs the same way."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.ml.datasets import make_dataset, make_regression
from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS, TrainableModel
from app.ml.models.language import NextWordModel
from app.ml.models.linear import MSE_DIVERGENCE_LOSS, LinearRegression
from app.ml.models.mlp import MLP
from app.ml.optimizers import SGD, Adam
from app.ml.training import DIVERGENCE_LOSS, fine_tune, train_steps
from app.runs.kinds import kind_of
from app.runs.specs import LanguageSpec


def test_each_model_carries_the_divergence_threshold_of_its_loss() -> None:
    assert MLP.divergence_loss == DIVERGENCE_LOSS == CROSS_ENTROPY_DIVERGENCE_LOSS
    assert NextWordModel.divergence_loss == CROSS_ENTROPY_DIVERGENCE_LOSS
    assert LinearRegression.divergence_loss == MSE_DIVERGENCE_LOSS


def test_mlp_is_a_trainable_model_unchanged() -> None:
    model: TrainableModel[np.ndarray, np.ndarray] = MLP((2, 4, 2), "tanh", seed=0)
    assert isinstance(model.copy(), MLP)


@pytest.mark.parametrize("kind", ["linear", "language"])
def test_records_count_forward_loss_backward_and_update(kind: str) -> None:
    if kind == "linear":
        linear = LinearRegression(3, seed=0)
        data = make_regression("curve", 100, 0.1, seed=0)
        records = list(train_steps(linear, data, Adam(0.01), 5, 32, seed=0))
        model: TrainableModel[np.ndarray, np.ndarray] = linear
    else:
        spec = LanguageSpec(model="language")
        setup = kind_of(spec).build(spec, None)  # the app's default model and its data
        language = setup.model
        records = list(train_steps(language, setup.data, Adam(0.01), 5, 32, seed=0))
        model = language
    seen = [r.examples_seen for r in records]
    sizes = [b - a for a, b in itertools.pairwise([0, *seen])]
    # Every step sees 32, even the third of the regression's: its 70 training points end
    # the first epoch with 6, and the next epoch's first 26 fill that batch up.
    assert sizes == [32] * 5
    per_step = [
        model.flops_forward(n) + model.flops_loss(n) + model.flops_backward(n)
        + 14 * model.n_parameters
        for n in sizes
    ]  # fmt: skip
    assert [r.flops for r in records] == list(itertools.accumulate(per_step))


def test_fine_tune_works_for_any_model_and_leaves_the_base_alone() -> None:
    base = LinearRegression(1, seed=0)
    line = make_regression("line", 100, 0.1, seed=0)
    list(train_steps(base, line, SGD(0.1), 200, 100, seed=0))
    before = base.fingerprint()
    # The new world: the same line moved up by half a unit.
    moved = make_regression("line", 100, 0.1, seed=1)
    moved = type(moved)(
        moved.x_train, moved.y_train + 0.5, moved.x_val, moved.y_val + 0.5, moved.n_classes
    )
    tuned, stream = fine_tune(base, moved, SGD(0.1), 50, 100, seed=0)
    records = list(stream)
    assert base.fingerprint() == before and tuned.fingerprint() != before
    assert records[0].flops < records[-1].flops and records[-1].step == 50
    assert tuned.loss(moved.x_val, moved.y_val) < 0.1 * base.loss(moved.x_val, moved.y_val)


def test_train_steps_rejects_nothing_it_used_to_accept() -> None:
    data = make_dataset("xor", 100, 0.1, 0)
    model = MLP((2, 8, 2), "relu", 0)
    records = list(train_steps(model, data, SGD(0.1), 3, 16, 0))
    assert len(records) == 3
