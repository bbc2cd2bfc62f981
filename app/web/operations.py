"""For operators and API readers: health, Prometheus metrics, and the API docs page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.web.deps import ServicesDep, TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def health(services: ServicesDep) -> dict[str, object]:
    """Liveness for load balancers and Docker; also how many streams are live."""
    slots = services.slots
    return {"status": "ok", "live_streams": slots.live, "queued_streams": slots.waiting}


@router.get("/metrics")
async def metrics(services: ServicesDep) -> Response:
    body = generate_latest(services.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """Swagger UI from our own static files, started by an external script (strict CSP)."""
    return templates.TemplateResponse(request, "pages/api_docs.html", {})
