"""Trained default presets, shared by the test modules that question them (trained once)."""

from __future__ import annotations

import pytest

from app.ml.datasets import Dataset, make_dataset
from app.ml.models.language import NextWordModel
from app.ml.models.mlp import MLP
from app.ml.optimizers import OPTIMIZERS
from app.ml.presets import train_digits, train_language
from app.ml.text import TextData
from app.ml.training import DEFAULT_PRESET, train_steps


@pytest.fixture(scope="session")
def trained_moons() -> tuple[MLP, Dataset]:
    preset = DEFAULT_PRESET
    data = make_dataset(preset.dataset, preset.n_samples, preset.noise, preset.seed)
    model = MLP((2, *preset.hidden_layers, data.n_classes), preset.activation, preset.seed)
    optimizer = OPTIMIZERS[preset.optimizer](learning_rate=preset.learning_rate)
    list(train_steps(model, data, optimizer, preset.steps, preset.batch_size, preset.seed))
    return model, data


@pytest.fixture(scope="session")
def trained_digits() -> tuple[MLP, Dataset]:
    model, data, _ = train_digits()
    return model, data


@pytest.fixture(scope="session")
def trained_language() -> tuple[NextWordModel, TextData]:
    model, text, _ = train_language()
    return model, text
