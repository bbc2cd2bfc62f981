"""The blind-spot widget (lesson 11) in a real Chromium: a gap in the data, confident answers
there and far away, flagged by the server; only retraining with data from the gap fixes it."""

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

LESSON = "/lessons/limits"
TIMEOUT = 20_000
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
NOT_YET = "\N{EN DASH}"  # a cell before its number arrives
MINUS = "\N{MINUS SIGN}"


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
    page.wait_for_selector("[data-widget=blind-spot] [data-role=map].js-plotly-plot")


def cell(page: Page, row: str, name: str) -> str:
    locator = page.locator(f'[data-row="{row}"] [data-cell="{name}"]')
    expect(locator).not_to_have_text(NOT_YET, timeout=TIMEOUT)
    return locator.inner_text()


def percent(text: str) -> float:
    match = re.search(r"([\d.]+)%", text)
    assert match, text
    return float(match.group(1))


def test_a_reader_finds_the_blind_spot_and_retrains(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    page.click("[data-action=start]")
    inside = cell(page, "gap", "inside")
    elsewhere = percent(cell(page, "gap", "outside"))
    assert percent(inside) < 60 < elsewhere
    assert percent(cell(page, "gap", "sure")) > 80  # confident, and often wrong
    expect(page.locator("[data-role=phase]")).to_have_text("Phase 2: inference (model frozen)")

    # The blind spot is what the server flags: check the count against the API.
    state: dict[str, Any] = page.evaluate(
        """() => {
          const w = document.querySelector('[data-widget=blind-spot]').widget;
          return {run: w.gap.runId, val: w.gap.start.val, blind: w.blind};
        }"""
    )
    answer = httpx.post(
        f"{module_server.url}/api/runs/{state['run']}/predict", json={"inputs": state["val"]["x"]}
    ).json()
    flagged = [i for i, far in enumerate(answer["outside_training_data"]) if far]
    assert flagged == state["blind"] and flagged
    right = sum(answer["predictions"][i] == state["val"]["y"][i] for i in flagged)
    assert f"({right} of {len(flagged)})" in inside
    ringed = page.evaluate("() => document.querySelector('[data-role=map]').data[5].x.length")
    assert ringed == len(flagged)

    # Ask inside the gap: a confident answer, flagged as far from the data.
    page.click("[data-action=ask-gap]")
    answers = page.locator("[data-role=answer] .bs-answers li")
    expect(answers).to_have_count(1)
    flag = answers.first.locator("[data-role=outside]")
    expect(flag).to_contain_text("confident, but unreliable")

    # Far outside the box, typed in: still an answer, still flagged.
    page.fill("[data-widget=blind-spot] [name=x]", "8")
    page.fill("[data-widget=blind-spot] [name=y]", "0")
    page.click("[data-role=ask-form] button[type=submit]")
    where = page.locator("[data-role=answer] .bs-where")
    expect(where).to_have_text("At (8.00, 0.00), off this map:")
    expect(answers.first).to_contain_text("Nearest training dot: 6.")
    expect(flag).to_be_visible()

    # Bad input gets a message, not a request.
    page.fill("[data-widget=blind-spot] [name=x]", "50")
    page.click("[data-role=ask-form] button[type=submit]")
    expect(page.locator("[data-widget=blind-spot] [data-role=error]")).to_have_text(
        f"x must be a number between {MINUS}10 and 10, like 0.5 or {MINUS}1.2."
    )

    # Clicking the map asks about that spot.
    box = page.locator("[data-role=map] .nsewdrag").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    expect(where).to_contain_text(f"At ({MINUS}1.")
    asked = page.evaluate("() => document.querySelector('[data-role=map]').data[6].x.length")
    assert asked == 3
    expect(page.locator("[data-role=fingerprint-note]")).to_contain_text("unchanged after")

    # Retrain with the full data: the blind spot heals.
    page.click("[data-action=retrain]")
    healed = percent(cell(page, "full", "inside"))
    assert healed > percent(inside) + 30
    expect(page.locator("[data-widget=blind-spot] [data-role=summary]")).to_contain_text(
        "only training on new data did"
    )
    page.click("[data-action=ask-gap]")
    expect(answers).to_have_count(2)
    recorded = page.evaluate(
        "() => JSON.parse(localStorage.getItem('phaselab:v1')).runs.map(r => r.kind)"
    )
    assert recorded == [
        "blind-spot: trained with a gap",
        "blind-spot: retrained with the full data",
    ]
    energy = page.locator(".cost-table tbody tr").first.locator("td").first
    expect(energy).not_to_have_text(NOT_YET)
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
        cell(page, "gap", "inside")
        # Focus lands on the next thing to do: ask inside the gap.
        expect(page.locator("[data-action=ask-gap]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("[data-role=answer] [data-role=outside]")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator("[data-action=ask-far]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("[data-role=answer] .bs-where")).to_contain_text("off this map")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert serious_violations(page) == []
    finally:
        context.close()
    assert console.errors == []
