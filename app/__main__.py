"""``python -m app``: serve Phase Lab on the host and port from the settings."""

from __future__ import annotations

import copy
import os
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from app.settings import Settings


def log_config() -> dict[str, Any]:
    """uvicorn's own logging, plus our JSON access log in place of its text one."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["json_lines"] = {"format": "%(message)s"}
    config["handlers"]["phaselab_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "json_lines",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["phaselab.access"] = {
        "handlers": ["phaselab_access"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def single_threaded_blas() -> None:
    """One BLAS thread per process: the matrices here are tiny, and two threads fighting
    over two busy cores made training several times slower under load ("One BLAS thread
    per process" in docs/benchmarks-history.md). Takes effect because numpy is first
    imported later, when uvicorn loads app.main; worker processes inherit it."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def main() -> None:
    single_threaded_blas()
    settings = Settings()
    print(f"Phase Lab on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=log_config(),
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # Readers' streams end by themselves within seconds; give them that long on stop.
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
