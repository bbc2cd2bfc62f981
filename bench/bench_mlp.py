"""Benchmark the numpy MLP against scikit-learn's MLPClassifier on the same work.

Run from the repository root:  python bench/bench_mlp.py

1. One training step of 2-16-16-2 tanh, batch 32, Adam: ours is one ``next()`` on
   ``train_steps`` (batch draw, forward, backward, update, divergence check, record);
   scikit-learn's is ``partial_fit`` on a (32, 2) batch, which also validates its input
   on every call.
2. Single-point inference: ``predict_proba`` on one (1, 2) row, both libraries.
3. A class training together: 40 runs (different seeds) stepped as one group by
   ``step_together``, against the same 40 runs each stepped alone, per run-step. This is
   what the server does when a class's frames fall due at once (app/runs/class_batcher.py).
   Measured twice: runs that all started together, and runs that started up to 6 steps
   apart, so their epochs end at different steps (as in a class that pressed Train over
   a few seconds).

Each figure is the median over repeats of (time of `number` calls) / number, as timeit.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import timeit
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from app.ml.datasets import Dataset

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 31


def median_us(call: Callable[[], object], number: int, repeats: int = REPEATS) -> float:
    """Median over repeats of the mean time per call, in microseconds."""
    call()  # warm caches and lazy initialisation outside the timing
    times = timeit.Timer(call).repeat(repeat=repeats, number=number)
    return statistics.median(times) / number * 1e6


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-untyped]
    except ImportError:
        import numpy as np

        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')} (numpy.show_config)"
    pools = [
        f"{pool.get('internal_api')} {pool.get('version')} "
        f"({pool.get('architecture')}, {pool.get('num_threads')} threads)"
        for pool in threadpool_info()
        if pool.get("user_api") == "blas"
    ]
    return "; ".join(pools) or "none found by threadpoolctl"


def describe_machine() -> list[tuple[str, str]]:
    import numpy as np

    openblas_env = {key: value for key, value in os.environ.items() if key.startswith("OPENBLAS")}
    return [
        ("platform", platform.platform()),
        ("cpu", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("python", platform.python_version()),
        ("numpy", np.__version__),
        ("blas", blas_description()),
        (
            "OPENBLAS_* env",
            ", ".join(f"{k}={v}" for k, v in sorted(openblas_env.items())) or "unset",
        ),
    ]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from app.ml.datasets import make_dataset

    for key, value in describe_machine():
        print(f"{key:>15}: {value}")

    data = make_dataset("moons", 300, 0.15, seed=0)
    x_batch, y_batch = data.x_train[:32].copy(), data.y_train[:32].copy()
    one_row = data.x_val[:1].copy()
    ours_step, ours_compute, ours_predict = time_ours(data, one_row)

    class_step_us(CLASS_SIZE)  # warm-up: whichever is measured first is otherwise slower
    together, alone = class_step_us(CLASS_SIZE)
    staggered, _ = class_step_us(CLASS_SIZE, staggered=True)

    theirs = time_sklearn(x_batch, y_batch, one_row)
    rows = [("training step (batch 32, adam)", f"{ours_step:.1f}", "-", "-")]
    rows.append(("predict_proba, one row", f"{ours_predict:.2f}", "-", "-"))
    if theirs is not None:
        sk_step, sk_predict, sklearn_version = theirs
        print(f"{'scikit-learn':>15}: {sklearn_version}")
        rows[0] = (*rows[0][:2], f"{sk_step:.1f}", f"{sk_step / ours_step:.1f}x")
        rows[1] = (*rows[1][:2], f"{sk_predict:.2f}", f"{sk_predict / ours_predict:.1f}x")
    print_engine(rows, ours_step, ours_compute, ours_predict)
    print()
    print(
        f"a class of {CLASS_SIZE} runs, per run-step: stepped together {together:.1f} us, "
        f"each alone {alone:.1f} us ({alone / together:.1f}x); started up to 6 steps apart "
        f"and stepped together {staggered:.1f} us ({alone / staggered:.1f}x)"
    )


def time_ours(data: Dataset, one_row: np.ndarray) -> tuple[float, float, float]:
    """Our training step (us), its numpy work alone (us), and predict_proba on one row."""
    from app.ml.models.mlp import MLP
    from app.ml.optimizers import Adam
    from app.ml.training import train_steps

    model = MLP((2, 16, 16, 2), "tanh", seed=0)
    stream = train_steps(model, data, Adam(learning_rate=0.01), 10**9, 32, seed=0)
    ours_step = median_us(lambda: next(stream), number=200)
    records = [next(stream) for _ in range(1000)]
    ours_compute = (records[-1].compute_ns - records[0].compute_ns) / 999 / 1e3
    ours_predict = median_us(lambda: model.predict_proba(one_row), number=2000)
    return ours_step, ours_compute, ours_predict


def time_sklearn(
    x_batch: np.ndarray, y_batch: np.ndarray, one_row: np.ndarray
) -> tuple[float, float, str] | None:
    """scikit-learn's partial_fit and predict_proba (us) and its version; None if absent."""
    try:
        from sklearn import __version__ as sklearn_version  # type: ignore[import-untyped]
        from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]
    except ImportError:
        print("scikit-learn not installed: reporting our numbers only")
        return None
    reference = MLPClassifier(
        hidden_layer_sizes=(16, 16),
        activation="tanh",
        solver="adam",
        batch_size=32,
        learning_rate_init=0.01,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.partial_fit(x_batch, y_batch, classes=np.array([0, 1]))
        sk_step = median_us(lambda: reference.partial_fit(x_batch, y_batch), number=20)
        sk_predict = median_us(lambda: reference.predict_proba(one_row), number=200)
    return sk_step, sk_predict, str(sklearn_version)


def print_engine(
    rows: list[tuple[str, str, str, str]],
    ours_step: float,
    ours_compute: float,
    ours_predict: float,
) -> None:
    print()
    print("2-16-16-2 tanh MLP; median of", REPEATS, "repeats; microseconds per call")
    header = ("measure", "ours (us)", "sklearn (us)", "sklearn / ours")
    print(f"{header[0]:<32}{header[1]:>12}{header[2]:>15}{header[3]:>16}")
    for name, ours, theirs, ratio in rows:
        print(f"{name:<32}{ours:>12}{theirs:>15}{ratio:>16}")
    print()
    print(f"our step's numpy work alone (StepRecord.compute_ns): {ours_compute:.1f} us")
    print(
        "note: sklearn's partial_fit validates its input and checks the classes on every call;"
        " that overhead is part of the closest same-work call it offers."
    )
    if len(rows) == 2 and rows[0][2] != "-":
        faster = "meets" if ours_step <= float(rows[0][2]) else "MISSES"
        print(f"training step: ours {faster} the target of at least sklearn's speed")
    verdict = "meets" if ours_predict <= 20 else "MISSES"
    print(f"single-point predict_proba {ours_predict:.2f} us {verdict} the 20 us target")


CLASS_SIZE = 40


def class_step_us(
    size: int, steps: int = 100, repeats: int = 7, staggered: bool = False
) -> tuple[float, float]:
    """Median time per run-step for ``size`` runs stepped together, and each alone.

    staggered: run r first takes r % 7 steps alone (not timed), so the runs are at
    different points of their epochs (210 training points: 6 batches and a bit).
    """
    from app.ml.datasets import make_dataset
    from app.ml.models.mlp import MLP
    from app.ml.optimizers import Adam
    from app.ml.training import RunTrainer, step_together

    def trainers() -> list[RunTrainer]:
        runs = [
            RunTrainer(
                MLP((2, 16, 16, 2), "tanh", seed),
                make_dataset("moons", 300, 0.15, seed),
                Adam(learning_rate=0.01),
                10**9,
                32,
                seed,
            )
            for seed in range(size)
        ]
        for ahead, run in enumerate(runs):
            for _ in range(ahead % 7 if staggered else 0):
                step_together([run])
        return runs

    def group() -> None:
        runs = trainers()
        began = timeit.default_timer()
        for _ in range(steps):
            step_together(runs)
        times.append((timeit.default_timer() - began) / (steps * size) * 1e6)

    def each() -> None:
        runs = trainers()
        began = timeit.default_timer()
        for run in runs:
            for _ in range(steps):
                step_together([run])
        times.append((timeit.default_timer() - began) / (steps * size) * 1e6)

    results = []
    for measure in (group, each):
        times: list[float] = []
        for _ in range(repeats):
            measure()
        results.append(statistics.median(times))
    return results[0], results[1]


if __name__ == "__main__":
    main()
