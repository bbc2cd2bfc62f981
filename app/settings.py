"""Every setting of Phase Lab, in one place, read from ``PHASELAB_*`` environment variables.

Each field carries its description: the README's settings table is written from it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Phase Lab's settings; each is read from ``PHASELAB_<NAME>``, e.g. ``PHASELAB_PORT=9000``."""

    model_config = SettingsConfigDict(env_prefix="PHASELAB_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Server processes; each has its own stream cap, queue and model cache.",
    )
    lessons_dir: Path = Field(
        REPO_ROOT / "lessons",
        description="Folder of lesson Markdown files; point it at your own to teach your own.",
    )
    data_dir: Path = Field(
        REPO_ROOT / "data",
        description="Folder for the run store (a SQLite file); created on first start.",
    )
    # About as many 5-second streams as one process paces on one core (bench/bench_load.py,
    # caps compared in docs/benchmarks-history.md, "the final classroom run"); past it,
    # frames fall behind for everyone, so the rest wait their turn in the queue.
    max_live_streams: int = Field(
        40,
        ge=1,
        le=10_000,
        description="Training streams one process serves at once; the rest wait in a queue.",
    )
    max_queued_streams: int = Field(
        300,
        ge=0,
        le=100_000,
        description="Streams that may wait for a slot; beyond it, 503 with Retry-After.",
    )
    runs_per_minute: int = Field(
        30, ge=1, le=100_000, description="Runs one browser (or address) may create a minute."
    )
    predicts_per_minute: int = Field(
        600,
        ge=1,
        le=1_000_000,
        description="Predict calls one browser (or address) may make a minute.",
    )
    max_body_bytes: int = Field(
        262_144, ge=1024, le=16_777_216, description="Largest request body accepted (413 above)."
    )
    allowed_hosts: list[str] = Field(
        ["*"],
        description='Host names to answer, as JSON, e.g. ["lab.school.org"]; "*" means any.',
    )
    frame_ancestors: str = Field(
        "'self'",
        description="Who may embed the pages in a frame (CSP frame-ancestors), e.g. a school LMS.",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For is trusted for the client address.",
    )
    max_steps: int = Field(
        5000, ge=1, le=100_000, description="Upper bound on the training steps of one run."
    )
    max_predict_inputs: int = Field(
        1000, ge=1, le=100_000, description="Most points one predict call may ask about."
    )
    model_cache_size: int = Field(
        256, ge=1, le=100_000, description="Trained models kept in memory (least recently used go)."
    )
