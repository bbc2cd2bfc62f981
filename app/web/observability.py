"""Metrics in Prometheus format and one structured access-log line per request."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.runs.admission import StreamSlots
from app.runs.model_cache import ModelCache

access_log = logging.getLogger("phaselab.access")


class Metrics:
    """One registry per app: no module-level state shared between test apps."""

    def __init__(self, slots: StreamSlots, models: ModelCache) -> None:
        self.registry = CollectorRegistry()
        live = Gauge(
            "phaselab_live_streams", "Training streams being served now.", registry=self.registry
        )
        live.set_function(lambda: slots.live)
        queued = Gauge(
            "phaselab_stream_queue_length",
            "Streams waiting for a free slot.",
            registry=self.registry,
        )
        queued.set_function(lambda: slots.waiting)
        cached = Gauge(
            "phaselab_models_cached", "Trained models held in memory.", registry=self.registry
        )
        cached.set_function(lambda: len(models))
        self.streams_refused = Counter(
            "phaselab_streams_refused",
            "Streams refused because the queue was full.",
            registry=self.registry,
        )
        self.runs_created = Counter(
            "phaselab_runs_created", "Runs created with POST /api/runs.", registry=self.registry
        )
        self.streams_finished = Counter(
            "phaselab_streams_finished",
            "Streams that ended, by how.",
            ["outcome"],
            registry=self.registry,
        )
        self.frame_batch_size = Histogram(
            "phaselab_frame_batch_size",
            "Frames computed together in one batch (app/runs/class_batcher.py).",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
            registry=self.registry,
        )
        self.frame_compute_seconds = Counter(
            "phaselab_frame_compute_seconds",
            "CPU seconds spent computing streamed frames: training, measuring, maps.",
            registry=self.registry,
        )
        self.predict_seconds = Histogram(
            "phaselab_predict_seconds",
            "Time to answer a predict call, server side (includes rebuilding a model).",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
            registry=self.registry,
        )

    def frame_batch(self, size: int, cpu_seconds: float) -> None:
        """One batch of frames computed (app/runs/class_batcher.py): its size and CPU time."""
        self.frame_batch_size.observe(size)
        self.frame_compute_seconds.inc(cpu_seconds)


class AccessLogMiddleware:
    """Logs method, path, status, duration and client as one JSON object per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app fails before answering, that is what the client gets

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            client = scope.get("client")
            access_log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": client[0] if client else None,
                    },
                    separators=(",", ":"),
                )
            )
