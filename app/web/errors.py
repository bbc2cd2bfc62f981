"""Error answers a person can act on: JSON for the API, a page for the browser."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.runs.specs import MODEL_NAMES


def _plain(error: dict[str, Any]) -> str:
    """One validation error as a sentence: where, what, and what was sent."""
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    sent = error.get("input")
    shown = "" if sent is None or isinstance(sent, dict | list) else f" (got {sent!r})"
    return f"{loc or 'request'}: {error.get('msg', 'invalid')}{shown}"


def plain_message(error: Exception) -> str:
    """A validation or value error as sentences a reader can act on."""
    if isinstance(error, ValidationError):
        return "; ".join(_plain(dict(e)) for e in error.errors()[:3])
    return str(error)


_KINDS_TEXT = " or ".join(", ".join(repr(k) for k in MODEL_NAMES).rsplit(", ", 1))


def _tidy(error: dict[str, Any]) -> dict[str, Any]:
    """Spec errors name the field, not the spec kind pydantic tried (body.mlp.steps)."""
    error = {k: v for k, v in error.items() if k in ("type", "loc", "msg", "input", "ctx")}
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "body" and loc[1] in MODEL_NAMES:
        del loc[1]
    if error.get("type") == "union_tag_not_found":
        loc, error["msg"] = ["body", "model"], f"Field required: one of {_KINDS_TEXT}"
        error.pop("input", None)
    elif error.get("type") == "union_tag_invalid":
        loc, error["msg"] = ["body", "model"], f"Input should be {_KINDS_TEXT}"
        error["input"] = error.get("ctx", {}).get("tag")
    error["loc"] = loc
    return error


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [_tidy(dict(e)) for e in exc.errors()]
    message = "; ".join(_plain(e) for e in errors[:5])
    # FastAPI's usual `detail` list stays for programs; `message` is for people.
    content = {"detail": errors, "message": message}
    return JSONResponse(_jsonable(content), status_code=422)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or Infinity; echo what was sent as text
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def install(app: FastAPI, templates: Jinja2Templates) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        # The path as sent: request.url re-parses it, and urllib drops control characters
        # such as a newline, which would turn "/api/runs/%0A" into "/api/runs/".
        path: str = request.scope["path"]
        slashed = path.endswith("/") and path.strip("/") != "" and path.isprintable()
        if exc.status_code == 404 and slashed and request.method in ("GET", "HEAD"):
            # "/lessons/intro/" means "/lessons/intro". The redirect is relative: Starlette's
            # own slash redirect would echo the request's Host header into Location.
            # One leading slash, so the target can never read as "//another.host".
            target = "/" + path.strip("/")
            query = request.scope.get("query_string", b"").decode("latin-1")
            return RedirectResponse(target + (f"?{query}" if query else ""), status_code=307)
        wants_html = not path.startswith("/api/") and "text/html" in request.headers.get(
            "accept", ""
        )
        if wants_html and exc.status_code == 404:
            return templates.TemplateResponse(
                request, "pages/404.html", {"message": exc.detail}, status_code=404
            )
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    app.add_exception_handler(StarletteHTTPException, http_error)
