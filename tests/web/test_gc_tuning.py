"""The garbage collector is set for serving while an app runs, and put back after."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.gc_tuning import YOUNG_GENERATION_THRESHOLD, tuned_for_serving


def test_tuned_for_serving_freezes_and_raises_the_young_threshold_then_restores() -> None:
    before = gc.get_threshold()
    with tuned_for_serving():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_app_runs_with_the_serving_collector(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
