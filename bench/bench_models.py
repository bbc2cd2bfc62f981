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
from collections.abc import Callable
from pathlib import Path

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


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np
    from bench_mlp import describe_machine, median_us

    from app.ml.presets import (
        DIGITS_PRESET,
        LANGUAGE_PRESET,
        LINEAR_PRESET,
        build_digits,
        build_language,
        build_linear,
    )
    from app.ml.training import train_steps

    for key, value in describe_machine():
        print(f"{key:>15}: {value}")

    # -- our models, trained to their presets, then timed --------------------------
    linear, line, linear_opt = build_linear()
    linear_stream = train_steps(linear, line, linear_opt, 10**9, 32, seed=0)
    digits, digit_data, digits_opt = build_digits()
    digits_stream = train_steps(digits, digit_data, digits_opt, 10**9, 64, seed=0)
    language, text, language_opt = build_language()
    language_stream = train_steps(language, text.dataset, language_opt, 10**9, 64, seed=0)
    for stream, steps in (
        (linear_stream, LINEAR_PRESET.steps),
        (digits_stream, DIGITS_PRESET.steps),
        (language_stream, LANGUAGE_PRESET.steps),
    ):
        for _ in range(steps):
            next(stream)

    ours: dict[str, float] = {
        "linear step": median_us(lambda: next(linear_stream), number=500),
        "digits step": median_us(lambda: next(digits_stream), number=100),
        "language step": median_us(lambda: next(language_stream), number=100),
    }
    x_line = line.x_val[:1].copy()
    x_digit = digit_data.x_val[:1].copy()
    x_words = text.dataset.x_val[:1].copy()
    ours["linear predict"] = median_us(lambda: linear.predict(x_line), number=2000)
    ours["digits predict"] = median_us(lambda: digits.predict_proba(x_digit), number=2000)
    ours["language predict"] = median_us(lambda: language.predict_proba(x_words), number=2000)
    prompt_us = median_us(
        lambda: language.next_word_probabilities("the cat sat on the", 5), number=500
    )

    # -- scikit-learn on the same shapes -------------------------------------------
    theirs: dict[str, float] = {}
    sklearn_version = "-"
    vocabulary = len(text.vocabulary)
    try:
        from sklearn import __version__ as sklearn_version  # type: ignore[import-untyped]
        from sklearn.linear_model import (  # type: ignore[import-untyped]
            LinearRegression,
            SGDRegressor,
        )
        from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]
    except ImportError:
        print("scikit-learn not installed: reporting our numbers only")
    else:

        def one_hot(ids: np.ndarray) -> np.ndarray:
            """(n, 2) context ids -> (n, 2 * vocabulary) one-hot features."""
            features = np.zeros((len(ids), ids.shape[1] * vocabulary))
            for slot in range(ids.shape[1]):
                features[np.arange(len(ids)), slot * vocabulary + ids[:, slot]] = 1.0
            return features

        line_x, line_y = line.x_train[:32].copy(), line.y_train[:32].copy()
        digit_x, digit_y = digit_data.x_train[:64].copy(), digit_data.y_train[:64].copy()
        words_x = one_hot(text.dataset.x_train[:64])
        words_y = text.dataset.y_train[:64].copy()
        words_one = one_hot(x_words)
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
                learning_rate_init=DIGITS_PRESET.learning_rate,
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
                learning_rate_init=LANGUAGE_PRESET.learning_rate,
                random_state=0,
            )
            words.partial_fit(words_x, words_y, classes=np.arange(vocabulary))
            theirs["language step"] = median_us(lambda: words.partial_fit(words_x, words_y), 20)
            theirs["language predict"] = median_us(lambda: words.predict_proba(words_one), 200)

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

    # -- batched against one-by-one inference --------------------------------------
    rng = np.random.default_rng(0)
    many_line = rng.uniform(-2, 2, size=(THROUGHPUT_INPUTS, 1))
    many_digits = digit_data.x_val[rng.integers(0, len(digit_data.x_val), THROUGHPUT_INPUTS)]
    many_words = text.dataset.x_val[rng.integers(0, len(text.dataset.x_val), THROUGHPUT_INPUTS)]
    line_rows = [row[None] for row in many_line]
    digit_rows = [row[None] for row in many_digits]
    word_rows = [row[None] for row in many_words]

    def each(call: Callable[[np.ndarray], object], rows: list[np.ndarray]) -> Callable[[], None]:
        def run() -> None:
            for row in rows:
                call(row)

        return run

    print()
    print(f"batched inference: {THROUGHPUT_INPUTS:,} inputs in one call vs one call per input")
    header = ("model", "batched (inputs/s)", "one by one (inputs/s)", "batched / single")
    print(f"{header[0]:<20}{header[1]:>20}{header[2]:>24}{header[3]:>18}")
    cases = [
        ("linear", linear.predict, many_line, line_rows),
        ("digits MLP", digits.predict_proba, many_digits, digit_rows),
        ("next-word", language.predict_proba, many_words, word_rows),
    ]
    for name, call, batch, rows in cases:
        batched = throughput(lambda call=call, batch=batch: call(batch), THROUGHPUT_INPUTS)
        single = throughput(each(call, rows), THROUGHPUT_INPUTS)
        print(f"{name:<20}{batched:>20,.0f}{single:>24,.0f}{batched / single:>17.0f}x")


if __name__ == "__main__":
    main()
