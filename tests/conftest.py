"""Shared fixtures: an app on a temporary data folder, a real uvicorn server, Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import REPO_ROOT, Settings


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the fuzz module uncollected when the run deselects it (make test-fast).

    Schemathesis builds its coverage cases while collecting (about a minute of CPU), before
    any marker deselects the test; not importing the module is the only way not to pay.
    """
    if collection_path.name == "test_openapi_fuzz.py" and "not fuzz" in config.option.markexpr:
        return True
    return None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def read_events(
    client: TestClient, run_id: str, headers: dict[str, str] | None = None
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, id, data) for every event of a run's stream, read to its end."""
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers or {}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return sse_events(response.iter_lines())


def sse_events(lines: Iterable[str]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, id, data) for each complete event in a stream's lines; comments skipped."""
    out: list[tuple[str, str | None, dict[str, Any]]] = []
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if "event" in event:
                out.append((event["event"], event.get("id"), json.loads(event["data"])))
            event = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            event[key] = value
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn process serving the app, stoppable and restartable by a test."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PHASELAB_DATA_DIR": str(data_dir),
            "PHASELAB_PORT": str(self.port),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app"],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"server exited at start:\n{err}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not answer /healthz within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "live-data")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a module's tests, where none of them stops or breaks it."""
    server = LiveServer(tmp_path_factory.mktemp("module-data"))
    server.start()
    yield server
    server.stop()


# -- helpers shared by the route tests (tests/web/api) and the async unit tests --------

Event = tuple[str, str | None, dict[str, Any]]  # (event, id, data), as read_events gives them


def create_run(client: httpx.Client, **spec: Any) -> str:
    """POST a run of these spec fields (at the instant pace unless given); its run id."""
    response = client.post("/api/runs", json={"pace": "instant", **spec})
    assert response.status_code == 201, response.text
    return str(response.json()["run_id"])


def ask(client: httpx.Client, run_id: str, **body: Any) -> httpx.Response:
    """POST a question to a run's model; the response, whatever its status."""
    return client.post(f"/api/runs/{run_id}/predict", json=body)


def frames_of(events: Iterable[Event]) -> list[dict[str, Any]]:
    """The data of each frame event among a stream's events (see read_events)."""
    return [data for name, _, data in events if name == "frame"]


def run_on_own_loop(scenario: Callable[[], Coroutine[Any, Any, None]], timeout: float = 10) -> None:
    """Run an async scenario to its end on a new event loop; one that hangs fails in time.

    A thread of its own: the session's Playwright keeps an event loop on the main thread.
    """

    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bounded()).result()
