"""The cost panel fragment: estimates from a widget's counters and the reader's assumptions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.costs.panel import MeasuredRun, build
from app.web.deps import TemplatesDep
from app.web.errors import plain_message

router = APIRouter(prefix="/widgets", include_in_schema=False)


@router.post("/costs", response_class=HTMLResponse)
async def cost_panel(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """The panel for these counters; a bad number answers 422 with the panel's message."""
    template = "fragments/cost_panel.html"
    raw = dict((await request.form()).items())
    try:
        run = MeasuredRun.model_validate({k: v for k, v in raw.items() if isinstance(v, str)})
        view = build(run)
    except (ValidationError, ValueError) as error:
        message = plain_message(error)
        return templates.TemplateResponse(request, template, {"error": message}, status_code=422)
    return templates.TemplateResponse(request, template, {"view": view, "error": None})
