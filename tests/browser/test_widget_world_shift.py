"""The world-shift widget (lesson 7) in a real Chromium: train, move the world, ask, fine-tune."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.settings import REPO_ROOT
from tests.browser.conftest import ConsoleLog, watch
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/updating-models"
TIMEOUT = 20_000
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
NOT_YET = "\N{EN DASH}"  # a cell before its number arrives


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run()")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_widget(page: Page, server: LiveServer) -> None:
    page.goto(server.url + LESSON)
    # The module has mounted once it has drawn the empty maps.
    page.wait_for_selector("[data-widget=world-shift] [data-role=old-map].js-plotly-plot")


def cell(page: Page, row: str, name: str = "right") -> str:
    locator = page.locator(f'[data-row="{row}"] [data-cell="{name}"]')
    expect(locator).not_to_have_text(NOT_YET, timeout=TIMEOUT)
    return locator.inner_text()


def percent(text: str) -> float:
    match = re.search(r"([\d.]+)%", text)
    assert match, text
    return float(match.group(1))


def widget_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        """() => {
          const w = document.querySelector('[data-widget=world-shift]').widget;
          return {old: w.old.runId, val: w.world.start.val, tuned: w.tuned && w.tuned.runId};
        }"""
    )
    return state


def test_a_reader_moves_the_world_and_fine_tunes(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    badge = page.locator("[data-widget=world-shift] [data-role=phase]")
    expect(badge).to_have_text("Ready to train")
    page.click("[data-action=start]")
    trained = percent(cell(page, "old-old"))
    fingerprint = cell(page, "old-old", "fingerprint")
    expect(badge).to_have_text("Phase 2: inference (model frozen)")
    assert trained > 90

    # Step 2: the old model, asked about the new world, is often wrong.
    page.click("[data-action=shift]")
    on_new = percent(cell(page, "old-new"))
    assert on_new < trained - 20
    assert cell(page, "old-new", "fingerprint") == fingerprint
    # The number on screen is the server's: ask the API the same questions ourselves.
    state = widget_state(page)
    answer = httpx.post(
        f"{module_server.url}/api/runs/{state['old']}/predict", json={"inputs": state["val"]["x"]}
    ).json()
    right = sum(p == y for p, y in zip(answer["predictions"], state["val"]["y"], strict=True))
    assert f"({right} of {len(state['val']['y'])})" in cell(page, "old-new")
    # The new map shows the new world's dots over the old model's answers.
    traces = page.evaluate(
        "() => document.querySelector('[data-role=new-map]').data.map(t => t.x.length)"
    )
    assert len(traces) == 5  # answers, two classes of training dots, two of held-out dots
    assert traces[3] + traces[4] == len(state["val"]["x"])

    # Step 3: asking more changes nothing.
    page.click("[data-action=ask-more]")
    assert percent(cell(page, "asked")) == on_new
    assert cell(page, "asked", "fingerprint") == fingerprint
    expect(page.locator("[data-role=asking-note]")).to_contain_text("The fingerprint is still")

    # Step 4: fine-tuning fixes most of it; step 5: from scratch, for comparison.
    page.click("[data-action=fine-tune]")
    tuned = percent(cell(page, "fine-tune"))
    assert tuned > on_new + 20
    assert cell(page, "fine-tune", "fingerprint") != fingerprint
    expect(page.locator("[data-role=show]")).to_have_value("fine-tune")
    page.click("[data-action=scratch]")
    share = page.locator("[data-compare=share-flops]")
    expect(share).not_to_have_text(NOT_YET, timeout=TIMEOUT)
    assert 0 < percent(share.inner_text()) < 50
    expect(page.locator("[data-compare=fine-tune-steps]")).to_have_text("60")
    expect(page.locator("[data-compare=scratch-steps]")).to_have_text("400")
    expect(page.locator("[data-role=compare-summary]")).to_contain_text(
        "of the arithmetic of training from scratch"
    )
    # The cost panel has estimates for the training this demo did.
    energy = page.locator(".cost-table tbody tr").first.locator("td").first
    expect(energy).not_to_have_text(NOT_YET)
    recorded = page.evaluate(
        "() => JSON.parse(localStorage.getItem('phaselab:v1')).runs.map(r => r.kind)"
    )
    assert recorded == [
        "world-shift: first training",
        "world-shift: fine-tune",
        "world-shift: from scratch",
    ]
    assert console.errors == []


def test_keyboard_only_on_a_phone_in_dark_mode(
    browser: Browser, module_server: LiveServer, console: ConsoleLog
) -> None:
    # bypass_csp lets the axe script in; the widget itself runs the same either way.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, color_scheme="dark", bypass_csp=True
    )
    page = watch(context.new_page(), console)
    try:
        open_widget(page, module_server)
        page.focus("[data-action=start]")
        page.keyboard.press("Enter")
        cell(page, "old-old")
        # Focus moves on to the next step, so Enter keeps the story going.
        expect(page.locator("[data-action=shift]")).to_be_focused()
        page.keyboard.press("Enter")
        cell(page, "old-new")
        expect(page.locator("[data-action=ask-more]")).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert serious_violations(page) == []
    finally:
        context.close()
    assert console.errors == []
