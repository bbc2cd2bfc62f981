"""Security headers: the middleware alone, then on every sort of answer the app gives."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from app.main import create_app
from app.settings import Settings
from app.web.security import SecurityHeadersMiddleware, content_security_policy
from tests.conftest import create_run, run_on_own_loop

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in out, f"{name} given twice"
        out[name] = sources
    return out


def small_app(frame_ancestors: str = "'self'") -> SecurityHeadersMiddleware:
    async def plain(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hello")

    async def own_policy(request: Any) -> PlainTextResponse:
        return PlainTextResponse("mine", headers={"Referrer-Policy": "no-referrer"})

    async def chunks(request: Any) -> StreamingResponse:
        return StreamingResponse(iter(["one ", "two"]), media_type="text/event-stream")

    routes = [Route("/", plain), Route("/own", own_policy), Route("/stream", chunks)]
    return SecurityHeadersMiddleware(Starlette(routes=routes), frame_ancestors=frame_ancestors)


def test_scripts_come_only_from_our_own_files() -> None:
    policy = directives(content_security_policy("'self'"))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    everything = [source for sources in policy.values() for source in sources]
    assert "'unsafe-eval'" not in everything
    assert [name for name, sources in policy.items() if "'unsafe-inline'" in sources] == [
        "style-src"  # Plotly positions its SVG with style attributes; no script can hide there
    ]


@pytest.mark.parametrize("ancestors", ["'none'", "'self'", "'self' https://lms.example.edu"])
def test_frame_ancestors_is_the_setting(ancestors: str) -> None:
    assert directives(content_security_policy(ancestors))["frame-ancestors"] == ancestors.split()
    with TestClient(small_app(ancestors)) as client:
        policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["frame-ancestors"] == ancestors.split()


def test_the_middleware_adds_every_header_and_keeps_the_body() -> None:
    with TestClient(small_app()) as client:
        response = client.get("/")
    assert response.text == "hello"
    assert {name: response.headers[name] for name in HEADERS} == HEADERS
    assert response.headers["content-security-policy"] == content_security_policy("'self'")


def test_a_header_the_route_set_is_kept() -> None:
    with TestClient(small_app()) as client:
        response = client.get("/own")
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_stream_gets_the_headers_and_passes_untouched() -> None:
    with TestClient(small_app()) as client, client.stream("GET", "/stream") as response:
        body = "".join(response.iter_text())
        assert response.headers["x-content-type-options"] == "nosniff"
    assert body == "one two"


def test_other_scopes_go_straight_to_the_app() -> None:
    seen: list[tuple[Scope, Send]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, send))

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    scope: Scope = {"type": "lifespan"}

    async def scenario() -> None:
        await SecurityHeadersMiddleware(inner, "'self'")(scope, receive, send)

    run_on_own_loop(scenario)
    assert seen == [(scope, send)]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),  # a page
        ("GET", "/healthz", 200),
        ("POST", "/api/runs", 201),  # an API answer
        ("GET", "/api/runs/0123456789abcdef", 404),
        ("GET", "/lessons/missing", 404),  # a 404 page
        ("GET", "/no/such/place", 404),
        ("GET", "/static/css/app.css", 200),  # a static file
        ("GET", "/static/favicon.svg", 200),
    ],
)
def test_every_sort_of_answer_has_the_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, json={"model": "mlp"} if method == "POST" else None)
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
    policy = directives(response.headers["content-security-policy"])
    own, *inline = policy["script-src"]
    assert own == "'self'"
    assert all(source.startswith("'sha256-") for source in inline)  # named inline scripts only
    assert policy["frame-ancestors"] == ["'self'"]


def sha256_source(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


@pytest.mark.parametrize("path", ["/", "/lessons/introduction", "/lessons/faq", "/lessons/x"])
def test_the_only_inline_script_is_the_import_map_allowed_by_its_hash(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    soup = BeautifulSoup(response.text, "html.parser")
    inline = soup.select("script:not([src])")
    assert [tag.get("type") for tag in inline] == ["importmap"]
    # The hash of the element's exact text, as the browser computes it: nothing else runs.
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", sha256_source(inline[0].string or "")]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_answers_made_outside_the_routes_have_the_headers(tmp_path: Path) -> None:
    """The body limit (413), the host check (400) and the error handler (500) answer from
    outside the app's own middleware; the headers wrap them too."""
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=["lab.test"])
    app = create_app(settings)

    @app.get("/broken", include_in_schema=False)
    def broken() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, base_url="http://lab.test", raise_server_exceptions=False) as client:
        too_big = b"0" * (settings.max_body_bytes + 1)
        answers = {
            413: client.post("/api/runs", content=too_big),
            400: client.get("/healthz", headers={"host": "elsewhere.test"}),
            500: client.get("/broken"),
        }
        for status, response in answers.items():
            assert response.status_code == status
            assert {name: response.headers.get(name) for name in HEADERS} == HEADERS, status


def test_an_event_stream_has_the_headers(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", steps=3)
    with client.stream("GET", f"/api/runs/{run_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert {name: response.headers.get(name) for name in HEADERS} == HEADERS


def test_the_app_takes_frame_ancestors_from_its_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", frame_ancestors="'none'")
    with TestClient(create_app(settings)) as client:
        for path in ["/", "/static/css/app.css", "/api/runs/0123456789abcdef"]:
            policy = directives(client.get(path).headers["content-security-policy"])
            assert policy["frame-ancestors"] == ["'none'"], path
