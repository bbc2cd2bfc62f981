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
    lessons_dir: Path = Field(
        REPO_ROOT / "lessons",
        description="Folder of lesson Markdown files; point it at your own to teach your own.",
    )
    data_dir: Path = Field(
        REPO_ROOT / "data",
        description="Folder for the run store (a SQLite file); created on first start.",
    )
    max_live_streams: int = Field(
        200,
        ge=1,
        le=10_000,
        description="Training streams one process serves at once; beyond it, 503 + Retry-After.",
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
