"""Less at once: lesson 1's demo, after one question, fits two laptop screens.

The receipt, the break-even chart and the real models wait behind one disclosure; the
settings are folded behind a line that says them; the comparison itself stays in view.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 900}


def test_lesson_one_fits_two_screens_after_one_question(
    browser: Browser, module_server: LiveServer
) -> None:
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.goto(f"{module_server.url}/lessons/introduction")
    widget = page.locator(".widget.train-classifier")
    expect(widget.locator("details.settings")).not_to_have_attribute("open", "")
    expect(widget.locator("details.settings > summary")).to_contain_text("300 dots")
    widget.locator("[data-action=start]").click()
    expect(widget.locator("[data-role=inference]")).to_be_visible(timeout=20_000)
    widget.locator("[data-role=ask-form] button[type=submit]").click()
    expect(widget.locator("[data-role=costs] [data-role=ratio]")).to_be_visible(timeout=10_000)
    expect(widget.locator(".answer")).not_to_be_empty()
    height = widget.evaluate("(w) => w.getBoundingClientRect().height")
    assert height <= 2 * SCREEN["height"], f"lesson 1's widget is {height:.0f} px tall"
    # The details are a click away, and their charts draw at full width when opened.
    receipt = widget.locator(".receipt li").first
    expect(receipt).to_be_hidden()
    widget.locator(".cost-details > summary").click()
    expect(receipt).to_be_visible()
    chart_width = widget.locator("[data-role=break-even-chart] .main-svg").first.evaluate(
        "(svg) => svg.getBoundingClientRect().width"
    )
    assert chart_width > 300
    context.close()
