"""The app's own runs, for the tests that question a trained model.

Each run is built from its spec by its kind's adapter (app.runs.kinds) and trained as the
app trains it: the defaults are the run specs' (app.runs.specs) and the seeds are the
app's (``spec.seed`` plus DATA, WEIGHTS and BATCHES), so what a test asserts is what a
reader's run does. Pass a spec with a field changed where a test needs a variant.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.ml.training import StepRecord, step_together
from app.runs.execution import Execution, TrainedRun, train_to_end
from app.runs.kinds import Model, RunSetup
from app.runs.specs import AnySpec


def train_run(spec: AnySpec, base: Model | None = None) -> TrainedRun:
    """The run replayed to its last step, as the app rebuilds a model; it must not diverge.

    ``.model`` is the trained model; ``.setup.data`` its data (``.setup.text`` the language
    model's text); ``.final`` the last frame's metrics.
    """
    run = train_to_end(spec, base)
    assert run.divergence is None, f"the run diverged: {run.divergence}"
    assert run.final is not None and run.final.step == spec.steps
    return run


def step_records(spec: AnySpec, base: Model | None = None) -> tuple[RunSetup, Iterator[StepRecord]]:
    """The run's setup (model and data) and the lazy stream of its step records.

    The stream steps the app's own trainer for the run (its optimizer, batch size and batch
    order), so the weights are the same bits as ``train_run``'s; the model trains in place
    as the stream is read, and a test can measure it between steps.
    """
    execution = Execution(spec, base)
    trainer = execution.trainer

    def records() -> Iterator[StepRecord]:
        while not trainer.finished:
            yield step_together([trainer])[0]

    return execution.setup, records()
