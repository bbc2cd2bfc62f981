"""What one run measured: its training, and one answer timed the same way for every lesson.

The course's one comparison (training against one answer) needs the same four numbers
wherever it is shown, so they are taken here, once per run, and kept:

    training   FLOPs counted over the run; compute time measured as it trained
    one answer FLOPs counted from the model's shape for one question; compute time the
               median of ANSWER_TIMINGS calls, each asking one question alone, timed
               around the model's arithmetic only (after one warm-up call)

A question asked alone carries numpy's per-call overhead, which a batch shares out: that
difference is lesson 6's subject, so the comparison never mixes the two.
"""

from __future__ import annotations

import statistics
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.runs.execution import TrainedRun
from app.runs.questions import sample_questions
from app.runs.specs import AnySpec

ANSWER_TIMINGS = 31  # odd, so the median is one real timing
DEFAULT_CAPACITY = 4096  # a few numbers each: thousands of runs in well under a megabyte


@dataclass(frozen=True)
class MeasuredCost:
    """A run's training and one of its answers: FLOPs counted, compute time measured."""

    training_flops: int
    training_compute_ns: int
    answer_flops: int
    answer_compute_ns: int
    answer_timings: int = ANSWER_TIMINGS


def time_one_answer(ask: Callable[[Any], Any], question: Any, repeats: int = ANSWER_TIMINGS) -> int:
    """The median compute time of ``repeats`` calls of ``ask(question)``, in ns, warm."""
    ask(question)  # the first call pays for cold caches; no reader's answer is that one
    timings = []
    for _ in range(repeats):
        began = time.perf_counter_ns()
        ask(question)
        timings.append(time.perf_counter_ns() - began)
    return max(1, int(statistics.median(timings)))


def measure(spec: AnySpec, trained: TrainedRun) -> MeasuredCost:
    """The run's measured cost; the trained run must have a model and a last frame."""
    model, final = trained.model, trained.final
    if model is None or final is None:
        raise ValueError("a run without a model has no answers to measure")
    question = sample_questions(spec, trained)(1)
    ask = model.predict if spec.model == "linear" else model.predict_proba
    return MeasuredCost(
        training_flops=final.flops,
        training_compute_ns=final.compute_ns,
        answer_flops=int(model.flops_forward(1)),
        answer_compute_ns=time_one_answer(ask, question),
    )


class MeasuredCosts:
    """Each model's measured cost, taken once and kept (least recently used out).

    Keyed by the model's fingerprint, not the run id: two runs that differ only in their
    pace (lesson 1 watches the default model train, lessons 3, 4 and 10 train it at once)
    make the same model, bit for bit, and so show the same comparison. Kept apart from the
    model cache on purpose: a model evicted and rebuilt would time its training again.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, MeasuredCost] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, spec: AnySpec, trained: TrainedRun) -> MeasuredCost:
        if trained.model is None:
            raise ValueError("a run without a model has no answers to measure")
        key = trained.model.fingerprint()
        cached = self._entries.get(key)
        if cached is None:
            cached = measure(spec, trained)
            self._entries[key] = cached
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        self._entries.move_to_end(key)
        return cached
