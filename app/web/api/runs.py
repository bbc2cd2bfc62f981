"""Create a run and read it back: the run's id is derived from its spec."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from app.runs.model_cache import BaseRunError, ModelCache
from app.runs.specs import MlpSpec, RunSpec, run_id_for
from app.web.api.responses import BAD_BODY, TOO_LARGE, UNKNOWN_RUN, error, refuse
from app.web.deps import RunIdPath, RunSpecDep, limit_run_creation, services_of

router = APIRouter(prefix="/api", tags=["runs"])


class RunLinks(BaseModel):
    self: str
    events: str
    predict: str
    batching: str
    quantize: str


class RunCreated(BaseModel):
    run_id: str = Field(description="Derived from the spec: the same spec gives the same id.")
    spec: RunSpec
    links: RunLinks


def _links(run_id: str) -> RunLinks:
    base = f"/api/runs/{run_id}"
    return RunLinks(
        self=base,
        events=f"{base}/events",
        predict=f"{base}/predict",
        batching=f"{base}/batching",
        quantize=f"{base}/quantize",
    )


async def _check_fine_tuning(spec: MlpSpec, models: ModelCache) -> None:
    """A fine-tuning run needs a trained base of the same shape, or there is nothing to tune."""
    base_id = spec.fine_tune_from
    assert base_id is not None
    base_spec = models.lookup(base_id)
    if base_spec is None:
        refuse("fine_tune_from", f"There is no run '{base_id}' to fine-tune from.", base_id)
    if not isinstance(base_spec, MlpSpec):
        refuse("fine_tune_from", f"Run '{base_id}' is not an mlp run.", base_id)
        return
    if (base_spec.hidden, base_spec.activation) != (spec.hidden, spec.activation):
        refuse(
            "fine_tune_from",
            f"Run '{base_id}' has hidden layers {list(base_spec.hidden)} with "
            f"{base_spec.activation}; fine-tuning keeps the shape, so use the same.",
            base_id,
        )
    try:
        await models.base_model(spec)
    except BaseRunError as problem:
        refuse("fine_tune_from", str(problem), base_id)


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=RunCreated,
    summary="Create a training run",
    responses={
        400: BAD_BODY,
        413: TOO_LARGE,
        422: {"description": "A field is unknown or out of its range."},
        429: error("Too many runs from this client; see `Retry-After`."),
    },
    dependencies=[Depends(limit_run_creation)],
)
async def create_run(spec: RunSpec, request: Request) -> RunCreated:
    """Store the spec and answer its id. Nothing trains until its events are read.

    The spec's `model` picks the kind: `mlp` (2-D classifier), `linear` (1-D regression),
    `digits` (drawn digits) or `language` (next-word model); each has its own fields.
    """
    services = services_of(request)
    settings = services.settings
    if spec.steps > settings.max_steps:
        refuse(
            "steps",
            f"Input should be less than or equal to {settings.max_steps}",
            spec.steps,
            "less_than_equal",
        )
    if isinstance(spec, MlpSpec) and spec.fine_tune_from is not None:
        await _check_fine_tuning(spec, services.models)
    run_id = run_id_for(spec)
    services.specs.put(run_id, spec)
    services.metrics.runs_created.inc()
    return RunCreated(run_id=run_id, spec=spec, links=_links(run_id))


@router.get(
    "/runs/{run_id}",
    response_model=RunCreated,
    summary="A run's spec and links",
    responses={404: UNKNOWN_RUN},
)
async def read_run(run_id: RunIdPath, spec: RunSpecDep) -> RunCreated:
    return RunCreated(run_id=run_id, spec=spec, links=_links(run_id))
