"""A run's trained model and its one comparison, for the routes that answer from them."""

from __future__ import annotations

from fastapi import HTTPException

from app.costs.estimate import Assumptions
from app.costs.side_by_side import SideBySide, side_by_side
from app.runs.execution import TrainedRun
from app.runs.specs import AnySpec
from app.web.deps import Services


async def trained_model(run_id: str, spec: AnySpec, services: Services) -> TrainedRun:
    """The run's trained model (trained on demand if need be); 409 if it diverged."""
    trained = await services.models.get(run_id, spec)
    if trained.model is None:
        step = trained.divergence.step if trained.divergence else "?"
        raise HTTPException(
            409,
            f"Run '{run_id}' diverged at step {step}, so it has no model to ask. "
            "Lower the learning rate and train again.",
        )
    return trained


async def comparison(
    run_id: str, spec: AnySpec, services: Services, assumptions: Assumptions
) -> SideBySide:
    """The course's one comparison for this run: measured once per run, then kept."""
    trained = await trained_model(run_id, spec, services)
    measured = services.measured.get(spec, trained)
    return side_by_side(
        measured.training_flops,
        measured.training_compute_ns,
        measured.answer_flops,
        measured.answer_compute_ns,
        assumptions,
        measured.answer_timings,
    )
