"""Lesson 2's experiments, replayed through the engine, show what the lesson says they show.

The lesson gives each experiment as a list item: its name in bold, then the controls to
set, by the widget's own labels ("Set Pattern to **spiral**, Dots to **40**, ..."). The
widget block's preset supplies every field the reader cannot set (the optimizer, the
noise, the batch size). A run is a pure function of its spec, so replaying an experiment
here gives the reader's run exactly. Each experiment is checked on the preset's seed and
on the seeds the lesson tells the reader to try.

Nothing below restates a setting: they are read from the lesson file, so a change to a
setting that breaks what the text promises fails here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from app.content.lessons import load_lessons
from app.content.widgets import MlpPreset
from app.main import create_app
from app.runs.execution import Divergence, Execution, Frame
from app.settings import Settings

SLUG = "what-training-means"
TOO_FEW_STEPS = "Too few steps"
ENOUGH_STEPS = "Enough steps"
TOO_HIGH = "A learning rate far too high"
MEMORISING = "Few dots, big model"

# The margins each promise is held to (the lesson's words in the comments).
STILL_HIGH = 0.6  # "both lines are still high": each final loss above 0.6 x its first frame's
FOUND = 0.8  # "the border winds round the arms": at least 80 % of held-out dots right
FOUND_GAIN = 0.1  # ... and at least 10 points more than with too few steps
CAME_DOWN = 0.6  # "the training line comes down": below 0.6 x its final loss with too few
FRAMES_BEFORE_HALT = 10  # "within a few dozen steps it blows up": the climb is on the chart
CLIMB = 2.0  # "climbs higher and higher": the last third of frames averages 2 x the first
PEAK = 20.0  # "the loss jumps up": the highest frame at least 20 x the first frame
NEAR_ZERO = 0.05  # "the training line drops to almost zero"
GAP = 0.2  # "held-out accuracy ends far below": 20 points below the training accuracy
TURNS_UP = 2.0  # "the held-out line goes the other way and climbs": ends at 2 x its lowest


def lesson() -> Any:
    return load_lessons(Settings().lessons_dir)[SLUG]


def preset() -> MlpPreset:
    (widget,) = [w for w in lesson().widgets if w.kind == "train-classifier"]
    assert isinstance(widget.preset, MlpPreset)
    return widget.preset


def experiments(labels: list[str]) -> dict[str, dict[str, str]]:
    """The lesson's experiments: for each list item that starts with a bold name and sets
    controls ("Label to **value**"), its settings by control label, as written."""
    text = Path(lesson().path).read_text(encoding="utf-8")
    setting = re.compile(rf"({'|'.join(map(re.escape, labels))}) to \*\*([^*]+)\*\*")
    found: dict[str, dict[str, str]] = {}
    inside = False
    for token in MarkdownIt("commonmark").parse(text):
        if token.type in ("list_item_open", "list_item_close"):
            inside = token.type == "list_item_open"
        elif token.type == "inline" and inside:
            name = re.match(r"\*\*(.+?)\.\*\*", token.content)
            settings = {label: " ".join(v.split()) for label, v in setting.findall(token.content)}
            if name and settings:
                found[name[1]] = settings
    return found


def seeds() -> list[int]:
    """The preset's seed, and the seeds the lesson tells the reader to try."""
    text = Path(lesson().path).read_text(encoding="utf-8")
    match = re.search(r"Seed to \*\*(\d+)\*\* or \*\*(\d+)\*\*", text)
    assert match, "the lesson names two more seeds to try ('Seed to **8** or **9**')"
    return [preset().seed, int(match[1]), int(match[2])]


@pytest.fixture(scope="module")
def controls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tag]:
    """The widget's controls on the rendered page, by the text of their labels."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("data")))
    with TestClient(app) as client:
        html = client.get(f"/lessons/{SLUG}").text
    form = BeautifulSoup(html, "html.parser").select_one(
        "[data-widget=train-classifier] [data-role=controls]"
    )
    assert form is not None
    found: dict[str, Tag] = {}
    for label in form.select("label"):
        control = label.select_one("select, input")
        assert control is not None
        text = label.find(string=True, recursive=False)  # "Pattern", before its control
        found[" ".join(str(text).split())] = control
    return found


def setting(control: Tag, shown: str) -> tuple[str, Any]:
    """The spec field and value a reader sets by putting `shown` into the control.

    Converted as train-classifier.js reads its form (hidden: "64,64" -> [64, 64]).
    """
    name = str(control["name"])
    if control.name == "select":
        values = {" ".join(o.get_text().split()): str(o["value"]) for o in control.select("option")}
        assert shown in values, f"{name}: {shown!r} is not one of the choices {sorted(values)}"
        value = values[shown]
    else:
        value = shown.replace(",", "")
        low, high = float(str(control["min"])), float(str(control["max"]))
        assert low <= float(value) <= high, f"{name}: {shown} is outside {low}..{high}"
    if name == "hidden":
        return name, [int(units) for units in value.split(",")]
    if name == "dataset":
        return name, value
    number = float(value)
    return name, int(number) if name in ("n_samples", "steps", "seed") else number


def spec_of(settings: dict[str, str], controls: dict[str, Tag], seed: int) -> str:
    fields = dict(setting(controls[label], shown) for label, shown in settings.items())
    spec = MlpPreset.model_validate({**preset().model_dump(), **fields, "seed": seed})
    return spec.canonical_json()


@cache
def replay(spec_json: str) -> tuple[list[Frame], Divergence | None]:
    """Every frame the reader's chart gets, and the divergence that halted the run, if any."""
    execution = Execution(MlpPreset.model_validate(json.loads(spec_json)))
    frames: list[Frame] = []
    while not execution.finished:
        outcome = execution.advance(with_snapshot=False)
        if isinstance(outcome, Divergence):
            return frames, outcome
        frames.append(outcome)
    return frames, None


def run(name: str, controls: dict[str, Tag], seed: int) -> tuple[list[Frame], Divergence | None]:
    found = experiments(list(controls))
    assert name in found, f"the lesson has no experiment {name!r} (it has {sorted(found)})"
    return replay(spec_of(found[name], controls, seed))


def finished(name: str, controls: dict[str, Tag], seed: int) -> list[Frame]:
    frames, divergence = run(name, controls, seed)
    assert divergence is None, f"{name}, seed {seed}: diverged at step {divergence.step}"
    return frames


def loss(frame: Frame) -> float:
    assert frame.loss is not None
    return frame.loss


def val_loss(frame: Frame) -> float:
    assert frame.val_loss is not None
    return frame.val_loss


def test_each_experiment_sets_the_widgets_own_controls_to_choices_they_offer(
    controls: dict[str, Tag],
) -> None:
    found = experiments(list(controls))
    assert set(found) == {TOO_FEW_STEPS, ENOUGH_STEPS, TOO_HIGH, MEMORISING}
    assert "Seed" in controls  # the lesson tells the reader to change it
    for settings in found.values():
        # Every control the lesson's experiments differ in is set in each of them, so an
        # experiment never depends on what the reader left from the one before.
        assert set(settings) == {"Pattern", "Dots", "Hidden units", "Learning rate", "Steps"}
        for seed in seeds():
            spec_of(settings, controls, seed)  # every value is one the control accepts


@pytest.mark.parametrize("position", [0, 1, 2], ids=["preset-seed", "seed-2", "seed-3"])
def test_too_few_steps_stop_before_the_spiral_is_found_and_enough_find_it(
    controls: dict[str, Tag], position: int
) -> None:
    seed = seeds()[position]
    short = finished(TOO_FEW_STEPS, controls, seed)
    long = finished(ENOUGH_STEPS, controls, seed)
    first, end = short[0], short[-1]
    assert loss(end) > STILL_HIGH * loss(first) and val_loss(end) > STILL_HIGH * val_loss(first)
    found = long[-1].val_accuracy
    assert found is not None and end.val_accuracy is not None
    assert found >= FOUND and found >= end.val_accuracy + FOUND_GAIN, (seed, found)
    assert loss(long[-1]) < CAME_DOWN * loss(end)


@pytest.mark.parametrize("position", [0, 1, 2], ids=["preset-seed", "seed-2", "seed-3"])
def test_a_far_too_high_learning_rate_climbs_on_the_chart_then_halts(
    controls: dict[str, Tag], position: int
) -> None:
    seed = seeds()[position]
    frames, divergence = run(TOO_HIGH, controls, seed)
    assert divergence is not None, f"seed {seed}: the run finished instead of blowing up"
    losses = [loss(f) for f in frames]  # every frame before the halt is a point on the chart
    assert len(losses) >= FRAMES_BEFORE_HALT, (seed, losses)
    third = len(losses) // 3
    assert mean(losses[-third:]) >= CLIMB * mean(losses[:third]), (seed, losses)
    assert max(losses) >= PEAK * losses[0], (seed, losses)
    assert divergence.step < frames[-1].step + 2  # it halts right after the last point drawn


@pytest.mark.parametrize("position", [0, 1, 2], ids=["preset-seed", "seed-2", "seed-3"])
def test_few_dots_and_a_big_model_memorise(controls: dict[str, Tag], position: int) -> None:
    seed = seeds()[position]
    frames = finished(MEMORISING, controls, seed)
    end = frames[-1]
    lowest = min(range(len(frames)), key=lambda i: val_loss(frames[i]))
    assert loss(end) <= NEAR_ZERO, (seed, loss(end))
    assert end.metrics["accuracy"] == 1.0  # every dot it learns from, right
    assert end.val_accuracy is not None and end.val_accuracy <= 1.0 - GAP, (seed, end.val_accuracy)
    # The held-out line goes the other way: lowest early, then it climbs while training falls.
    assert lowest < len(frames) // 2, (seed, lowest)
    assert val_loss(end) >= TURNS_UP * val_loss(frames[lowest]), seed
    assert loss(end) < loss(frames[lowest])
