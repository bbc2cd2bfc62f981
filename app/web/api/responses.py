"""How the API's errors look, in answers and in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError


def error(description: str) -> dict[str, Any]:
    """An error answer in OpenAPI: JSON with a plain message in `detail`."""
    schema = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BAD_BODY = error("The body is not JSON at all.")
TOO_LARGE: dict[str, Any] = {
    "description": "The body is larger than the server accepts (PHASELAB_MAX_BODY_BYTES).",
    "content": {
        **error("")["content"],
        "text/plain": {"schema": {"type": "string"}},  # when refused before the app reads it
    },
}
UNKNOWN_RUN = error("No run has this id.")
DIVERGED = error("The run diverged: it has no usable model.")
LIMITED = error("Too many calls from this client; see `Retry-After`.")


def refuse(field: str, message: str, value: object = None, kind: str = "value_error") -> None:
    """Answer 422 the way FastAPI does for a bad body field, with our own message."""
    raise RequestValidationError(
        [{"type": kind, "loc": ("body", field), "msg": message, "input": value}]
    )
