"""``python -m app``: serve Phase Lab on the host and port from the settings."""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.config import LOGGING_CONFIG

from app.content.lessons import LessonError, load_lessons, presets_over_step_limit
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


def settings_or_exit() -> Settings:
    """The settings, or one line per bad one (``PHASELAB_PORT: ...``) and exit status 2."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "PHASELAB_" + "_".join(str(part) for part in problem["loc"]).upper()
            print(f"{name}: {problem['msg']} (got {problem.get('input')!r})", file=sys.stderr)
        raise SystemExit(2) from None


def check_or_exit(settings: Settings) -> None:
    """What would stop the server once it is up, told before it starts, one line each:
    lessons that do not load (file, line, field, reason) and a data folder it cannot write."""
    try:
        lessons = load_lessons(settings.lessons_dir)
        problems = presets_over_step_limit(lessons, settings.max_steps)
        if problems:
            raise LessonError(problems)
    except LessonError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        print(
            f"PHASELAB_DATA_DIR: cannot keep the run store in {folder}: {error.strerror or error}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def main() -> None:
    single_threaded_blas()
    settings = settings_or_exit()
    check_or_exit(settings)
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
