"""Request dependencies, as ``Annotated`` aliases the routes declare in their signatures.

They are ``async def`` on purpose: a plain ``def`` dependency runs in the thread pool, and
under load each hop waits its turn on the busy event loop (measured: predict p99 fell
from 19x to 2.7x the reference server's when these stopped hopping; docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query, Request
from fastapi.templating import Jinja2Templates

from app.lessons import Lesson
from app.model_cache import ModelCache
from app.run_specs import AnySpec
from app.settings import Settings
from app.spec_lookup import SpecLookup
from app.streams import Admission, StreamSlots

RETRY_AFTER_SECONDS = 5


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_models(request: Request) -> ModelCache:
    return models_of(request)


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def get_lessons(request: Request) -> dict[str, Lesson]:
    lessons: dict[str, Lesson] = request.app.state.lessons
    return lessons


# The three routes a class calls thousands of times a minute (create a run, stream it, ask
# it) read these through the request instead of declaring them as dependencies: FastAPI
# resolves each dependency per request, at tens of microseconds each (docs/benchmarks.md).
def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def specs_of(request: Request) -> SpecLookup:
    specs: SpecLookup = request.app.state.specs
    return specs


def models_of(request: Request) -> ModelCache:
    models: ModelCache = request.app.state.models
    return models


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelsDep = Annotated[ModelCache, Depends(get_models)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
LessonsDep = Annotated[dict[str, Lesson], Depends(get_lessons)]

RunIdPath = Annotated[str, Path(description="The id `POST /api/runs` answered.", max_length=64)]


async def get_run_spec(run_id: RunIdPath, request: Request) -> AnySpec:
    # Reads app state itself rather than through another dependency: each dependency
    # costs FastAPI tens of microseconds per request, and every question asks this.
    spec = specs_of(request).get(run_id)
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
    if not value.isdigit() or len(value) > 9:
        raise HTTPException(
            400, f"Last-Event-ID must be a frame number this stream sent; got '{raw}'."
        )
    return int(value)


ResumeFromDep = Annotated[int, Depends(parse_last_event_id)]


async def stream_admission(request: Request) -> AsyncIterator[Admission]:
    """A slot, or a place in the queue for one, held until the response has been sent."""
    slots: StreamSlots = request.app.state.slots
    admission = slots.admit()
    if admission is None:
        request.app.state.metrics.streams_refused.inc()
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
    request.app.state.run_limiter.enforce(request)


async def limit_predicts(request: Request) -> None:
    request.app.state.predict_limiter.enforce(request)
