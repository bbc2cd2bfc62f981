"""The ASGI application: ``create_app(settings)`` makes the services, then wires routers,
middleware and static files over them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from app.content.lessons import Lesson, LessonError, load_lessons, presets_over_step_limit
from app.content.widgets import MlpPreset
from app.costs import panel
from app.costs.estimate import Assumptions, regions
from app.costs.figures import FIGURES
from app.costs.humanize import (
    format_count,
    format_duration,
    format_flops,
    format_percent,
    format_probability,
)
from app.runs.admission import StreamSlots
from app.runs.class_batcher import ClassBatcher
from app.runs.model_cache import ModelCache
from app.runs.spec_cache import SpecCache
from app.runs.specs import SPEC_CLASSES, spec_bounds
from app.runs.store import SqliteRunStore
from app.settings import REPO_ROOT, Settings
from app.web import errors, gc_tuning, operations, pages
from app.web.api import costs as run_costs
from app.web.api import events, questions, runs
from app.web.deps import Services
from app.web.fragments import ask, costs, quiz
from app.web.observability import AccessLogMiddleware, Metrics
from app.web.rate_limits import RateLimiter
from app.web.security import SecurityHeadersMiddleware
from app.web.static_files import CachedStaticFiles, ImportMap, StaticUrl

STATIC_DIR = REPO_ROOT / "static"
TEMPLATES_DIR = REPO_ROOT / "templates"

DESCRIPTION = """
Phase Lab's public API: create a training run from a spec, watch it train as server-sent
events, then ask the trained model questions. A run is a pure function of its spec: the
same spec always gives the same run id and the same numbers.
"""


def _document_server_limits(app: FastAPI, settings: Settings) -> None:
    """Make the OpenAPI schema state this server's own limits, not just the model's."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            for cls in SPEC_CLASSES.values():
                spec = schema.get("components", {}).get("schemas", {}).get(cls.__name__)
                if spec is not None:
                    spec["properties"]["steps"]["maximum"] = settings.max_steps
            inputs = schema["components"]["schemas"]["PredictRequest"]["properties"]["inputs"]
            for option in inputs.get("anyOf", [inputs]):
                if option.get("type") == "array":
                    option["maxItems"] = settings.max_predict_inputs
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _templates(settings: Settings) -> Jinja2Templates:
    """The Jinja environment, with what every page may show: costs' defaults, spec bounds."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    env = templates.env.globals
    static_url = StaticUrl(STATIC_DIR, "/static")
    env["static_url"] = static_url
    # Every module's import by its versioned URL (base.html); its hash goes into the CSP.
    env["import_map"] = ImportMap.of_modules(static_url)
    env["cost_regions"] = regions()
    env["cost_defaults"] = Assumptions.default()
    env["max_steps"] = settings.max_steps
    env["spec_bounds"] = spec_bounds(settings.max_steps)
    env["all_figures"] = list(FIGURES.values())
    env["default_preset"] = MlpPreset(pace="instant").model_dump(mode="json")
    env["initial_cost_view"] = panel.build(panel.MeasuredRun())
    # Numbers in server-rendered fragments, written by the one formatter for people.
    filters = templates.env.filters
    filters["flops"] = format_flops
    filters["percent"] = format_percent
    filters["probability"] = format_probability
    filters["count"] = format_count
    filters["duration_ns"] = lambda ns: format_duration(ns / 1e9)
    return templates


def _services(settings: Settings, lessons: dict[str, Lesson]) -> Services:
    specs = SpecCache(lambda: services.open_store())
    models = ModelCache(settings.model_cache_size, specs.get)
    slots = StreamSlots(settings.max_live_streams, settings.max_queued_streams)
    metrics = Metrics(slots, models)
    services = Services(
        settings=settings,
        lessons=lessons,
        templates=_templates(settings),
        specs=specs,
        models=models,
        slots=slots,
        metrics=metrics,
        batcher=ClassBatcher(on_batch=metrics.frame_batch),
        run_limiter=RateLimiter(
            "new runs", settings.runs_per_minute, burst=max(10, settings.runs_per_minute // 3)
        ),
        predict_limiter=RateLimiter(
            "questions",
            settings.predicts_per_minute,
            burst=max(10, settings.predicts_per_minute // 6),
        ),
    )
    return services


class PhaseLab(FastAPI):
    """FastAPI with the security headers around its whole stack.

    FastAPI puts its error handler (500) and body limit (413) outside the app's own
    middleware, so a header middleware added the usual way misses those answers, and the
    host check's 400 too. Wrapping the built stack covers every answer.
    """

    frame_ancestors = "'self'"
    script_hashes: tuple[str, ...] = ()  # the inline scripts the CSP allows, by hash

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(
            super().build_middleware_stack(), self.frame_ancestors, self.script_hashes
        )


def _middleware(app: FastAPI, settings: Settings) -> None:
    # Compresses pages and assets; Starlette leaves text/event-stream alone, so frames
    # are never held back in a compression buffer. Added last-to-first: the access log
    # sees every request, including those the host check refuses.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(AccessLogMiddleware)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    lessons = load_lessons(settings.lessons_dir)  # a bad lesson stops start-up here
    over = presets_over_step_limit(lessons, settings.max_steps)
    if over:
        raise LessonError(over)
    services = _services(settings, lessons)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The store lives exactly as long as the server: opened at start, closed at stop.
        store = SqliteRunStore(settings.data_dir / "runs.sqlite3")
        services.store = store
        try:
            with gc_tuning.tuned_for_serving():
                yield
        finally:
            services.store = None
            store.close()

    app = PhaseLab(
        title="Phase Lab",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        docs_url=None,  # /docs is served by app/web/operations.py from our own Swagger UI copy
        redoc_url=None,
        redirect_slashes=False,  # a trailing slash is redirected by app/web/errors.py instead
    )
    app.frame_ancestors = settings.frame_ancestors
    import_map = services.templates.env.globals["import_map"]
    assert isinstance(import_map, ImportMap)
    app.script_hashes = (import_map.csp_source,)  # the only inline script the pages have
    app.state.services = services
    _document_server_limits(app, settings)
    errors.install(app, services.templates)
    _middleware(app, settings)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    # The API first: a class's questions and streams are most of the requests, and each
    # request tries the routes in order.
    for router in (runs, events, questions, run_costs, pages, ask, costs, quiz, operations):
        app.include_router(router.router)
    return app


app = create_app()
