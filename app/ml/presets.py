"""Old default setups, kept only until bench/bench_models.py stops importing them: delete.

Nothing in the app or in tests/ml uses this module. Every default of a run is its spec's
(app.runs.specs), built by its kind's adapter (app.runs.kinds) with the app's seeds
(``spec.seed`` plus DATA, WEIGHTS and BATCHES); these setups instead drive the data, the
initial weights and the batch order from one seed, so they are not the app's runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.ml.datasets import Dataset, RegressionDataset, make_regression
from app.ml.digits import N_CLASSES, SIDE, make_digits
from app.ml.models.language import NextWordModel
from app.ml.models.linear import LinearRegression
from app.ml.models.mlp import MLP
from app.ml.optimizers import OPTIMIZERS, Optimizer
from app.ml.text import TextData, load_corpus, make_text_data
from app.ml.training import StepRecord, train_steps


@dataclass(frozen=True)
class LinearPreset:
    shape: str
    n_samples: int
    noise: float
    degree: int
    optimizer: str
    learning_rate: float
    batch_size: int
    steps: int
    seed: int


@dataclass(frozen=True)
class DigitsPreset:
    n_samples: int
    noise: float
    hidden_layers: tuple[int, ...]
    activation: str
    optimizer: str
    learning_rate: float
    batch_size: int
    steps: int
    seed: int


@dataclass(frozen=True)
class LanguagePreset:
    corpus: str
    held_out_fraction: float
    min_count: int
    context: int
    embedding_dim: int
    hidden: int
    optimizer: str
    learning_rate: float
    batch_size: int
    steps: int
    seed: int


# The whole training set in every batch (70 points), so each step is exact gradient
# descent and the line settles on the least-squares answer: largest parameter error
# 3e-8 after 300 steps at seed 0.
LINEAR_PRESET = LinearPreset(
    shape="line",
    n_samples=100,
    noise=0.15,
    degree=1,
    optimizer="sgd",
    learning_rate=0.1,
    batch_size=100,
    steps=300,
    seed=0,
)
# The same with cubic features, for the gentle curve: largest parameter error 3e-7 after
# 600 steps (the cubic column makes the problem less well conditioned, so it is slower).
CURVE_PRESET = LinearPreset(
    shape="curve",
    n_samples=100,
    noise=0.15,
    degree=3,
    optimizer="sgd",
    learning_rate=0.1,
    batch_size=100,
    steps=600,
    seed=0,
)
# 16x16 digits, 256-64-10 ReLU: 97.5 % held-out at seed 0 (97-98.5 % over seeds 0-3),
# trained in about 0.2 s after 0.3 s of drawing the 2,000 images.
DIGITS_PRESET = DigitsPreset(
    n_samples=2000,
    noise=0.1,
    hidden_layers=(64,),
    activation="relu",
    optimizer="adam",
    learning_rate=0.005,
    batch_size=64,
    steps=500,
    seed=0,
)
# Held-out perplexity about 20 against a vocabulary of about 400 at seed 0 (19-24 over
# seeds 0-4), in about 0.6 s. Longer runs keep lowering the training perplexity but raise
# the held-out one: 600 steps stops near its lowest point.
LANGUAGE_PRESET = LanguagePreset(
    corpus="everyday",
    held_out_fraction=0.15,
    min_count=2,
    context=2,
    embedding_dim=16,
    hidden=64,
    optimizer="adam",
    learning_rate=0.005,
    batch_size=64,
    steps=600,
    seed=0,
)


def build_linear(
    preset: LinearPreset = LINEAR_PRESET,
) -> tuple[LinearRegression, RegressionDataset, Optimizer]:
    data = make_regression(preset.shape, preset.n_samples, preset.noise, preset.seed)
    model = LinearRegression(preset.degree, preset.seed)
    return model, data, OPTIMIZERS[preset.optimizer](learning_rate=preset.learning_rate)


def build_digits(preset: DigitsPreset = DIGITS_PRESET) -> tuple[MLP, Dataset, Optimizer]:
    data = make_digits(preset.n_samples, preset.seed, preset.noise)
    sizes = (SIDE * SIDE, *preset.hidden_layers, N_CLASSES)
    model = MLP(sizes, preset.activation, preset.seed)
    return model, data, OPTIMIZERS[preset.optimizer](learning_rate=preset.learning_rate)


def build_language(
    preset: LanguagePreset = LANGUAGE_PRESET,
) -> tuple[NextWordModel, TextData, Optimizer]:
    text = make_text_data(
        load_corpus(preset.corpus),
        preset.seed,
        preset.held_out_fraction,
        preset.context,
        preset.min_count,
    )
    model = NextWordModel(
        text.vocabulary, preset.embedding_dim, preset.hidden, preset.seed, preset.context
    )
    return model, text, OPTIMIZERS[preset.optimizer](learning_rate=preset.learning_rate)


def train_linear(
    preset: LinearPreset = LINEAR_PRESET,
) -> tuple[LinearRegression, RegressionDataset, list[StepRecord]]:
    """Build and train to the end; the trained model, its data and every step record."""
    model, data, optimizer = build_linear(preset)
    steps = train_steps(model, data, optimizer, preset.steps, preset.batch_size, preset.seed)
    return model, data, list(steps)


def train_digits(
    preset: DigitsPreset = DIGITS_PRESET,
) -> tuple[MLP, Dataset, list[StepRecord]]:
    model, data, optimizer = build_digits(preset)
    steps = train_steps(model, data, optimizer, preset.steps, preset.batch_size, preset.seed)
    return model, data, list(steps)


def train_language(
    preset: LanguagePreset = LANGUAGE_PRESET,
) -> tuple[NextWordModel, TextData, list[StepRecord]]:
    model, text, optimizer = build_language(preset)
    steps = train_steps(
        model, text.dataset, optimizer, preset.steps, preset.batch_size, preset.seed
    )
    return model, text, list(steps)
