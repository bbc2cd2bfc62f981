"""The app's services, and the request dependencies the routes declare over them.

Everything a request needs lives on one typed ``Services`` object, made once by
``create_app`` and kept on ``app.state.services``; ``services_of`` is the only reader of
``app.state``. The routes declare what they use as ``Annotated`` aliases.

The dependencies are ``async def`` on purpose: a plain ``def`` dependency runs in the
thread pool, and under load each hop waits its turn on the busy event loop (see
"Dependencies on the event loop" in docs/benchmarks-history.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query, Request
from fastapi.templating import Jinja2Templates

from app.content.lessons import Lesson
from app.runs.admission import Admission, StreamSlots
from app.runs.class_batcher import ClassBatcher
from app.runs.measured_costs import MeasuredCosts
from app.runs.model_cache import ModelCache
from app.runs.spec_cache import SpecCache
from app.runs.specs import AnySpec
from app.runs.store import RunStore
from app.settings import Settings
from app.web.observability import Metrics
from app.web.rate_limits import RateLimiter

RETRY_AFTER_SECONDS = 5


@dataclass
class Services:
    """What the routes share: one per app, so test apps never share state."""

    settings: Settings
    lessons: dict[str, Lesson]
    templates: Jinja2Templates
    specs: SpecCache
    models: ModelCache
    slots: StreamSlots
    metrics: Metrics
    batcher: ClassBatcher
    run_limiter: RateLimiter
    predict_limiter: RateLimiter
    measured: MeasuredCosts = field(default_factory=MeasuredCosts)
    store: RunStore | None = field(default=None)  # opened with the server (lifespan)

    def open_store(self) -> RunStore:
        if self.store is None:
            raise RuntimeError("The run store opens with the server; it is not open yet.")
        return self.store


# The routes a class calls thousands of times a minute (create a run, stream it, ask it)
# read the services through the request instead of declaring each as a dependency:
# FastAPI resolves every dependency per request, each one more step on the busy event loop.
def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    return services_of(request)


async def get_models(request: Request) -> ModelCache:
    return services_of(request).models


async def get_templates(request: Request) -> Jinja2Templates:
    return services_of(request).templates


async def get_lessons(request: Request) -> dict[str, Lesson]:
    return services_of(request).lessons


ServicesDep = Annotated[Services, Depends(get_services)]
ModelsDep = Annotated[ModelCache, Depends(get_models)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
LessonsDep = Annotated[dict[str, Lesson], Depends(get_lessons)]

RunIdPath = Annotated[str, Path(description="The id `POST /api/runs` answered.", max_length=64)]


async def get_run_spec(run_id: RunIdPath, request: Request) -> AnySpec:
    # Reads the services itself rather than through another dependency: each dependency
    # is resolved per request on the event loop, and every question asks this.
    spec = services_of(request).specs.get(run_id)
    if spec is None:
        raise HTTPException(404, f"No run with id '{run_id}'. Create one with POST /api/runs.")
    return spec


RunSpecDep = Annotated[AnySpec, Depends(get_run_spec)]


async def parse_last_event_id(
    last_event_id: Annotated[
        str | None,
        Header(
            description="The id of the last event received; the stream resumes after it.",
            max_length=32,
        ),
    ] = None,
    resume_after: Annotated[
        str | None,
        Query(
            alias="last_event_id",
            description="The same as the Last-Event-ID header, for clients that cannot set it.",
            max_length=32,
        ),
    ] = None,
) -> int:
    """0 for a fresh stream, else the frame after which to resume (the header wins)."""
    raw = last_event_id if last_event_id is not None else resume_after
    if raw is None or raw.strip() == "":
        return 0
    value = raw.strip()
    # ASCII digits only: str.isdigit also accepts "²", which int() then refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise HTTPException(
            400, f"Last-Event-ID must be a frame number this stream sent; got '{raw}'."
        )
    return int(value)


ResumeFromDep = Annotated[int, Depends(parse_last_event_id)]


async def stream_admission(request: Request) -> AsyncIterator[Admission]:
    """A slot, or a place in the queue for one, held until the response has been sent."""
    services = services_of(request)
    slots = services.slots
    admission = slots.admit()
    if admission is None:
        services.metrics.streams_refused.inc()
        raise HTTPException(
            503,
            f"All {slots.capacity} training streams are busy and {slots.waiting} readers are "
            f"already waiting; try again in {RETRY_AFTER_SECONDS} seconds.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    try:
        yield admission
    finally:
        admission.close()


AdmissionDep = Annotated[Admission, Depends(stream_admission)]


async def limit_run_creation(request: Request) -> None:
    services_of(request).run_limiter.enforce(request)


async def limit_predicts(request: Request) -> None:
    services_of(request).predict_limiter.enforce(request)
