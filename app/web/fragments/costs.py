"""The cost panel fragment: a run's one comparison under the reader's assumptions.

A widget posts its counters, the reader's assumptions and, once its model is frozen, its
run's id: the comparison then is the run's own, measured once on the server by the same
function as ``GET /api/runs/{id}/costs``, so the page and the API never disagree.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.costs.estimate import Assumptions
from app.costs.panel import MeasuredRun, build
from app.costs.side_by_side import SideBySide
from app.runs.specs import RUN_ID_PATTERN
from app.web.deps import TemplatesDep, services_of
from app.web.errors import plain_message
from app.web.trained import comparison

router = APIRouter(prefix="/widgets", include_in_schema=False)

TEMPLATE = "fragments/cost_panel.html"


class PanelError(ValueError):
    """A run id the panel cannot price; the message is for the reader."""


async def _side(request: Request, run_id: str, run: MeasuredRun) -> SideBySide | None:
    if not run_id or not run.frozen:
        return None
    if not re.fullmatch(RUN_ID_PATTERN, run_id):
        raise PanelError("The run id is not one this server gives out.")
    services = services_of(request)
    spec = services.specs.get(run_id)
    if spec is None:
        raise PanelError(f"There is no run '{run_id}' to price; train it again.")
    assumptions = Assumptions(run.watts, run.region, run.price_per_hour)
    try:
        return await comparison(run_id, spec, services, assumptions)
    except HTTPException as refused:
        raise PanelError(str(refused.detail)) from None


@router.post("/costs", response_class=HTMLResponse)
async def cost_panel(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """The panel for these counters; a bad number answers 422 with the panel's message."""
    raw = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        run = MeasuredRun.model_validate(raw)
        view = build(run, await _side(request, raw.get("run_id", ""), run))
    except (ValidationError, ValueError) as error:
        message = plain_message(error)
        return templates.TemplateResponse(request, TEMPLATE, {"error": message}, status_code=422)
    return templates.TemplateResponse(request, TEMPLATE, {"view": view, "error": None})
