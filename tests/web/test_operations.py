"""Health, metrics, security headers, the self-hosted API docs, and request limits."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

PAGES = ["/", "/lessons/what-training-means", "/docs", "/healthz", "/metrics", "/openapi.json"]


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "live_streams": 0, "queued_streams": 0}


def test_metrics_count_runs_and_predicts(client: TestClient) -> None:
    run_id = client.post("/api/runs", json={"model": "mlp", "steps": 5}).json()["run_id"]
    client.post(f"/api/runs/{run_id}/predict", json={"inputs": [[0, 0]]})
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "phaselab_runs_created_total 1.0" in text
    assert "phaselab_live_streams 0.0" in text
    assert "phaselab_stream_queue_length 0.0" in text
    assert "phaselab_predict_seconds_count 1.0" in text
    assert "phaselab_models_cached 1.0" in text


@pytest.mark.parametrize("path", [*PAGES, "/lessons/missing", "/api/runs/nope"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    script_src = next(d.split()[1:] for d in csp.split(";") if d.split()[0] == "script-src")
    # Our own files, and inline only the import map, named by its hash (test_security.py).
    assert script_src[0] == "'self'" and all(s.startswith("'sha256-") for s in script_src[1:])
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(client: TestClient) -> None:
    for path in ["/", "/lessons/what-training-means", "/docs"]:
        soup = BeautifulSoup(client.get(path).text, "html.parser")
        for script in soup.select("script"):
            # The import map is data, allowed by its hash (test_security.py); no code inline.
            assert script.get("src") or script.get("type") == "importmap", f"inline on {path}"
        assert not soup.select("[onclick], [onload], [hx-on]"), path


def test_frame_ancestors_is_configurable(tmp_path: object) -> None:
    settings = Settings(
        data_dir=tmp_path / "d",  # type: ignore[operator]
        frame_ancestors="'self' https://lms.example.edu",
    )
    with TestClient(create_app(settings)) as client:
        csp = client.get("/").headers["content-security-policy"]
    assert "frame-ancestors 'self' https://lms.example.edu" in csp


def test_untrusted_hosts_are_refused(tmp_path: object) -> None:
    settings = Settings(data_dir=tmp_path / "d", allowed_hosts=["lab.example.org"])  # type: ignore[operator]
    with TestClient(create_app(settings), base_url="http://lab.example.org") as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz", headers={"host": "evil.example"}).status_code == 400


def test_the_api_docs_are_served_from_our_own_files(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/docs").text, "html.parser")
    sources = [s["src"] for s in soup.select("script")] + [
        link["href"] for link in soup.select("link")
    ]
    assert all(str(src).startswith("/static/") for src in sources), sources
    assert any("swagger-ui-bundle.js" in str(src) for src in sources)


def test_pages_give_the_browser_a_client_id(client: TestClient) -> None:
    response = client.get("/")
    assert "phaselab_client=" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]


def test_oversized_bodies_are_refused_with_413(client: TestClient) -> None:
    body = '{"model": "mlp", "pad": "' + "x" * 300_000 + '"}'
    response = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_run_creation_is_limited_per_client(tmp_path: object) -> None:
    settings = Settings(data_dir=tmp_path / "d", runs_per_minute=2)  # type: ignore[operator]
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post("/api/runs", json={"model": "mlp", "seed": i}).status_code
            for i in range(12)
        ]
        assert codes[:10] == [201] * 10  # the burst
        assert codes[10:] == [429, 429]
        refused = client.post("/api/runs", json={"model": "mlp"})
        assert int(refused.headers["retry-after"]) >= 1
        assert "try again in" in refused.json()["detail"]
        # Another browser, with its own client id, is not held back by the first.
        client.cookies.set("phaselab_client", "abcdef0123456789")
        assert client.post("/api/runs", json={"model": "mlp"}).status_code == 201
