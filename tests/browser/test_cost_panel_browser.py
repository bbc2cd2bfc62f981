"""The cost panel in Chromium: live while training, frozen after, and assumptions that stick."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/what-training-means"
ENERGY = "[data-role=costs] .cost-table tbody tr:first-child td:nth-of-type(1)"


def test_the_panel_is_live_while_training_then_frozen(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + LESSON)
    page.select_option("[name=speed]", "normal")  # 100 frames at 20 a second: 5 s
    first = page.locator(ENERGY).inner_text()
    page.click("[data-action=start]")
    page.wait_for_timeout(2600)
    during = page.locator(ENERGY).inner_text()
    assert during != first  # refreshed while the run is going
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(500)
    after = page.locator(ENERGY).inner_text()
    page.wait_for_timeout(2500)
    assert page.locator(ENERGY).inner_text() == after  # frozen: nothing trains any more
    page.click("[data-role=ask-form] button[type=submit]")
    expect(page.locator("[data-role=costs] .ratio")).to_contain_text("as much arithmetic as")
    # The receipt and the charts wait behind one disclosure, so the comparison fits a screen.
    expect(page.locator("[data-role=costs] .receipt li").first).to_be_hidden()
    page.click("[data-role=costs] .cost-details summary")
    expect(page.locator("[data-role=costs] .receipt li").first).to_be_visible()
    assert (
        page.evaluate("() => document.querySelector('[data-role=break-even-chart]').data.length")
        == 2
    )
    expect(page.locator("[data-action=rerun-instant]")).to_be_visible()
    assert console.errors == []


def test_changing_an_assumption_updates_the_panel_and_the_address(
    page: Page, module_server: LiveServer
) -> None:
    page.goto(module_server.url + LESSON)
    page.fill("[name=steps]", "20")
    page.select_option("[name=speed]", "fast")
    page.click("[data-action=start]")
    expect(page.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(300)
    before = page.locator(ENERGY).inner_text()
    summary = page.locator("[data-role=assumed]")
    expect(summary).to_contain_text("Assumptions: 5 W, the World grid")
    summary.click()  # folded behind the line that says them
    page.fill("[name=watts]", "50")
    page.locator("[name=watts]").dispatch_event("change")
    expect(page.locator(ENERGY)).not_to_have_text(before)
    expect(summary).to_contain_text("Assumptions: 50 W, the World grid")
    assert "watts=50" in page.url
    # A shared link opens with the same assumptions.
    page.goto(page.url)
    assert page.locator("[name=watts]").input_value() == "50"
