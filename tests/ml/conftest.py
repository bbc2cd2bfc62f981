"""The app's default runs, shared by the test modules that question them (trained once).

Built from the run specs' defaults by the kinds' adapters, with the app's seeds, and
trained to the end as the app replays a run (see default_runs.py).
"""

from __future__ import annotations

import pytest
from default_runs import train_run

from app.ml.datasets import Dataset
from app.ml.models.language import NextWordModel
from app.ml.models.mlp import MLP
from app.ml.text import TextData
from app.runs.specs import DigitsSpec, LanguageSpec, MlpSpec


@pytest.fixture(scope="session")
def trained_moons() -> tuple[MLP, Dataset]:
    run = train_run(MlpSpec(model="mlp"))
    assert run.setup is not None
    return run.model, run.setup.data


@pytest.fixture(scope="session")
def trained_digits() -> tuple[MLP, Dataset]:
    run = train_run(DigitsSpec(model="digits"))
    assert run.setup is not None
    return run.model, run.setup.data


@pytest.fixture(scope="session")
def trained_language() -> tuple[NextWordModel, TextData]:
    run = train_run(LanguageSpec(model="language"))
    assert run.setup is not None
    return run.model, run.setup.text
