"""The ASGI application: ``create_app(settings)`` wires routers, middleware, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app import collector, cost_panel, errors
from app.frame_batcher import FrameBatcher
from app.lessons import LessonError, check_limits, load_lessons
from app.limits import RateLimiter
from app.ml.costs import FIGURES, Assumptions, regions
from app.model_cache import ModelCache
from app.observability import AccessLogMiddleware, Metrics
from app.routes import api_models, api_runs, costs, operations, pages, quiz, widgets
from app.security import SecurityHeadersMiddleware
from app.settings import REPO_ROOT, Settings
from app.spec_lookup import SpecLookup
from app.static_files import CachedStaticFiles, StaticUrl
from app.store import SqliteRunStore
from app.streams import StreamSlots
from app.widgets import MlpPreset

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
            for name in ("MlpSpec", "LinearSpec", "DigitsSpec", "LanguageSpec"):
                spec = schema.get("components", {}).get("schemas", {}).get(name)
                if spec is not None:
                    spec["properties"]["steps"]["maximum"] = settings.max_steps
            asks = schema["components"]["schemas"]["PredictRequest"]["properties"]
            for field in ("inputs",):
                for option in asks[field].get("anyOf", [asks[field]]):
                    if option.get("type") == "array":
                        option["maxItems"] = settings.max_predict_inputs
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    lessons = load_lessons(settings.lessons_dir)  # a bad lesson stops start-up here
    over = check_limits(lessons, settings.max_steps)
    if over:
        raise LessonError(over)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The store lives exactly as long as the server: opened at start, closed at stop.
        store = SqliteRunStore(settings.data_dir / "runs.sqlite3")
        app.state.store = store
        try:
            with collector.tuned_for_serving():
                yield
        finally:
            store.close()

    app = FastAPI(
        title="Phase Lab",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        docs_url=None,  # /docs is served by routes/operations.py from our own Swagger UI copy
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.lessons = lessons
    app.state.specs = SpecLookup(lambda: app.state.store)
    app.state.models = ModelCache(settings.model_cache_size, app.state.specs.get)
    app.state.slots = StreamSlots(settings.max_live_streams, settings.max_queued_streams)
    app.state.metrics = Metrics(app.state.slots, app.state.models)
    app.state.frames = FrameBatcher(on_batch=app.state.metrics.frame_batch)
    app.state.run_limiter = RateLimiter(
        "new runs", settings.runs_per_minute, burst=max(10, settings.runs_per_minute // 3)
    )
    app.state.predict_limiter = RateLimiter(
        "questions", settings.predicts_per_minute, burst=max(10, settings.predicts_per_minute // 6)
    )

    _document_server_limits(app, settings)
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals["static_url"] = StaticUrl(STATIC_DIR, "/static")
    templates.env.globals["cost_regions"] = regions()
    templates.env.globals["cost_defaults"] = Assumptions.default()
    templates.env.globals["max_steps"] = settings.max_steps
    templates.env.globals["all_figures"] = list(FIGURES.values())
    templates.env.globals["default_preset"] = MlpPreset(pace="instant").model_dump(mode="json")
    templates.env.globals["initial_cost_view"] = cost_panel.build(cost_panel.MeasuredRun())
    app.state.templates = templates
    errors.install(app, templates)

    # Compresses pages and assets; Starlette leaves text/event-stream alone, so frames
    # are never held back in a compression buffer. Added last-to-first: the access log
    # sees every request, including those the host check refuses.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(AccessLogMiddleware)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    # The API first: a class's questions and streams are most of the requests, and each
    # request tries the routes in order.
    app.include_router(api_runs.router)
    app.include_router(api_models.router)
    app.include_router(pages.router)
    app.include_router(widgets.router)
    app.include_router(costs.router)
    app.include_router(quiz.router)
    app.include_router(operations.router)
    return app


app = create_app()
