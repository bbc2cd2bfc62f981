"""The lesson page in a real headless Chromium: train, watch, ask; keyboard, phone, axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.settings import REPO_ROOT
from tests.browser.conftest import ConsoleLog
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/what-training-means"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def loss_points(page: Page) -> list[float]:
    values: list[float] = page.evaluate(
        "() => document.querySelector('[data-role=loss-chart]').data[0].y"
    )
    return values


def open_lesson(page: Page, server: LiveServer, steps: int = 200) -> None:
    page.goto(server.url + LESSON)
    page.fill("[name=steps]", str(steps))
    page.select_option("[name=speed]", "fast")


def test_a_reader_trains_watches_and_asks(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_lesson(page, module_server)
    badge = page.locator("[data-role=phase]")
    expect(badge).to_have_text("Ready to train")
    page.click("[data-action=start]")
    expect(badge).to_have_text("Phase 1: training")
    # The loss chart gains points while the run is still going.
    page.wait_for_function(
        "() => document.querySelector('[data-role=loss-chart]').data[0].x.length >= 5"
    )
    assert page.locator("[data-role=inference]").is_hidden()
    expect(badge).to_have_text("Phase 2: inference (model frozen)", timeout=20_000)
    losses = loss_points(page)
    assert len(losses) == 100
    assert losses[-1] < losses[0] / 2  # it learned
    steps_counter = page.locator("[data-counter=train-steps]")
    expect(steps_counter).to_have_text("200")

    # Ask by typing a point.
    page.fill("[name=x]", "1.5")
    page.fill("[name=y]", "-0.5")
    page.click("[data-role=ask-form] button[type=submit]")
    answer = page.locator(".answer .result")
    expect(answer).to_contain_text("the model says")
    cost = r"Answered in [0-9.]+ [µm]?s of compute, [0-9.,]+ [kMG]?FLOP of arithmetic"
    expect(answer).to_contain_text(re.compile(cost))
    expect(page.locator("[data-counter=infer-count]")).to_have_text("1")

    # Ask by clicking the map.
    box = page.locator("[data-role=surface-chart] .nsewdrag").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    expect(page.locator("[data-counter=infer-count]")).to_have_text("2")
    asked = page.evaluate(
        "() => document.querySelector('[data-role=surface-chart]').data[4].x.length"
    )
    assert asked == 2
    assert console.errors == []


def test_the_answer_matches_the_api(page: Page, module_server: LiveServer) -> None:
    open_lesson(page, module_server, steps=50)
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    fingerprint = page.locator("[data-role=fingerprint]").inner_text()
    spec: dict[str, Any] = {
        "model": "mlp",
        "steps": 50,
        "speed": "normal",
        "pace": "watch",
        "seed": 7,
        "learning_rate": 0.1,
        "dataset": "moons",
        "hidden": [16, 16],
        "n_samples": 300,
        "noise": 0.15,
        "batch_size": 32,
        "activation": "tanh",
        "optimizer": "sgd",
    }
    run_id = httpx.post(f"{module_server.url}/api/runs", json=spec).json()["run_id"]
    body = httpx.post(
        f"{module_server.url}/api/runs/{run_id}/predict", json={"inputs": [[0.5, 0.25]]}
    ).json()
    assert body["fingerprint"] == fingerprint


def test_pause_stops_the_server_and_resume_finishes_the_same_run(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_lesson(page, module_server, steps=400)
    page.select_option("[name=speed]", "normal")  # 100 frames at 20 a second: 5 s
    page.click("[data-action=start]")
    page.wait_for_function(
        "() => document.querySelector('[data-role=loss-chart]').data[0].x.length >= 10"
    )
    page.click("[data-action=pause]")
    expect(page.locator("[data-role=phase]")).to_have_text("Paused")
    page.wait_for_timeout(300)
    assert httpx.get(f"{module_server.url}/healthz").json()["live_streams"] == 0
    points_at_pause = len(loss_points(page))
    page.wait_for_timeout(300)
    assert len(loss_points(page)) == points_at_pause  # nothing arrives while paused
    page.select_option("[name=speed]", "fast")  # the running spec is kept, not the form
    page.click("[data-action=resume]")
    expect(page.locator("[data-role=phase]")).to_have_text(
        "Phase 2: inference (model frozen)", timeout=20_000
    )
    steps = page.evaluate("() => document.querySelector('[data-role=loss-chart]').data[0].x")
    assert steps == sorted(set(steps)) and len(steps) == 100  # no frame lost or repeated
    assert console.errors == []


def test_reset_clears_the_widget(page: Page, module_server: LiveServer) -> None:
    open_lesson(page, module_server, steps=20)
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.click("[data-action=reset]")
    expect(page.locator("[data-role=phase]")).to_have_text("Ready to train")
    assert loss_points(page) == []
    assert page.locator("[data-role=inference]").is_hidden()
    expect(page.locator("[data-counter=train-steps]")).to_have_text("0")


def test_a_diverging_run_says_so(page: Page, module_server: LiveServer) -> None:
    open_lesson(page, module_server, steps=300)
    page.select_option("[name=learning_rate]", "30.0")
    page.click("[data-action=start]")
    expect(page.locator("[data-role=phase]")).to_have_text("Diverged: no model", timeout=20_000)
    expect(page.locator("[data-role=status]")).to_contain_text("learning rate is too high")
    assert page.locator("[data-role=inference]").is_hidden()


def test_the_keyboard_alone_can_train_and_ask(page: Page, module_server: LiveServer) -> None:
    open_lesson(page, module_server, steps=30)
    page.focus("[name=seed]")
    page.keyboard.press("Tab")  # to the Start button
    assert page.evaluate("() => document.activeElement.dataset.action") == "start"
    page.keyboard.press("Enter")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.focus("[name=y]")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator(".answer .result")).to_contain_text("the model says")


def test_a_bad_point_gets_a_message(page: Page, module_server: LiveServer) -> None:
    open_lesson(page, module_server, steps=20)
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.evaluate(
        "() => { const x = document.querySelector('[name=x]'); x.type = 'text'; x.value = 'far'; }"
    )
    page.click("[data-role=ask-form] button[type=submit]")
    expect(page.locator(".answer .error")).to_have_text("x must be a number, like 0.5 or -1.2.")
    expect(page.locator("[data-counter=infer-count]")).to_have_text("0")


def test_it_fits_a_phone_screen(browser: Browser, module_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    open_lesson(page, module_server, steps=20)
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    overflow = page.evaluate(
        """() => [document.documentElement, document.querySelector('.counters')]
            .map((el) => el.scrollWidth - el.clientWidth)"""
    )
    assert overflow == [0, 0]  # neither the page nor the counters table scrolls sideways
    context.close()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run()")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("dark", [False, True])
def test_axe_finds_no_serious_violation(
    browser: Browser, module_server: LiveServer, dark: bool
) -> None:
    assert Path(AXE).is_file(), "run `make setup` to install axe-core"
    # axe is injected as an inline script, which our CSP rightly blocks: let the test tool in.
    context = browser.new_context(color_scheme="dark" if dark else "light", bypass_csp=True)
    page = context.new_page()
    page.goto(module_server.url + "/")
    assert serious_violations(page) == []
    open_lesson(page, module_server, steps=20)
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.click("[data-role=ask-form] button[type=submit]")
    expect(page.locator(".answer .result")).to_be_visible()
    assert serious_violations(page) == []
    context.close()


def test_pages_work_under_the_csp_without_errors(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=10_000)
    page.goto(module_server.url + "/")
    expect(page.locator(".course-map a").first).to_be_visible()
    assert console.errors == []
