"""One model, one comparison: every lesson that prices the default model says the same counts.

Lessons 1 and 8 watch the default model train; lessons 3, 4 and 10 train it at once. It is
the same model bit for bit, so each cost panel must say the same break-even counts, and
they must be the ones GET /api/runs/{id}/costs answers.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.costs.humanize import format_words
from tests.browser.conftest import ConsoleLog
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

RATIO = "[data-role=costs] [data-role=ratio]"


def watched(page: Page) -> None:
    settings = page.locator("details.settings > summary")
    if page.locator("details.settings:not([open])").count():
        settings.click()  # lesson 1 folds its settings behind one line
    page.select_option("[name=speed]", "fast")
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)


def trains_itself(page: Page) -> None:
    return None


def query_model(page: Page) -> None:
    page.click("[data-action=start]")


def serve(page: Page) -> None:
    page.click("[data-action=start]")


LESSONS = {
    "introduction": watched,
    "what-inference-looks-like": query_model,
    "education-vs-performance": trains_itself,
    "energy-and-environment": watched,
    "business-implications": serve,
}


def test_every_lesson_prices_the_default_model_the_same(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    said: dict[str, str] = {}
    for slug, drive in LESSONS.items():
        page.goto(f"{module_server.url}/lessons/{slug}")
        drive(page)
        expect(page.locator(RATIO)).to_be_visible(timeout=20_000)
        said[slug] = page.locator(RATIO).inner_text()
    assert len(set(said.values())) == 1, said
    counts = [
        int(n.replace(",", "")) for n in re.findall(r"as (\d[\d,]*) answers", said["introduction"])
    ]
    run_id = httpx.post(f"{module_server.url}/api/runs", json={"model": "mlp"}).json()["run_id"]
    api = httpx.get(f"{module_server.url}/api/runs/{run_id}/costs").json()["break_even_answers"]
    assert counts == [api["by_arithmetic"], api["by_measured_time"]]
    assert format_words(api["by_arithmetic"]) in said["introduction"]
    assert console.errors == []
