"""Benchmark the model zoo against scikit-learn on the same shapes, and batched inference.

Run from the repository root:  python bench/bench_models.py

For each model, measured in this one run:
1. One training step: ours is one ``next()`` on ``train_steps`` (batch draw, forward,
   backward, update, divergence check, record); scikit-learn's is ``partial_fit`` on a
   batch of the same shape, the closest call it offers:
   - linear (a line, batch 32, SGD with momentum): ``SGDRegressor.partial_fit``, which
     makes one plain SGD pass over the 32 rows one row at a time (no momentum): the same
     data per call, not the same arithmetic;
   - digits MLP (256-64-10 ReLU, batch 64, Adam): ``MLPClassifier.partial_fit``;
   - next-word model (2 words of context, 16-wide embeddings, 64 tanh, about 400 words,
     batch 64, Adam): scikit-learn has no embedding layer, so the closest estimator is
     ``MLPClassifier`` (64 tanh, Adam) on the one-hot encoding of the two context words
     (2 x vocabulary features). Its first layer is one big matrix where ours looks up
     two small vectors, so it does more arithmetic for the same prediction task.
2. Single-input inference: ours ``predict`` / ``predict_proba`` on one row against
   ``LinearRegression.predict`` (fitted on the same data) and ``predict_proba``.
3. Batched inference throughput: 1,000 inputs in one call against 1,000 one-input calls,
   in inputs per second, for each of our models.

Each time is the median over repeats of (time of `number` calls) / number, as timeit.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from bench_mlp import describe_machine, median_us

if TYPE_CHECKING:
    from app.ml.datasets import Dataset, RegressionDataset
    from app.ml.models.language import NextWordModel
    from app.ml.models.linear import LinearRegression
    from app.ml.models.mlp import MLP
    from app.ml.text import TextData
    from app.ml.training import StepRecord

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 31
THROUGHPUT_INPUTS = 1000
THROUGHPUT_REPEATS = 7


def throughput(call: Callable[[], object], inputs: int, repeats: int = THROUGHPUT_REPEATS) -> float:
    """Inputs per second: inputs / the median time of one call() over repeats."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return inputs / statistics.median(times)


@dataclass
class Zoo:
    """Our three models, trained as their kinds' default runs, with data and training streams."""

    linear: LinearRegression
    line: RegressionDataset
    linear_stream: Iterator[StepRecord]
    digits: MLP
    digit_data: Dataset
    digits_stream: Iterator[StepRecord]
    language: NextWordModel
    text: TextData
    language_stream: Iterator[StepRecord]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    for key, value in describe_machine():
        print(f"{key:>15}: {value}")
    zoo = train_zoo()
    ours, prompt_us = time_ours(zoo)
    theirs, sklearn_version = time_sklearn(zoo)
    print_comparison(ours, theirs, sklearn_version, len(zoo.text.vocabulary), prompt_us)
    print_throughput(zoo)


def train_zoo() -> Zoo:
    """Each kind's default run (its run spec's defaults, the app's seeding), trained to its
    steps through the app's own kind adapter, its training stream left open for timing."""
    from app.ml.optimizers import OPTIMIZERS
    from app.ml.training import train_steps
    from app.runs.kinds import BATCHES, RunSetup, kind_of
    from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec

    def trained(spec: AnySpec, batch_size: int) -> tuple[RunSetup, Iterator[object]]:
        # The timed steps use the batch sizes the comparison table names (32, 64, 64).
        setup = kind_of(spec).build(spec, None)
        optimizer = OPTIMIZERS[spec.optimizer](learning_rate=spec.learning_rate)
        stream = train_steps(
            setup.model, setup.data, optimizer, 10**9, batch_size, seed=spec.seed + BATCHES
        )
        for _ in range(spec.steps):
            next(stream)
        return setup, stream

    line, linear_stream = trained(LinearSpec(model="linear"), 32)
    digits, digits_stream = trained(DigitsSpec(model="digits"), 64)
    language, language_stream = trained(LanguageSpec(model="language"), 64)
    linear = line.model
    return Zoo(
        linear=linear,
        line=line.data,
        linear_stream=linear_stream,
        digits=digits.model,
        digit_data=digits.data,
        digits_stream=digits_stream,
        language=language.model,
        text=language.text,
        language_stream=language_stream,
    )


def time_ours(zoo: Zoo) -> tuple[dict[str, float], float]:
    """Our step and single-input times (us), and the whole next-word prompt call's."""
    ours: dict[str, float] = {
        "linear step": median_us(lambda: next(zoo.linear_stream), number=500),
        "digits step": median_us(lambda: next(zoo.digits_stream), number=100),
        "language step": median_us(lambda: next(zoo.language_stream), number=100),
    }
    x_line, x_digit, x_words = single_inputs(zoo)
    ours["linear predict"] = median_us(lambda: zoo.linear.predict(x_line), number=2000)
    ours["digits predict"] = median_us(lambda: zoo.digits.predict_proba(x_digit), number=2000)
    ours["language predict"] = median_us(lambda: zoo.language.predict_proba(x_words), number=2000)
    prompt_us = median_us(
        lambda: zoo.language.next_word_probabilities("the cat sat on the", 5), number=500
    )
    return ours, prompt_us


def single_inputs(zoo: Zoo) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One held-out row per model: a line's x, a digit image, a two-word context."""
    return (
        zoo.line.x_val[:1].copy(),
        zoo.digit_data.x_val[:1].copy(),
        zoo.text.dataset.x_val[:1].copy(),
    )


def time_sklearn(zoo: Zoo) -> tuple[dict[str, float], str]:
    """scikit-learn's times (us) on the same shapes, and its version ("-" if absent)."""
    try:
        from sklearn import __version__ as sklearn_version  # type: ignore[import-untyped]
        from sklearn.linear_model import (  # type: ignore[import-untyped]
            LinearRegression,
            SGDRegressor,
        )
        from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]
    except ImportError:
        print("scikit-learn not installed: reporting our numbers only")
        return {}, "-"
    from app.runs.specs import DigitsSpec, LanguageSpec

    x_line, x_digit, x_words = single_inputs(zoo)
    line, digit_data, text = zoo.line, zoo.digit_data, zoo.text
    vocabulary = len(text.vocabulary)
    line_x, line_y = line.x_train[:32].copy(), line.y_train[:32].copy()
    digit_x, digit_y = digit_data.x_train[:64].copy(), digit_data.y_train[:64].copy()
    words_x = one_hot(text.dataset.x_train[:64], vocabulary)
    words_y = text.dataset.y_train[:64].copy()
    words_one = one_hot(x_words, vocabulary)
    theirs: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sgd = SGDRegressor(learning_rate="constant", eta0=0.01, penalty=None, random_state=0)
        sgd.partial_fit(line_x, line_y)
        theirs["linear step"] = median_us(lambda: sgd.partial_fit(line_x, line_y), number=200)
        exact = LinearRegression().fit(line.x_train, line.y_train)
        theirs["linear predict"] = median_us(lambda: exact.predict(x_line), number=500)

        mlp = MLPClassifier(
            hidden_layer_sizes=(64,),
            activation="relu",
            solver="adam",
            batch_size=64,
            learning_rate_init=DigitsSpec(model="digits").learning_rate,
            random_state=0,
        )
        mlp.partial_fit(digit_x, digit_y, classes=np.arange(10))
        theirs["digits step"] = median_us(lambda: mlp.partial_fit(digit_x, digit_y), 20)
        theirs["digits predict"] = median_us(lambda: mlp.predict_proba(x_digit), 200)

        words = MLPClassifier(
            hidden_layer_sizes=(64,),
            activation="tanh",
            solver="adam",
            batch_size=64,
            learning_rate_init=LanguageSpec(model="language").learning_rate,
            random_state=0,
        )
        words.partial_fit(words_x, words_y, classes=np.arange(vocabulary))
        theirs["language step"] = median_us(lambda: words.partial_fit(words_x, words_y), 20)
        theirs["language predict"] = median_us(lambda: words.predict_proba(words_one), 200)
    return theirs, str(sklearn_version)


def one_hot(ids: np.ndarray, vocabulary: int) -> np.ndarray:
    """(n, 2) context ids -> (n, 2 * vocabulary) one-hot features."""
    features = np.zeros((len(ids), ids.shape[1] * vocabulary))
    for slot in range(ids.shape[1]):
        features[np.arange(len(ids)), slot * vocabulary + ids[:, slot]] = 1.0
    return features


def print_comparison(
    ours: dict[str, float],
    theirs: dict[str, float],
    sklearn_version: str,
    vocabulary: int,
    prompt_us: float,
) -> None:
    print(f"{'scikit-learn':>15}: {sklearn_version}")
    print()
    print("microseconds per call; median of", REPEATS, "repeats")
    header = ("measure", "ours (us)", "sklearn (us)", "sklearn / ours")
    print(f"{header[0]:<44}{header[1]:>12}{header[2]:>15}{header[3]:>16}")
    labels = {
        "linear step": "linear: training step (batch 32, SGD)",
        "linear predict": "linear: predict, one input",
        "digits step": "digits 256-64-10: training step (batch 64)",
        "digits predict": "digits: predict_proba, one image",
        "language step": f"next-word (V={vocabulary}): step (batch 64)",
        "language predict": "next-word: predict_proba, one context",
    }
    for key, label in labels.items():
        mine = ours[key]
        if key in theirs:
            other = theirs[key]
            print(f"{label:<44}{mine:>12.2f}{other:>15.2f}{other / mine:>15.1f}x")
        else:
            print(f"{label:<44}{mine:>12.2f}{'-':>15}{'-':>16}")
    print(f"next_word_probabilities('the cat sat on the', 5), whole call: {prompt_us:.1f} us")
    print(
        "note: the sklearn next-word reference is MLPClassifier on one-hot context features"
        f" ({2 * vocabulary} wide), the closest estimator; SGDRegressor.partial_fit makes"
        " per-row updates without momentum."
    )


def print_throughput(zoo: Zoo) -> None:
    """Batched against one-by-one inference, in inputs per second, for each model."""
    rng = np.random.default_rng(0)
    many_line = rng.uniform(-2, 2, size=(THROUGHPUT_INPUTS, 1))
    x_digits, x_words = zoo.digit_data.x_val, zoo.text.dataset.x_val
    many_digits = x_digits[rng.integers(0, len(x_digits), THROUGHPUT_INPUTS)]
    many_words = x_words[rng.integers(0, len(x_words), THROUGHPUT_INPUTS)]

    def each(call: Callable[[np.ndarray], object], rows: list[np.ndarray]) -> Callable[[], None]:
        def run() -> None:
            for row in rows:
                call(row)

        return run

    print()
    print(f"batched inference: {THROUGHPUT_INPUTS:,} inputs in one call vs one call per input")
    header = ("model", "batched (inputs/s)", "one by one (inputs/s)", "batched / single")
    print(f"{header[0]:<20}{header[1]:>20}{header[2]:>24}{header[3]:>18}")
    cases: list[tuple[str, Callable[[np.ndarray], object], np.ndarray]] = [
        ("linear", zoo.linear.predict, many_line),
        ("digits MLP", zoo.digits.predict_proba, many_digits),
        ("next-word", zoo.language.predict_proba, many_words),
    ]
    for name, call, batch in cases:
        rows = [row[None] for row in batch]
        batched = throughput(partial(call, batch), THROUGHPUT_INPUTS)
        single = throughput(each(call, rows), THROUGHPUT_INPUTS)
        print(f"{name:<20}{batched:>20,.0f}{single:>24,.0f}{batched / single:>17.0f}x")


if __name__ == "__main__":
    main()
