"""htmx endpoints that answer HTML fragments for the lesson widgets."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from app.runs.questions import classify_points
from app.web.deps import ModelsDep, RunIdPath, RunSpecDep, TemplatesDep, limit_predicts

router = APIRouter(prefix="/widgets", include_in_schema=False)

COORDINATE_LIMIT = 10.0  # far outside the data's [-2, 2] box, so readers can probe the edges


def _coordinate(name: str, raw: str) -> tuple[float | None, str | None]:
    try:
        value = float(raw)
    except ValueError:
        return None, f"{name} must be a number, like 0.5 or -1.2."
    if not math.isfinite(value) or abs(value) > COORDINATE_LIMIT:
        return None, f"{name} must lie between -{COORDINATE_LIMIT:g} and {COORDINATE_LIMIT:g}."
    return value, None


@router.post(
    "/runs/{run_id}/ask", response_class=HTMLResponse, dependencies=[Depends(limit_predicts)]
)
async def ask(
    run_id: RunIdPath,
    request: Request,
    spec: RunSpecDep,
    models: ModelsDep,
    templates: TemplatesDep,
    x: Annotated[str, Form(max_length=40)] = "",
    y: Annotated[str, Form(max_length=40)] = "",
) -> HTMLResponse:
    """The inference panel's answer for one point, as the partial the panel swaps in."""
    template = "fragments/inference_result.html"
    x_value, x_error = _coordinate("x", x)
    y_value, y_error = _coordinate("y", y)
    error = x_error or y_error
    if error is not None or x_value is None or y_value is None:
        return templates.TemplateResponse(request, template, {"error": error}, status_code=422)
    if spec.model != "mlp":
        message = "This panel asks about points; this run's model does not take points."
        return templates.TemplateResponse(request, template, {"error": message}, status_code=422)
    trained = await models.get(run_id, spec)
    if trained.model is None or trained.setup is None:
        return templates.TemplateResponse(
            request,
            template,
            {"error": "This run diverged, so there is no model to ask. Train it again."},
            status_code=409,
        )
    result = classify_points(trained.model, trained.setup, [[x_value, y_value]])
    result["fingerprint"] = trained.model.fingerprint()
    return templates.TemplateResponse(
        request, template, {"x": x_value, "y": y_value, "result": result, "error": None}
    )
